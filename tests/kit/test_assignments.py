"""Assignments, rosters and due dates: several assignments in one gradebook, the absent listed, late work priced."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.book import schema
from grader.book.assignments import NO_SUBMISSION, RosterError, apply_roster, read_roster
from grader.book.diskfull import DiskFull
from grader.book.gradebook import Gradebook
from grader.book.lateness import LatePolicyError, assess, parse_due, parse_policy
from grader.cli import cli
from grader.kit import solutions_dir
from grader.kit.catalogue import select_questions
from tests.kit.full_disk import RefusingConnection

Q02 = "q02_basic_app.py"
LONG_AGO = 1_600_000_000  # 2020-09-13: a file time well before any due date the tests set


def grade(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------------------------------- lateness


def test_a_due_date_alone_means_the_end_of_that_day_and_keeps_its_zone() -> None:
    assert parse_due("2026-12-01T12:00+01:00") == "2026-12-01T12:00:00+01:00"
    day = datetime.fromisoformat(parse_due("2026-12-01"))
    assert (day.hour, day.minute, day.second, day.tzinfo is not None) == (23, 59, 59, True)
    with pytest.raises(LatePolicyError, match="not a date"):
        parse_due("next friday")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("", "none"), ("None", "none"), ("zero", "zero"), ("10%/day", "10%/day"), ("2.5 %/hour", "2.5%/hour")],
)
def test_late_policies_are_read_in_one_spelling(text: str, canonical: str) -> None:
    assert parse_policy(text) == canonical


@pytest.mark.parametrize("text", ["10%", "10/day", "-5%/day", "half"])
def test_an_unknown_late_policy_is_refused(text: str) -> None:
    with pytest.raises(LatePolicyError):
        parse_policy(text)


def test_lateness_counts_started_days_and_caps_at_everything() -> None:
    due = "2026-12-01T00:00:00+00:00"
    assert assess("2026-11-30T23:00:00+00:00", due, "10%/day").penalty_percent == 0  # on time
    late = assess("2026-12-02T01:00:00+00:00", due, "10%/day")  # 25 hours: two started days
    assert (late.late_by_s, late.penalty_percent, late.apply(50)) == (90000, 20, 40)
    assert late.describe() == "late by 1 d 1 h, -20%"
    assert assess("2027-03-01T00:00:00+00:00", due, "10%/day").penalty_percent == 100
    assert assess("2026-12-01T00:00:01+00:00", due, "zero").apply(67) == 0
    assert assess("2026-12-05T00:00:00+00:00", due, "none").penalty_percent == 0
    assert assess("", due, "zero") is None and assess("2026-12-05", "", "zero") is None
    assert assess("not a time", due, "zero") is None, "a forged manifest time is ignored, not a crash"


# --------------------------------------------------------------------------------------------- roster


def test_a_roster_needs_an_id_column_and_accepts_a_bom_and_other_names(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffLogin,Name,Email\nann,Ann A,ann@x.org\nbob,,\nann,dup,\n", encoding="utf-8")
    assert [(e.id, e.name, e.email) for e in read_roster(roster)] == [("ann", "Ann A", "ann@x.org"), ("bob", "", "")]
    roster.write_text("name,email\nAnn,ann@x.org\n")
    with pytest.raises(RosterError, match="no id column"):
        read_roster(roster)


# ------------------------------------------------------------------------------------------ end to end


@pytest.fixture
def classroom(tmp_path: Path) -> Path:
    """ann and bob handed in q02's solution long ago (by their files' time)."""
    room = tmp_path / "class"
    for name in ("ann", "bob"):
        (room / name).mkdir(parents=True)
        shutil.copy(solutions_dir() / Q02, room / name / Q02)
        os.utime(room / name / Q02, (LONG_AGO, LONG_AGO))
    return room


@pytest.mark.slow
def test_late_work_is_priced_in_every_report_and_the_due_date_is_remembered(classroom: Path, tmp_path: Path) -> None:
    book, report_csv = str(tmp_path / "book.sqlite3"), tmp_path / "g.csv"
    os.utime(classroom / "bob" / Q02, (LONG_AGO + 3 * 86400, LONG_AGO + 3 * 86400))  # bob: three days later
    due = datetime.fromtimestamp(LONG_AGO + 3600, UTC).isoformat()
    code, out, err = grade(
        str(classroom), "-q", "2", "--gradebook", book, "--assignment", "week1", "--due", due,
        "--late-policy", "10%/day", "--json", "--csv", str(report_csv),
    )  # fmt: skip
    assert code == 0, err
    students = {s["name"]: s for s in json.loads(out)["submissions"]}
    assert (students["ann"]["final_percent"], students["ann"]["late"]["late_by_s"]) == (100.0, 0)
    assert students["bob"]["late"]["penalty_percent"] == 30  # 2 d 23 h: three started days
    assert (students["bob"]["percent"], students["bob"]["final_score"], students["bob"]["final_percent"]) == (
        100.0,
        0.7,
        70.0,
    )
    rows = {row["student"]: row for row in csv.DictReader(io.StringIO(report_csv.read_text()))}
    assert (rows["bob"]["penalty_percent"], rows["bob"]["final_percent"]) == ("30", "70.0")
    assert "late by 2 d 23 h, -30%" in rows["bob"]["notes"]
    # The report, without --due, applies the remembered due date and policy.
    code, out, _ = grade("report", "--gradebook", book, "--assignment", "week1")
    assert code == 0 and "70%" in out and "late by 2 d 23 h, -30%" in out


@pytest.mark.slow
def test_assignments_are_separate_and_a_student_can_be_removed(classroom: Path, tmp_path: Path) -> None:
    book = str(tmp_path / "book.sqlite3")
    assert grade(str(classroom), "-q", "2", "--gradebook", book, "--assignment", "week1")[0] == 0
    assert grade(str(classroom / "ann"), "-q", "2", "--gradebook", book, "--assignment", "week2")[0] == 0
    week2 = json.loads(grade("report", "--gradebook", book, "--assignment", "week2", "--json")[1])
    assert [s["name"] for s in week2["submissions"]] == ["ann"]
    code, _, err = grade("report", "--gradebook", book, "--assignment", "week9")
    assert code == 2 and "week1 (2 students), week2 (1 student)" in err
    code, out, _ = grade("remove", "ann", "--gradebook", book, "--assignment", "week1", "--yes")
    assert code == 0 and "removed 1 submission of 1 student" in out
    week1 = json.loads(grade("report", "--gradebook", book, "--assignment", "week1", "--json")[1])
    assert [s["name"] for s in week1["submissions"]] == ["bob"]
    week2 = json.loads(grade("report", "--gradebook", book, "--assignment", "week2", "--json")[1])
    assert [s["name"] for s in week2["submissions"]] == ["ann"], "another assignment is untouched"
    assert grade("remove", "zoe", "--gradebook", book, "--assignment", "week1", "--yes")[0] == 2


@pytest.mark.slow
def test_a_roster_lists_who_sent_nothing_and_flags_strangers(classroom: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nann,Ann\ncleo,Cleo\n")
    code, out, err = grade(
        str(classroom), "-q", "2", "--gradebook", str(tmp_path / "b"), "--roster", str(roster), "--json"
    )
    assert code == 0, err
    students = {s["name"]: s for s in json.loads(out)["submissions"]}
    assert sorted(students) == ["ann", "bob", "cleo"]
    assert students["cleo"]["problem"] == NO_SUBMISSION
    assert [q["status"] for q in students["cleo"]["questions"]] == ["missing"]
    assert any("not on the roster" in w for w in students["bob"]["warnings"])
    assert not students["ann"]["warnings"]


def test_apply_roster_without_a_roster_changes_nothing() -> None:
    assert apply_roster([], None, select_questions(("q02",))) == []


# A gradebook as the kit wrote it before assignments existed.
_BEFORE_ASSIGNMENTS = """
CREATE TABLE submissions (id INTEGER PRIMARY KEY, name TEXT NOT NULL, content_hash TEXT NOT NULL,
  kit_version TEXT NOT NULL, source TEXT NOT NULL, problem TEXT NOT NULL DEFAULT '',
  warnings TEXT NOT NULL DEFAULT '', graded_at TEXT NOT NULL, UNIQUE (name, content_hash, kit_version));
CREATE TABLE question_results (submission_id INTEGER NOT NULL REFERENCES submissions(id)
  ON DELETE CASCADE, question_id TEXT NOT NULL, slug TEXT NOT NULL, title TEXT NOT NULL,
  level TEXT NOT NULL, status TEXT NOT NULL, points REAL NOT NULL, max_points REAL NOT NULL,
  tests_passed INTEGER NOT NULL, tests_total INTEGER NOT NULL, tests_skipped INTEGER NOT NULL,
  duration_s REAL NOT NULL, message TEXT NOT NULL, graded_at TEXT NOT NULL, file_hash TEXT NOT NULL,
  kit_version TEXT NOT NULL, flags TEXT NOT NULL, PRIMARY KEY (submission_id, question_id));
CREATE TABLE test_results (submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  question_id TEXT NOT NULL, test TEXT NOT NULL, outcome TEXT NOT NULL, message TEXT NOT NULL,
  PRIMARY KEY (submission_id, question_id, test));
INSERT INTO submissions VALUES (7, 'ann', 'h', 'k', '/x/ann', '', '', '2025-01-01T00:00:00+00:00');
INSERT INTO question_results VALUES (7, 'q02', 'basic_app', 'A basic application', 'basic', 'passed',
  1, 1, 8, 8, 0, 0.5, '', '2025-01-01T00:00:00+00:00', 'f', 'k', '');
INSERT INTO test_results VALUES (7, 'q02', 'test_root', 'passed', '');
"""


def test_an_older_gradebook_gains_assignments_without_losing_results(tmp_path: Path) -> None:
    """A gradebook written before assignments existed: its rows join the default assignment, results intact."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(_BEFORE_ASSIGNMENTS)
    with Gradebook(path) as book:
        (ann,) = book.latest()
        assert (ann.id, ann.name, ann.result.score, ann.result.questions[0].status) == (7, "ann", 1.0, "passed")
        assert book.assignments() == {"default": 1}
        assert book.remove("ann") == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM question_results").fetchone() == (0,), "results go with it"


def test_a_full_disk_while_an_older_gradebook_gains_assignments_leaves_it_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "öld book.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(_BEFORE_ASSIGNMENTS)
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        schema.sqlite3,
        "connect",
        lambda *a, **k: RefusingConnection(real_connect(*a, **k), "INSERT INTO submissions_v2"),
    )
    with pytest.raises(DiskFull) as full:
        Gradebook(path)
    assert full.value.strerror == f"the disk is full: the gradebook {path} could not be written"
    monkeypatch.undo()
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(submissions)")]
        assert "assignment" not in columns and "submissions_v2" not in {
            row[0] for row in db.execute("SELECT name FROM sqlite_master")
        }, "rolled back whole"
        assert db.execute("SELECT count(*) FROM question_results").fetchone() == (1,)
    with Gradebook(path) as book:
        assert [(s.id, s.name) for s in book.latest()] == [(7, "ann")], "once there is room, it migrates"
