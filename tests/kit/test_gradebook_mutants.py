"""The gradebook and the batch planner, fast: real SQLite files and real submissions, no grading process.

Written against the mutants of ``grader/gradebook.py`` and ``grader/batch.py`` that the fast tests let through
(``python bench/mutation.py -m gradebook -m batch``). Results go in and come back out whole; the stored rows
are read back with plain SQL; the batch plans a real class folder taken in by ``resolve_submissions``. Only
``execute_batch``'s process pool is replaced, by a stand-in that answers each job as the runner would.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from grader.catalogue import find_question
from grader.gradebook import Gradebook
from grader.results import RawRun, TestOutcome
from grader.scoring import score_question

Q02, Q03 = find_question("q02"), find_question("q03")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def _q02_run() -> RawRun:
    tests = (
        TestOutcome("test_root", "passed"),
        TestOutcome("test_items", "failed", "assert 404 == 200"),
        TestOutcome("test_redis", "skipped", "no redis-server"),
        TestOutcome("test_head", "error", "fixture exploded"),
    )
    names = tuple(t.name for t in tests)
    return RawRun("q02", "completed", names, tests, "", 0.5, ("imports gc", "reads /proc"), ("seccomp", "env"))


def _q03_run() -> RawRun:
    return RawRun("q03", "completed", ("test_a",), (TestOutcome("test_a", "passed"),), "", 0.25)


def _rows(path: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(sql, args).fetchall()


def _test_rows(path: Path, sid: int) -> list[tuple[Any, ...]]:
    return _rows(
        path, "SELECT question_id, test, outcome, message FROM test_results WHERE submission_id = ? ORDER BY rowid", sid
    )


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "folder" / "book.sqlite3"


def test_a_copied_result_replaces_the_target_question_and_its_tests(book: Path) -> None:
    with Gradebook(book) as gb:
        alice, bob = gb.submission_id("alice", "h", "k", "a"), gb.submission_id("bob", "h2", "k", "b")
        gb.record(alice, score_question(Q02, _q02_run()), _q02_run(), "f2", "k")
        gb.record(alice, score_question(Q03, _q03_run()), _q03_run(), "f3", "k")
        stale = RawRun("q02", "completed", ("test_old",), (TestOutcome("test_old", "failed", "old"),), "", 9.0)
        gb.record(bob, score_question(Q02, stale), stale, "f-old", "k")
        gb.copy_result("q02", alice, bob)
        assert gb.load(bob).result.questions == gb.load(alice, {"q02"}).result.questions
        assert gb.find_graded_file("q02", "f2", "k") in (alice, bob)
    assert _test_rows(book, bob) == [row for row in _test_rows(book, alice) if row[0] == "q02"]
    (stamp,) = _rows(book, "SELECT graded_at FROM question_results WHERE submission_id = ?", bob)[0]
    assert STAMP.match(stamp)
