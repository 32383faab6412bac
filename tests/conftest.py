"""Project-wide pytest options.

``--target DIR`` chooses the folder of ``qNN_<slug>.py`` files the hidden tests run against. It defaults to
``solutions/``, so a plain ``pytest`` proves the reference solutions; the grader passes a candidate's folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.kit import solutions_dir


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--target",
        action="store",
        default=None,
        metavar="DIR",
        help="folder of qNN_<slug>.py files the hidden tests import (default: solutions/)",
    )


@pytest.fixture(scope="session")
def target_dir(pytestconfig: pytest.Config) -> Path:
    chosen = pytestconfig.getoption("--target")
    return Path(chosen).resolve() if chosen else solutions_dir()
