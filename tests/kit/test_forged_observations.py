"""Forged observations (issue 18): hostile answers that behave wrongly and rewrite what the kit observes.

Each test grades a real submission with the real ``grade`` command (a subprocess, as an interviewer runs it, the
pattern of ``test_attacks.py``). The answer produces the WRONG behaviour and reaches the kit's code in its own
process (``grader.host.helpers``, ``grader.host.services``, ``grader.host.session``, through ``importlib`` or
``gc``) to make the kit report the right one. The question must earn only what its real behaviour earns.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.kit import solutions_dir

pytestmark = pytest.mark.slow


def grade(*args: str, exit_codes: tuple[int, ...] = (0, 1)) -> dict[str, Any]:
    """Run ``grade ... --json`` as a user would; its parsed JSON (``--sandbox require`` where CI demands it)."""
    if os.environ.get("KIT_REQUIRE_SANDBOX") == "1" and "--sandbox" not in args:
        args = (*args, "--sandbox", "require")
    completed = subprocess.run(
        [sys.executable, "-m", "grader", *args, "--json", "--timeout", "30"],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    assert completed.returncode in exit_codes, completed.stderr
    return json.loads(completed.stdout)


def graded_question(folder: Path, qid: str) -> dict[str, Any]:
    """Grade question ``qid`` of ``folder``; its entry in the report."""
    report = grade(str(folder), "-q", qid)
    (submission,) = report["submissions"]
    return next(q for q in submission["questions"] if q["id"] == qid)


def hostile_answer(tmp_path: Path, filename: str, edits: list[tuple[str, str]], attack: str) -> Path:
    """A folder holding the reference solution of ``filename`` with ``edits`` (each ``old`` once) and ``attack``."""
    text = (solutions_dir() / filename).read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    folder = tmp_path / "candidate"
    folder.mkdir()
    (folder / filename).write_text(text + "\n" + attack)
    return folder


def failed_tests(question: dict[str, Any]) -> set[str]:
    """The names of the failed tests of a graded question (without the file part)."""
    return {failure["test"].rsplit("::", 1)[-1] for failure in question["failures"]}


# ---- q10, q01, q09, q12, q13, q19 ---------------------------------------------------------------------------------

Q10_FORGE = """
import importlib as _importlib

_registry = _importlib.import_module("grader.host.helpers")._REGISTRY


def _no_spy(session, name):
    return None


def _one_call(session, name, reset=False):
    return 1


def _keep_the_real_open_session(session, service):
    return None


# the counting spy reports one call per request, and the judge's fake is never installed
_registry["common.spy"] = _no_spy
_registry["common.spy_calls"] = _one_call
_registry["q10.forward_open_session"] = _keep_the_real_open_session
"""


def test_q10_two_sessions_per_request_are_counted_by_the_judge(tmp_path: Path) -> None:
    """Each request opens two sessions (the route's own get_db is not cached); the answer rewrites the spy."""
    folder = hostile_answer(
        tmp_path,
        "q10_dependency_injection.py",
        [
            (
                "def read_my_items(user: ActiveUser, db: DB) -> list[dict[str, str]]:",
                "def read_my_items(\n    user: ActiveUser,\n"
                "    db: Annotated[FakeSession, Depends(get_db, use_cache=False)],\n"
                ") -> list[dict[str, str]]:",
            )
        ],
        Q10_FORGE,
    )
    q10 = graded_question(folder, "q10")
    assert q10["status"] == "failed" and q10["points"] < q10["max_points"], q10
    assert failed_tests(q10) == {"test_one_request_opens_one_session"}, q10["failures"]
