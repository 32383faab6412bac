"""Ctrl-C at every phase of a batch: exit 130 promptly, no process left, nothing half-made stored.

A real ``grade`` run is paused at a named phase (``KIT_PAUSE_AT``, see ``grader.judge.interrupts``) and sent SIGINT
there, as a terminal would. Afterwards the gradebook must hold only whole results: resuming the batch must give
exactly what a fresh, uninterrupted batch gives.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.kit import exercises_dir, solutions_dir

pytestmark = pytest.mark.slow
GradeJson = Callable[..., dict[str, Any]]
QUESTIONS = ("-q", "2", "-q", "3", "-q", "4")


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("class")
    for student, source in (("ada", solutions_dir()), ("bob", exercises_dir()), ("cy", solutions_dir())):
        folder = root / student
        folder.mkdir()
        for name in ("q02_basic_app.py", "q03_path_parameters.py", "q04_query_parameters.py"):
            shutil.copyfile(source / name, folder / name)
    return root


def _verdicts(report: dict[str, Any]) -> dict[str, list[tuple[str, str, float, int]]]:
    return {
        s["name"]: [(q["id"], q["status"], q["points"], q["tests_passed"]) for q in s["questions"]]
        for s in report["submissions"]
    }


@pytest.fixture(scope="module")
def fresh(classroom: Path, tmp_path_factory: pytest.TempPathFactory, grade_json: GradeJson) -> dict[str, Any]:
    return grade_json(str(classroom), *QUESTIONS, "--gradebook", str(tmp_path_factory.mktemp("fresh") / "book.db"))


@pytest.mark.parametrize(
    ("phase", "signum", "code"),
    [
        ("warm-up", signal.SIGINT, 130),
        ("grading", signal.SIGINT, 130),
        ("first-result", signal.SIGINT, 130),
        ("reports", signal.SIGINT, 130),
        ("first-result", signal.SIGTERM, 143),  # an IDE's stop button, `timeout`
        ("first-result", signal.SIGHUP, 129),  # a closed terminal
    ],
    ids=["warm-up", "grading", "first-result", "reports", "SIGTERM", "SIGHUP"],
)
def test_an_interrupt_stops_the_run_and_stores_nothing_half_made(
    classroom: Path,
    fresh: dict[str, Any],
    tmp_path: Path,
    phase: str,
    signum: int,
    code: int,
    session_members: Callable[[int], list[int]],
    grade_json: GradeJson,
) -> None:
    book, csv_path = tmp_path / "book.sqlite3", tmp_path / "grades.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "grader", str(classroom), *QUESTIONS, "--gradebook", str(book), "--csv", str(csv_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "KIT_PAUSE_AT": phase},
        start_new_session=True,  # its own session: everything it starts can be found afterwards
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    assert line.strip() == f"paused at {phase}", line
    os.kill(process.pid, signum)
    started = time.monotonic()
    process.wait(timeout=30)
    stopped_in = time.monotonic() - started
    assert process.returncode == code, process.stderr.read()
    assert stopped_in < 10, f"the run took {stopped_in:.1f} s to stop"
    assert "nothing half-made" in process.stderr.read()
    deadline = time.monotonic() + 5
    while session_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session_members(process.pid) == [], "processes of the interrupted run are still alive"
    assert not csv_path.exists(), "a report was written by an interrupted run"
    assert not list(tmp_path.glob(".*.partial"))
    # Whatever was stored is whole: resuming gives exactly what a fresh batch gives.
    assert _verdicts(grade_json(str(classroom), *QUESTIONS, "--gradebook", str(book))) == _verdicts(fresh)
