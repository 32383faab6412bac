"""The gradebook and the batch planner, fast: real SQLite files and real submissions, no grading process.

Written against the mutants of ``grader/book/gradebook.py`` and ``grader/judge/batch.py`` that the fast tests let
through
(``python bench/mutation.py -m gradebook -m batch``). Results go in and come back out whole; the stored rows
are read back with plain SQL; the batch plans a real class folder taken in by ``resolve_submissions``. Only
``execute_batch``'s process pool is replaced, by a stand-in that answers each job as the runner would.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from grader.book import recording as recording_module
from grader.book.fingerprint import grading_key
from grader.book.gradebook import Gradebook, GradebookError, StoredSubmission
from grader.book.lateness import Lateness
from grader.book.manifest import Manifest, QuestionActivity
from grader.book.results import QuestionResult, RawRun, SubmissionResult, TestFailure, TestOutcome
from grader.book.review import REVIEW_TABLES
from grader.book.scoring import score_question
from grader.book.submissions import Submission, content_hash, resolve_submissions
from grader.judge import batch as batch_module
from grader.judge.batch import MISSING_FILE, execute_batch, is_untouched_stub, plan_batch, rejected_run
from grader.judge.runner import GradingJob
from grader.kit import exercises_dir, solutions_dir
from grader.kit.catalogue import Question, find_question
from tests.kit.full_disk import RefusingConnection

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


# ------------------------------------------------------------------------------------------- round trips


def test_a_recorded_submission_comes_back_whole(book: Path) -> None:
    q02, q03 = score_question(Q02, _q02_run()), score_question(Q03, _q03_run())
    with Gradebook(book) as gb:
        sid = gb.submission_id("alice", "hash-a", "key-1", "/class/alice", "", ["late", "renamed a file"])
        gb.record(sid, q03, _q03_run(), "file-3", "key-1")
        gb.record(sid, q02, _q02_run(), "file-2", "key-1")
        stored = gb.load(sid)
    assert (stored.id, stored.name, stored.content_hash, stored.kit_version) == (sid, "alice", "hash-a", "key-1")
    assert (stored.source, stored.problem, stored.warnings) == ("/class/alice", "", ("late", "renamed a file"))
    assert STAMP.match(stored.graded_at), stored.graded_at
    # Questions come back in id order, each equal to what was scored, failures in the order the tests ran.
    assert stored.result == SubmissionResult("alice", (q02, q03), 0.75)
    assert stored.result.questions[0].failures == (
        TestFailure("test_items", "assert 404 == 200"),
        TestFailure("test_head", "fixture exploded"),
    )
    assert stored.result.questions[0].flags == ("imports gc", "reads /proc")
    assert stored.result.questions[0].sandbox == ("seccomp", "env")
    # Every test's outcome is kept, not only the failures: a later copy or report may need them.
    assert _test_rows(book, sid) == [
        ("q03", "test_a", "passed", ""),
        ("q02", "test_root", "passed", ""),
        ("q02", "test_items", "failed", "assert 404 == 200"),
        ("q02", "test_redis", "skipped", "no redis-server"),
        ("q02", "test_head", "error", "fixture exploded"),
    ]
    stamps = _rows(book, "SELECT graded_at FROM question_results WHERE submission_id = ?", sid)
    assert all(STAMP.match(stamp) for (stamp,) in stamps)


def test_loading_some_questions_and_an_unknown_submission(book: Path) -> None:
    with Gradebook(book) as gb:
        sid = gb.submission_id("alice", "h", "k", "src")
        gb.record(sid, score_question(Q02, _q02_run()), _q02_run(), "f2", "k")
        gb.record(sid, score_question(Q03, _q03_run()), _q03_run(), "f3", "k")
        assert (gb.path, gb.load(sid).problem, gb.load(sid).warnings) == (book, "", ())
        only = gb.load(sid, {"q03"})
        assert [q.id for q in only.result.questions] == ["q03"]
        assert only.result.duration_s == 0.25
        assert [q.id for q in gb.load(sid, set()).result.questions] == []
        with pytest.raises(KeyError) as missing:
            gb.load(sid + 1)
        assert missing.value.args == (sid + 1,)


def test_recording_again_replaces_the_question_and_its_tests(book: Path) -> None:
    with Gradebook(book) as gb:
        sid = gb.submission_id("alice", "h", "k", "src")
        gb.record(sid, score_question(Q02, _q02_run()), _q02_run(), "f2", "k")
        gb.record(sid, score_question(Q03, _q03_run()), _q03_run(), "f3", "k")
        again = RawRun("q02", "completed", ("test_root",), (TestOutcome("test_root", "passed"),), "", 0.1)
        gb.record(sid, score_question(Q02, again), again, "f2b", "k")
        assert gb.load(sid).result.questions[0].status == "passed"
    assert _test_rows(book, sid) == [("q03", "test_a", "passed", ""), ("q02", "test_root", "passed", "")]


def test_the_same_submission_keeps_its_id_and_takes_the_latest_details(book: Path) -> None:
    with Gradebook(book) as gb:
        first = gb.submission_id("alice", "h", "k", "/old", "broken zip", ["w"])
        assert gb.submission_id("alice", "h", "k", "/new", "", ["x", "y"]) == first
        stored = gb.load(first)
        assert (stored.source, stored.problem, stored.warnings) == ("/new", "", ("x", "y"))
        others = {
            gb.submission_id("alice", "h2", "k", "/new"),
            gb.submission_id("alice", "h", "k2", "/new"),
            gb.submission_id("bob", "h", "k", "/new"),
        }
    assert len(others) == 3 and first not in others
    assert _rows(book, "SELECT COUNT(*) FROM submissions") == [(4,)]


def test_graded_questions_and_forget(book: Path) -> None:
    with Gradebook(book) as gb:
        alice, bob = gb.submission_id("alice", "h", "k", "a"), gb.submission_id("bob", "h", "k", "b")
        for sid in (alice, bob):
            gb.record(sid, score_question(Q02, _q02_run()), _q02_run(), "f2", "k")
            gb.record(sid, score_question(Q03, _q03_run()), _q03_run(), "f3", "k")
        assert gb.graded_questions(alice) == {"q02", "q03"}
        assert gb.graded_questions(alice + bob + 1) == set()
        gb.forget(alice, ["q02"])
        assert gb.graded_questions(alice) == {"q03"}
        assert gb.graded_questions(bob) == {"q02", "q03"}
    assert _test_rows(book, alice) == [("q03", "test_a", "passed", "")]
    assert len(_test_rows(book, bob)) == 5


def test_a_graded_file_is_found_only_for_the_same_question_file_and_key(book: Path) -> None:
    with Gradebook(book) as gb:
        sid = gb.submission_id("alice", "h", "k", "a")
        gb.record(sid, score_question(Q02, _q02_run()), _q02_run(), "f2", "key-1")
        assert gb.find_graded_file("q02", "f2", "key-1") == sid
        assert gb.find_graded_file("q03", "f2", "key-1") is None
        assert gb.find_graded_file("q02", "other", "key-1") is None
        assert gb.find_graded_file("q02", "f2", "key-2") is None


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


def test_latest_is_each_students_newest_submission_by_name(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stamps = iter(["2025-01-03T00:00:00+00:00", "2025-01-01T00:00:00+00:00", "2025-01-02T00:00:00+00:00"])
    monkeypatch.setattr(recording_module, "_now", lambda: next(stamps))
    with Gradebook(book) as gb:
        newest = gb.submission_id("zoe", "h1", "k", "z1")  # graded on the 3rd
        gb.submission_id("zoe", "h2", "k", "z2")  # registered later, graded on the 1st
        bob = gb.submission_id("bob", "h1", "k", "b")
        monkeypatch.setattr(recording_module, "_now", lambda: "2025-01-05T00:00:00+00:00")
        gb.record(bob, score_question(Q03, _q03_run()), _q03_run(), "f3", "k")
        gb.record(bob, score_question(Q02, _q02_run()), _q02_run(), "f2", "k")
        latest = gb.latest()
        assert [(s.name, s.id) for s in latest] == [("bob", bob), ("zoe", newest)]
        assert [q.id for q in latest[0].result.questions] == ["q02", "q03"]
        assert [q.id for q in gb.latest({"q03"})[0].result.questions] == ["q03"]
        tie = gb.submission_id("amy", "h1", "k", "a1"), gb.submission_id("amy", "h2", "k", "a2")
        assert gb.latest()[0].id == tie[1], "same second: the one registered last"


# ------------------------------------------------------------- manifests, graded files, deadlines, assignments


MANIFEST = Manifest(
    "Zoë",
    "2026-11-30T10:00:00+00:00",
    {Q02.filename: "h" * 64},
    {"fastapi": "0.115.6"},
    {"q02": QuestionActivity(1, ("2026-11-30T09:10:00+00:00",), "a", "b", "c")},
)


def test_the_manifest_the_submission_time_and_the_graded_files_come_back(book: Path) -> None:
    with Gradebook(book) as gb:
        sid = gb.submission_id("alice", "h", "k", "src", "", (), MANIFEST, "2026-11-30T10:00:00+00:00")
        gb.record(sid, score_question(Q02, _q02_run()), _q02_run(), "f2", "k", b"print('caf\xe9')\n")
        gb.record(sid, score_question(Q03, _q03_run()), _q03_run(), "f3", "k")  # no text kept: none to show
        stored = gb.load(sid)
        # The gradebook keeps what the interviewer's view needs, not the file hashes (those were checked).
        assert stored.manifest == replace(MANIFEST, files={})
        assert (stored.submitted_at, stored.lateness) == ("2026-11-30T10:00:00+00:00", None)
        assert stored.sources == {"q02": "print('caf\ufffd')\n"}, "undecodable bytes replaced, not a crash"
        assert gb.load(sid, {"q03"}).sources == {}
        assert gb.load(sid, {"q02"}).sources == stored.sources
        # The same bytes under the same hash are kept once; text without a hash is not kept at all.
        gb.record(sid, score_question(Q02, _q02_run()), _q02_run(), "f2", "k", b"other bytes, same hash?")
        gb.record(sid, score_question(Q03, _q03_run()), _q03_run(), "", "k", b"no hash")
        assert gb.load(sid).sources == {"q02": "print('caf\ufffd')\n"}
        # Registered again (a manifest now unusable, another time): the latest details win.
        again = gb.submission_id("alice", "h", "k", "src", "", (), Manifest(problem="unreadable"), "2026-12-01")
        assert again == sid
        assert (gb.load(sid).manifest, gb.load(sid).submitted_at) == (None, "2026-12-01")
    assert _rows(book, "SELECT file_hash, content FROM files") == [("f2", b"print('caf\xe9')\n")]
    assert _rows(book, "SELECT manifest FROM submissions") == [("",)]


def test_lateness_is_priced_from_the_assignment_s_deadline(book: Path) -> None:
    due = "2026-12-01T00:00:00+00:00"
    with Gradebook(book) as gb:
        sid = gb.submission_id("alice", "h", "k", "src", submitted_at="2026-12-02T01:00:00+00:00")
        gb.record(sid, score_question(Q03, _q03_run()), _q03_run(), "f3", "k")
        assert gb.deadline() == ("", "")
        gb.set_deadline(due, "10%/day")
        assert gb.deadline() == (due, "10%/day")
        stored = gb.load(sid)
        assert stored.lateness == Lateness("2026-12-02T01:00:00+00:00", due, 90000.0, 20.0)
        assert (stored.result.score, stored.final_score, stored.final_percent) == (1.0, 0.8, 80.0)
        gb.set_deadline(due, "")  # no policy stored: late work is reported, not priced
        assert gb.load(sid).lateness == Lateness("2026-12-02T01:00:00+00:00", due, 90000.0, 0.0)
        gb.set_deadline("", "zero")
        assert gb.load(sid).lateness is None
    with Gradebook(book, assignment="other") as gb:
        assert gb.deadline() == ("", "")


def test_assignments_keep_their_own_students_and_share_graded_files(book: Path) -> None:
    with Gradebook(book, assignment="week1") as week1, Gradebook(book, assignment="week2") as week2:
        assert (week1.assignment, week2.assignment) == ("week1", "week2")
        ann1 = week1.submission_id("ann", "h", "k", "a")
        ann2 = week2.submission_id("ann", "h", "k", "a")
        assert ann1 != ann2, "the same files handed in for two assignments are two submissions"
        older = week1.submission_id("ann", "h-old", "k", "a")
        bob = week1.submission_id("bob", "h", "k", "b")
        week1.record(ann1, score_question(Q02, _q02_run()), _q02_run(), "f2", "k")
        assert week2.find_graded_file("q02", "f2", "k") == ann1, "a result depends on the file, not the assignment"
        assert [s.id for s in week1.latest()] == [older, bob], "ann's newest in week1"
        assert [s.id for s in week2.latest()] == [ann2]
        assert week1.assignments() == {"week1": 2, "week2": 1}
        assert week1.remove("ann") == 2
        assert week1.remove("nobody") == 0
        assert [s.name for s in week1.latest()] == ["bob"]
        assert [s.name for s in week2.latest()] == ["ann"]
        assert week2.assignments() == {"week1": 1, "week2": 1}
    assert _rows(book, "SELECT COUNT(*) FROM question_results") == [(0,)], "results go with their submission"
    assert _rows(book, "SELECT COUNT(*) FROM test_results") == [(0,)]
    with Gradebook(book) as gb:
        assert gb.assignment == "default" and gb.latest() == []


def test_stored_points_follow_the_current_catalogue(book: Path) -> None:
    """Half the tests of q02 passed when it was worth 4 points: today's catalogue makes it 1 point, so 0.5."""
    stored = QuestionResult("q02", "basic_app", "Old title", "advanced", "failed", 2.0, 4.0, 2, 4, 0, 0.5)
    unknown = QuestionResult("q99", "gone", "Gone", "basic", "passed", 3.0, 3.0, 1, 1, 0, 0.5)
    with Gradebook(book) as gb:
        sid = gb.submission_id("alice", "h", "k", "src")
        gb.record(sid, stored, _q02_run(), "f2", "k")
        gb.record(sid, unknown, _q03_run(), "f9", "k")
        (q02, q99) = gb.load(sid).result.questions
    assert q02 == replace(
        stored,
        title=Q02.title,
        level=Q02.level,
        points=0.5,
        max_points=1.0,
        failures=(TestFailure("test_items", "assert 404 == 200"), TestFailure("test_head", "fixture exploded")),
    )
    assert q99 == unknown, "a question the catalogue no longer has keeps its stored points"


def test_the_diff_of_a_graded_file_against_its_stub() -> None:
    stub = (exercises_dir() / Q02.filename).read_text(encoding="utf-8")
    edited = stub + "# my answer\n"
    q02 = score_question(Q02, _q02_run())
    other = QuestionResult("q98", "no_stub_here", "T", "basic", "failed", 0.0, 1.0, 0, 1, 0, 0.1)
    result = SubmissionResult("alice", (q02, other), 0.6)
    stored = StoredSubmission(1, "alice", "h", "k", "s", "", (), "t", result, sources={"q02": edited, "q98": "x"})
    lines = stub.splitlines(keepends=True)
    assert stored.diff_against_stub("q02") == "".join(
        [
            f"--- stub/{Q02.filename}\n",
            f"+++ alice/{Q02.filename}\n",
            f"@@ -{len(lines) - 2},3 +{len(lines) - 2},4 @@\n",
            *(f" {line}" for line in lines[-3:]),
            "+# my answer\n",
        ]
    )
    assert stored.diff_against_stub("q98") == "", "no stub for it in the kit"
    assert stored.diff_against_stub("q03") == "", "not graded"
    assert replace(stored, sources={}).diff_against_stub("q02") == "", "its text not kept"
    assert replace(stored, sources={"q02": stub}).diff_against_stub("q02") == ""


# ------------------------------------------------------------------------------------------ the file itself


def test_a_new_gradebook_is_made_with_its_folders_in_wal_mode(book: Path) -> None:
    Gradebook(book).close()
    assert book.is_file()
    assert _rows(book, "PRAGMA journal_mode") == [("wal",)]
    tables = _rows(book, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    review = [(name,) for name in sorted(REVIEW_TABLES)]  # the human half, in tables of its own (book_review)
    assert tables == sorted(
        [("assignments",), ("files",), ("question_results",), ("submissions",), ("test_results",), *review]
    )


def test_opening_a_current_gradebook_changes_nothing(book: Path) -> None:
    with Gradebook(book) as gb:
        sid = gb.submission_id("alice", "h", "k", "src")
        gb.record(sid, score_question(Q03, _q03_run()), _q03_run(), "f3", "k", b"text")
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    before = _rows(book, schema)
    tables = {name: sql for kind, name, _table, sql in before if kind == "table"}
    assert tables["submissions"].startswith("CREATE TABLE submissions ("), "as created, never rebuilt (renamed)"
    with Gradebook(book) as gb:
        assert gb.load(sid).submitted_at == "", "no time given: none stored"
    assert _rows(book, schema) == before, "not migrated again"


def test_a_result_for_an_unknown_submission_is_refused(book: Path) -> None:
    with Gradebook(book) as gb, pytest.raises(sqlite3.IntegrityError):
        gb.record(42, score_question(Q03, _q03_run()), _q03_run(), "f", "k")
    assert _rows(book, "SELECT COUNT(*) FROM question_results") == [(0,)]


def test_a_closed_gradebook_cannot_be_used(book: Path) -> None:
    with Gradebook(book) as gb:
        pass
    with pytest.raises(sqlite3.ProgrammingError):
        gb.graded_questions(1)


def test_a_folder_is_not_a_gradebook(tmp_path: Path) -> None:
    with pytest.raises(GradebookError, match=f"^{re.escape(str(tmp_path))} is not a file$"):
        Gradebook(tmp_path)


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(GradebookError, match=r"notes.txt is not a gradebook \(file is not a database\)$"):
        Gradebook(path)
    assert path.read_text() == "these are my notes, not a database\n" * 200


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (id INTEGER)")
    with pytest.raises(GradebookError, match=r"is a database of something else: give --gradebook a new file$"):
        Gradebook(path)
    assert _rows(path, "SELECT name FROM sqlite_master") == [("users",)]


def test_a_gradebook_with_a_trigger_or_a_view_is_refused(book: Path) -> None:
    Gradebook(book).close()
    with sqlite3.connect(book) as db:
        db.execute("CREATE VIEW marks AS SELECT points FROM question_results")
        db.execute(
            "CREATE TRIGGER inflate AFTER INSERT ON question_results BEGIN UPDATE question_results SET points = 99; END"
        )
    expected = r"holds a (view marks, trigger inflate|trigger inflate, view marks) that the kit never creates: refusing"
    with pytest.raises(GradebookError, match=expected):
        Gradebook(book)


def test_a_gradebook_from_before_the_sandbox_gains_the_column(book: Path) -> None:
    Gradebook(book).close()
    with sqlite3.connect(book) as db:
        db.execute("ALTER TABLE question_results DROP COLUMN sandbox")
        db.execute(
            "INSERT INTO submissions (id, name, content_hash, kit_version, source, problem, warnings, graded_at)"
            " VALUES (1, 'old', 'h', 'k', 'src', '', '', '2024-01-01T00:00:00+00:00')"
        )
        db.execute(
            "INSERT INTO question_results VALUES (1, 'q03', 'path_parameters', 'Path', 'basic', 'passed', 1.0, 1.0,"
            " 1, 1, 0, 0.5, '', '2024-01-01T00:00:00+00:00', 'f', 'k', '')"
        )
    with Gradebook(book) as gb:
        (question,) = gb.load(1).result.questions
        assert (question.id, question.status, question.sandbox) == ("q03", "passed", ())
        gb.record(1, score_question(Q02, _q02_run()), _q02_run(), "f2", "k")
        assert gb.load(1).result.questions[0].sandbox == ("seccomp", "env")
    with Gradebook(book) as gb:  # migrated once: opening it again changes nothing
        assert [q.sandbox for q in gb.load(1).result.questions] == [("seccomp", "env"), ()]
    columns = [row[1] for row in _rows(book, "PRAGMA table_info(question_results)")]
    assert columns[-1] == "sandbox" and columns.count("sandbox") == 1


def test_a_gradebook_from_before_times_had_sources_and_settings_gains_the_columns(book: Path) -> None:
    """The two later steps of the migration: the source of a submission's time, and what an assignment
    remembers beyond its due date. Old rows read back with those empty; a second opening changes nothing."""
    with Gradebook(book, assignment="w1") as gb:
        gb.submission_id("ann", "h", "k", "src", submitted_at="2026-12-01T10:00:00+00:00", time_source="manifest")
        gb.set_deadline("2026-12-02T00:00:00+00:00", "zero")
    with sqlite3.connect(book) as db:
        db.execute("ALTER TABLE submissions DROP COLUMN time_source")
        for column in ("questions", "points", "roster", "lms_column", "times", "origin"):
            db.execute(f"ALTER TABLE assignments DROP COLUMN {column}")
    for _ in range(2):
        with Gradebook(book, assignment="w1") as gb:
            (ann,) = gb.latest()
            assert (ann.name, ann.submitted_at, ann.time_source) == ("ann", "2026-12-01T10:00:00+00:00", "")
            assert gb.deadline() == ("2026-12-02T00:00:00+00:00", "zero")
            assert gb.settings().questions == () and gb.settings().origin == ""
    assert [row[1] for row in _rows(book, "PRAGMA table_info(submissions)")].count("time_source") == 1
    assert [row[1] for row in _rows(book, "PRAGMA table_info(assignments)")][-6:] == [
        "questions",
        "points",
        "roster",
        "lms_column",
        "times",
        "origin",
    ]


def test_a_submission_given_no_time_source_stores_none(book: Path) -> None:
    with Gradebook(book) as gb:
        gb.submission_id("ann", "h", "k", "src")
        assert gb.latest()[0].time_source == ""
    assert _rows(book, "SELECT time_source FROM submissions") == [("",)]


def test_text_that_is_not_utf8_in_a_gradebook_is_read_and_shown_escaped(book: Path) -> None:
    with Gradebook(book) as gb:
        gb.submission_id("ann", "h", "k", "src")
    with sqlite3.connect(book) as db:
        db.execute("UPDATE submissions SET name = CAST(x'616ee9ff' AS TEXT)")
    with Gradebook(book) as gb:
        assert gb.latest()[0].name == "an\\xe9\\xff"


def test_a_full_disk_in_a_gradebook_write_names_the_gradebook(book: Path) -> None:
    with Gradebook(book) as gb:
        gb.submission_id("ann", "h", "k", "src")
        real = gb._db
        gb._db = RefusingConnection(real, "INSERT")  # type: ignore[assignment]
        with pytest.raises(OSError) as full:
            gb.submission_id("bob", "h", "k", "src")
        gb._db = real
    assert full.value.strerror == f"the disk is full: the gradebook {book} could not be written"


# ---------------------------------------------------------------------------------------------- the batch


def test_a_question_not_graded_says_why() -> None:
    rejected = Submission("erin", Path("erin"), Path("erin"), rejected=(("q02_basic_app.py", "is a link"),))
    assert rejected_run(Q02, rejected) == RawRun("q02", "import_error", (), (), "not graded: is a link", 0.0)
    misnamed = Submission("carol", Path("c"), Path("c"), misnamed=(("q03_path_parameters.py", "q03.py"),))
    assert rejected_run(Q03, misnamed) == RawRun(
        "q03",
        "missing",
        (),
        (),
        "a file named q03.py was found instead: rename it to q03_path_parameters.py,"
        " or grade it as it is with --map q03=q03.py",
        0.0,
    )
    assert rejected_run(Q02, misnamed) is None
    assert rejected_run(Q03, rejected) is None


def test_the_untouched_stub_is_not_attempted_whatever_its_line_endings(tmp_path: Path) -> None:
    stub = (exercises_dir() / Q03.filename).read_bytes()
    submission = Submission("sam", tmp_path, tmp_path)
    not_attempted = RawRun("q03", "not_attempted", (), (), "the file is the untouched stub", 0.0)
    for same in (stub, stub.replace(b"\n", b"\r\n")):
        (tmp_path / Q03.filename).write_bytes(same)
        assert is_untouched_stub(Q03, tmp_path / Q03.filename)
        assert rejected_run(Q03, submission) == not_attempted
    for attempted in (stub + b"\n", stub.replace(b"\n", b"\r"), stub[:-1], b""):
        (tmp_path / Q03.filename).write_bytes(attempted)
        assert not is_untouched_stub(Q03, tmp_path / Q03.filename)
        assert rejected_run(Q03, submission) is None
    assert rejected_run(Q02, submission) is None, "no file: graded, as missing"
    assert not is_untouched_stub(Q02, tmp_path / Q02.filename)
    (tmp_path / "folder").mkdir()
    assert not is_untouched_stub(Q03, tmp_path / "folder")
    no_stub = Question("q99", "no_stub", "No stub", "basic", 1.0, ("h",))
    (tmp_path / no_stub.filename).write_bytes(b"")
    assert not is_untouched_stub(no_stub, tmp_path / no_stub.filename), "a question without a stub has none"
    unusable = Submission("sam", tmp_path, None, problem="broken")
    assert rejected_run(Q03, unusable) is None


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def classroom(tmp_path: Path) -> list[Submission]:
    """alice: both solved, submitted with fastlings (a manifest); bob: q02 a wrong attempt, no q03;
    carol: bob's q02 byte for byte, and q03 as q03.py; dave: a corrupt zip;
    erin: q02 a symlink (not taken in), q03 the untouched stub re-saved with CRLF endings."""
    room = tmp_path / "class"
    for name in ("alice", "bob", "carol", "erin"):
        (room / name).mkdir(parents=True)
    shutil.copyfile(solutions_dir() / Q02.filename, room / "alice" / Q02.filename)
    shutil.copyfile(solutions_dir() / Q03.filename, room / "alice" / Q03.filename)
    manifest = {"candidate": "Alice", "created_at": "2026-11-30T08:00:00+00:00"}
    (room / "alice" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    attempt = (exercises_dir() / Q02.filename).read_bytes() + b"\n# tried, not solved\n"
    (room / "bob" / Q02.filename).write_bytes(attempt)
    (room / "carol" / Q02.filename).write_bytes(attempt)
    shutil.copyfile(solutions_dir() / Q03.filename, room / "carol" / "q03.py")
    (room / "dave.zip").write_bytes(b"PK\x03\x04 cut short")
    (room / "erin" / Q02.filename).symlink_to(solutions_dir() / Q02.filename)
    (room / "erin" / Q03.filename).write_bytes((exercises_dir() / Q03.filename).read_bytes().replace(b"\n", b"\r\n"))
    (room / "erin" / "README").write_text("erin's notes")
    (tmp_path / "scratch").mkdir()
    return resolve_submissions([room], tmp_path / "scratch")


def _statuses(book: Path) -> dict[str, dict[str, tuple[str, str]]]:
    with Gradebook(book) as gb:
        return {s.name: {q.id: (q.status, q.message) for q in s.result.questions} for s in gb.latest({"q02", "q03"})}


def test_a_class_is_planned_once_per_distinct_file(classroom: list[Submission], book: Path) -> None:
    alice, bob, _carol, dave, erin = classroom
    with Gradebook(book) as gb:
        plan = plan_batch(classroom, (Q02, Q03), gb)
        assert len(plan.submission_ids) == 5 and len(set(plan.submission_ids)) == 5
        ids = dict(zip(("alice", "bob", "carol", "dave", "erin"), plan.submission_ids, strict=True))
        solved2, solved3 = _sha(solutions_dir() / Q02.filename), _sha(solutions_dir() / Q03.filename)
        attempt2 = _sha(bob.folder / Q02.filename)
        assert plan.jobs == (
            GradingJob(f"q02:{solved2}", Q02, alice.folder),
            GradingJob(f"q03:{solved3}", Q03, alice.folder),
            GradingJob(f"q02:{attempt2}", Q02, bob.folder),
            GradingJob(f"q03:{MISSING_FILE}", Q03, bob.folder),
        )
        assert plan.followers == {
            f"q02:{solved2}": (ids["alice"],),
            f"q03:{solved3}": (ids["alice"],),
            f"q02:{attempt2}": (ids["bob"], ids["carol"]),
            f"q03:{MISSING_FILE}": (ids["bob"],),
        }
        assert plan.reused == 0
        stored = gb.load(ids["alice"])
        assert (stored.content_hash, stored.kit_version) == (content_hash(alice.folder), grading_key())
        assert stored.source == str(alice.source)
        assert (stored.submitted_at, stored.manifest) == ("2026-11-30T08:00:00+00:00", alice.manifest)
        assert alice.manifest == Manifest("Alice", "2026-11-30T08:00:00+00:00")
        assert STAMP.match(gb.load(ids["bob"]).submitted_at), "no manifest: the time of the files handed in"
        assert gb.load(ids["dave"]).problem == dave.problem != ""
        assert gb.load(ids["erin"]).warnings == erin.warnings != ()
    statuses = _statuses(book)
    assert set(statuses) == {"alice", "bob", "carol", "dave", "erin"}
    assert statuses["alice"] == statuses["bob"] == {}
    assert statuses["carol"] == {
        "q03": (
            "missing",
            "a file named q03.py was found instead: rename it to q03_path_parameters.py,"
            " or grade it as it is with --map q03=q03.py",
        )
    }
    assert statuses["dave"] == {"q02": ("error", dave.problem), "q03": ("error", dave.problem)}
    assert statuses["erin"]["q02"][0] == "error"
    assert statuses["erin"]["q02"][1].startswith("not graded: q02_basic_app.py is")
    assert "link" in statuses["erin"]["q02"][1]
    assert statuses["erin"]["q03"] == ("not_attempted", "the file is the untouched stub")


def _answer(job: GradingJob) -> RawRun:
    """What the runner would say: the solutions pass, the stub fails, a missing file is missing."""
    if job.key.endswith(MISSING_FILE):
        return RawRun(job.question.id, "missing", ("t1", "t2"), (), "", 0.0)
    solved = job.key.split(":", 1)[1] == _sha(solutions_dir() / job.question.filename)
    tests = (TestOutcome("t1", "passed"), TestOutcome("t2", "passed" if solved else "failed", "" if solved else "no"))
    return RawRun(job.question.id, "completed", ("t1", "t2"), tests, "", 1.0)


def test_a_batch_stores_each_result_for_every_holder_and_resumes_without_work(
    classroom: list[Submission], book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_run_jobs(jobs: tuple[GradingJob, ...], **options: Any) -> list[tuple[GradingJob, RawRun]]:
        calls.append({"jobs": jobs, **{k: v for k, v in options.items() if k != "on_result"}})
        for job in jobs:
            options["on_result"](job, _answer(job))
        return []

    monkeypatch.setattr(batch_module, "run_jobs", fake_run_jobs)
    progress: list[tuple[str, str]] = []
    with Gradebook(book) as gb:
        plan = plan_batch(classroom, (Q02, Q03), gb)
        results = execute_batch(
            plan,
            (Q02,),
            gb,
            timeout_s=7.5,
            workers=2,
            on_progress=lambda job, run: progress.append((job.key, run.outcome)),
            sandbox="off",
            protected=(Path("/kit"),),
        )
        assert calls == [
            {"jobs": plan.jobs, "timeout_s": 7.5, "workers": 2, "sandbox": "off", "protected": (Path("/kit"),)}
        ]
        assert progress == [(job.key, _answer(job).outcome) for job in plan.jobs]
        # Each planned submission, in order, narrowed to the questions asked for.
        assert [(s.name, [q.id for q in s.result.questions]) for s in results] == [
            (name, ["q02"]) for name in ("alice", "bob", "carol", "dave", "erin")
        ]
        stored = {s.name: {q.id: (q.status, q.points) for q in s.result.questions} for s in gb.latest()}
        assert stored == {
            "alice": {"q02": ("passed", 1.0), "q03": ("passed", 1.0)},
            "bob": {"q02": ("failed", 0.5), "q03": ("missing", 0.0)},
            "carol": {"q02": ("failed", 0.5), "q03": ("missing", 0.0)},
            "dave": {"q02": ("error", 0.0), "q03": ("error", 0.0)},
            "erin": {"q02": ("error", 0.0), "q03": ("not_attempted", 0.0)},
        }
        # The graded text is kept for every holder of the file; a missing file has none.
        alice_id, bob_id, carol_id = plan.submission_ids[:3]
        solved = {q.id: (solutions_dir() / q.filename).read_text(encoding="utf-8") for q in (Q02, Q03)}
        attempt = (plan.jobs[2].target_dir / Q02.filename).read_text(encoding="utf-8")
        assert gb.load(alice_id).sources == solved
        assert gb.load(bob_id).sources == gb.load(carol_id).sources == {"q02": attempt}
        attempt_hash = _sha(plan.jobs[2].target_dir / Q02.filename)
        assert gb.find_graded_file("q02", attempt_hash, grading_key()) == bob_id, "stored under the file's own hash"

        # A second run: nothing to grade, every stored result reused.
        again = plan_batch(classroom, (Q02, Q03), gb)
        assert (again.jobs, again.followers, again.reused) == ((), {}, 8)
        assert again.submission_ids == plan.submission_ids

        # Only some questions asked for: only those count as reused.
        assert plan_batch(classroom, (Q03,), gb).reused == 4

        # --regrade: every file graded again, nothing reused, nothing copied from an identical file.
        regraded = plan_batch(classroom, (Q02, Q03), gb, regrade=True)
        assert (regraded.jobs, regraded.reused) == (plan.jobs, 0)
        assert regraded.followers == plan.followers
        assert gb.graded_questions(bob_id) == set()


def test_a_new_student_with_known_files_is_served_from_the_gradebook(
    classroom: list[Submission], book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    defaults: list[tuple[Any, ...]] = []

    def fake_run_jobs(jobs: tuple[GradingJob, ...], **options: Any) -> list[Any]:
        defaults.append((options["timeout_s"], options["workers"], options["sandbox"], options["protected"]))
        return [options["on_result"](job, _answer(job)) for job in jobs]

    monkeypatch.setattr(batch_module, "run_jobs", fake_run_jobs)
    with Gradebook(book) as gb:
        execute_batch(plan_batch(classroom, (Q02, Q03), gb), (Q02, Q03), gb)
        assert defaults == [(batch_module.DEFAULT_TIMEOUT_S, None, "auto", ())]
        late = tmp_path / "late" / "frank"
        late.mkdir(parents=True)
        shutil.copyfile(solutions_dir() / Q02.filename, late / Q02.filename)
        (tmp_path / "scratch-late").mkdir()
        (frank,) = resolve_submissions([late], tmp_path / "scratch-late")
        plan = plan_batch([frank], (Q02, Q03), gb)
        assert (plan.jobs, plan.reused) == ((), 2)
        (stored,) = execute_batch(plan, (Q02, Q03), gb)
    assert stored.name == "frank"
    assert [(q.id, q.status, q.points) for q in stored.result.questions] == [
        ("q02", "passed", 1.0),
        ("q03", "missing", 0.0),
    ]


def test_an_unusable_submission_scores_every_question_as_an_error_with_its_reason(book: Path) -> None:
    broken = Submission("dave", Path("/class/dave.zip"), None, problem="dave.zip: not a zip or tar archive")
    with Gradebook(book) as gb:
        plan = plan_batch([broken], (Q02, Q03), gb)
        stored = gb.load(plan.submission_ids[0])
    assert (plan.jobs, plan.reused, stored.content_hash, stored.problem) == ((), 0, "", broken.problem)
    assert stored.result.questions == (
        QuestionResult(
            "q02", Q02.slug, Q02.title, "basic", "error", 0.0, 1.0, 0, 0, 0, 0.0, "dave.zip: not a zip or tar archive"
        ),
        QuestionResult(
            "q03", Q03.slug, Q03.title, "basic", "error", 0.0, 1.0, 0, 0, 0, 0.0, "dave.zip: not a zip or tar archive"
        ),
    )


def test_a_question_added_to_a_graded_class_is_planned_alone(classroom: list[Submission], book: Path) -> None:
    """q02 stored for everyone, then q02 and q03 asked for: only q03 is graded (a stored q02 skips itself only)."""
    with Gradebook(book) as gb:
        first = plan_batch(classroom, (Q02,), gb)
        for job in first.jobs:
            first_id, *others = first.followers[job.key]
            gb.record(first_id, score_question(job.question, _answer(job)), _answer(job), job.key[4:], grading_key())
            for sid in others:
                gb.copy_result("q02", first_id, sid)
        second = plan_batch(classroom, (Q02, Q03), gb)
    assert {job.question.id for job in second.jobs} == {"q03"}
    assert len(second.jobs) == 2  # alice's solution, bob's missing file; carol's q03.py refused, erin's stub not run
    assert second.reused == 4  # q02 of alice, bob, carol and erin


# ------------------------------------------------------------------------------------- what a file holds


def test_assignments_count_students_and_list_one_described_but_not_graded(book: Path) -> None:
    with Gradebook(book, assignment="wöche-3") as described, Gradebook(book, assignment="w1") as graded:
        assert described.assignments() == {}
        described.update_settings(questions=("q02",))
        graded.submission_id("ann", "h", "k", "a")
        graded.submission_id("ann", "h2", "k", "a")
        graded.submission_id("bob", "h", "k", "b")
        assert described.assignments() == {"w1": 2, "wöche-3": 0}
        described.submission_id("cleo", "h", "k", "c")
        assert described.assignments() == {"w1": 2, "wöche-3": 1}, "described and graded: its students"
        graded.update_settings(due="2026-12-01T00:00:00+00:00")
        assert graded.assignments() == {"w1": 2, "wöche-3": 1}, "a deadline alone describes nothing"


def test_the_questions_graded_in_an_assignment(book: Path) -> None:
    with Gradebook(book, assignment="w1") as w1, Gradebook(book, assignment="w2") as w2:
        ann, bob = w1.submission_id("ann", "h", "k", "a"), w1.submission_id("bob", "h", "k", "b")
        other = w2.submission_id("cleo", "h", "k", "c")
        assert w1.graded_question_ids() == set()
        w1.record(ann, score_question(Q02, _q02_run()), _q02_run(), "f2", "k")
        w1.record(bob, score_question(Q02, _q02_run()), _q02_run(), "f2", "k")
        w2.record(other, score_question(Q03, _q03_run()), _q03_run(), "f3", "k")
        assert w1.graded_question_ids() == {"q02"}
        assert w2.graded_question_ids() == {"q03"}


def test_whether_a_file_holds_an_assignment_is_read_without_changing_it(book: Path, tmp_path: Path) -> None:
    assert not Gradebook.holds(book, "w1"), "no file"
    assert not Gradebook.holds(tmp_path, "w1"), "a folder"
    with Gradebook(book, assignment="described") as described, Gradebook(book, assignment="graded") as graded:
        described.update_settings(questions=("q02", "q03"))
        graded.submission_id("ann", "h", "k", "a")
    with Gradebook(book, assignment="dated") as dated:
        dated.update_settings(due="2026-12-01T00:00:00+00:00")
    before = book.read_bytes()
    assert Gradebook.holds(book, "described")
    assert Gradebook.holds(book, "graded")
    assert not Gradebook.holds(book, "dated"), "a deadline alone is no assignment"
    assert not Gradebook.holds(book, "unknown")
    assert book.read_bytes() == before
    odd = tmp_path / "a folder with ? and # and %20" / "book.sqlite3"
    odd.parent.mkdir()
    shutil.copy(book, odd)
    assert Gradebook.holds(odd, "graded"), "a path is passed as a URI, escaped"
    text = tmp_path / "notes.sqlite3"
    text.write_text("not a database", encoding="utf-8")
    assert not Gradebook.holds(text, "graded")
    assert text.read_text(encoding="utf-8") == "not a database"
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (x)")
    assert not Gradebook.holds(other, "graded"), "another program's database"


def test_a_file_that_cannot_be_opened_holds_nothing(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Gradebook(book, assignment="graded") as graded:
        graded.submission_id("ann", "h", "k", "a")

    def refuse(*_args: object, **_kwargs: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite3, "connect", refuse)
    assert not Gradebook.holds(book, "graded")
