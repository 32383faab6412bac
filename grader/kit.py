"""Where the kit's folders are. The grader runs from a checkout (``pip install -e .``), so the hidden tests,
stubs and solutions sit next to the package; ``FASTAPI_KIT_ROOT`` points elsewhere when needed."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["exercises_dir", "hidden_tests_dir", "kit_root", "solutions_dir"]


def kit_root() -> Path:
    override = os.environ.get("FASTAPI_KIT_ROOT")
    return Path(override).resolve() if override else Path(__file__).resolve().parent.parent


def exercises_dir() -> Path:
    return kit_root() / "exercises"


def solutions_dir() -> Path:
    return kit_root() / "solutions"


def hidden_tests_dir() -> Path:
    return kit_root() / "tests" / "hidden"
