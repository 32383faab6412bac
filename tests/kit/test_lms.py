"""`--lms canvas|moodle --lms-csv FILE`: grade CSVs in the layouts Canvas and Moodle import, byte for byte.

The gradebook is filled through its own API (no grading), so every row and cell can be written out in full:
a fractional score, an integrity flag, a student whose archive was unusable and a student id that a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from grader.book.gradebook import Gradebook
from grader.book.results import QuestionResult, RawRun
from grader.cli import cli
from grader.kit import exercises_dir, solutions_dir
from grader.kit.catalogue import find_question
from grader.reports.lms import render_canvas_csv, render_moodle_csv

FORMULA = '=HYPERLINK("http://x")'
QUESTIONS = ("-q", "2", "-q", "10", "-q", "16")

CANVAS = (
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,FastAPI interview kit\r\n"
    "Points Possible,,,,,6\r\n"
    '"\'=HYPERLINK(""http://x"")",,,"\'=HYPERLINK(""http://x"")",,1\r\n'
    "alice,,,alice,,3.88\r\n"
    "bob,,,bob,,0\r\n"
)
MOODLE = (
    "\ufeffID number,FastAPI interview kit (Real),FastAPI interview kit (Feedback)\r\n"
    '"\'=HYPERLINK(""http://x"")",1,"1/6 points (16.7%), 1 of 3 questions passed"\r\n'
    'alice,3.88,"3.88/6 points (64.7%), 1 of 3 questions passed; '
    'integrity flags (a person reads the code; scores unchanged): q16"\r\n'
    'bob,0,"0/6 points (0%), 0 of 3 questions passed; not graded: bob.zip is not a zip or tar archive"\r\n'
)


def _record(book: Gradebook, sid: int, qid: str, status: str, passed: int, flags: tuple[str, ...] = ()) -> None:
    """Store one question's result as a batch would, its points computed as the kit's scoring does."""
    q = find_question(qid)
    total = {"q02": 8, "q10": 13, "q16": 15}[qid]
    points = round(q.points * passed / total, 2) if status in ("passed", "failed") else 0.0
    result = QuestionResult(
        q.id,
        q.slug,
        q.title,
        q.level,
        status,
        points,
        q.points,
        passed,
        total,
        0,
        0.5,
        flags=flags,  # type: ignore[arg-type]
    )
    outcome = "completed" if status in ("passed", "failed") else "missing"
    run = RawRun(q.id, outcome, (), (), "", 0.5, flags)  # type: ignore[arg-type]
    book.record(sid, result, run, f"hash-{sid}-{qid}", "test-key")


@pytest.fixture
def gradebook(tmp_path: Path) -> Path:
    path = tmp_path / "class.sqlite3"
    with Gradebook(path) as book:
        alice = book.submission_id("alice", "a", "test-key", "class/alice")
        _record(book, alice, "q02", "passed", 8)
        _record(book, alice, "q10", "failed", 7)
        _record(book, alice, "q16", "failed", 9, flags=("imports gc (line 3)",))
        bob = book.submission_id("bob", "", "test-key", "class/bob.zip", problem="bob.zip is not a zip or tar archive")
        for qid in ("q02", "q10", "q16"):
            _record(book, bob, qid, "error", 0)
        mallory = book.submission_id(FORMULA, "m", "test-key", "class/x")
        _record(book, mallory, "q02", "passed", 8)
        _record(book, mallory, "q10", "missing", 0)
        _record(book, mallory, "q16", "missing", 0)
    return path


def report(gradebook: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["report", "--gradebook", str(gradebook), *QUESTIONS, *args])


@pytest.mark.parametrize(("lms", "expected"), [("canvas", CANVAS), ("moodle", MOODLE)])
def test_grade_report_writes_the_lms_import_layout(lms: str, expected: str, gradebook: Path, tmp_path: Path) -> None:
    out = tmp_path / f"{lms}.csv"
    result = report(gradebook, "--lms", lms, "--lms-csv", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == expected.encode("utf-8")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf"), "a BOM, for Excel"


def test_the_renderers_take_the_gradebook_s_submissions(gradebook: Path) -> None:
    with Gradebook(gradebook) as book:
        stored = book.latest({"q02", "q10", "q16"})
    assert render_canvas_csv(stored) == CANVAS
    assert render_moodle_csv(stored) == MOODLE
    assert render_canvas_csv([]) == "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,FastAPI interview kit\r\n" + (
        "Points Possible,,,,,0\r\n"
    )


def test_lms_options_go_together_and_never_overwrite_the_user_s_file(gradebook: Path, tmp_path: Path) -> None:
    alone = report(gradebook, "--lms", "canvas")
    assert alone.exit_code == 2
    assert alone.output == "Error: --lms and --lms-csv go together: e.g. --lms canvas --lms-csv grades-canvas.csv\n"
    alone = report(gradebook, "--lms-csv", str(tmp_path / "x.csv"))
    assert alone.exit_code == 2 and "--lms and --lms-csv go together" in alone.output
    assert not (tmp_path / "x.csv").exists()
    bad = report(gradebook, "--lms", "blackboard", "--lms-csv", str(tmp_path / "x.csv"))
    assert bad.exit_code == 2 and "'blackboard' is not one of 'canvas', 'moodle'" in bad.output
    theirs = tmp_path / "grades.csv"
    theirs.write_text("Student,ID,Midterm\nalice,1,20\n")
    refused = report(gradebook, "--lms", "canvas", "--lms-csv", str(theirs))
    assert refused.exit_code == 2
    assert refused.output == f"Error: {theirs} exists and was not written by grade: choose a new file\n"
    assert theirs.read_text() == "Student,ID,Midterm\nalice,1,20\n"
    assert "Traceback" not in refused.output
    ours = tmp_path / "lms.csv"
    assert report(gradebook, "--lms", "canvas", "--lms-csv", str(ours)).exit_code == 0
    replaced = report(gradebook, "--lms", "moodle", "--lms-csv", str(ours))
    assert replaced.exit_code == 0, replaced.output
    assert ours.read_bytes() == MOODLE.encode()
    assert not list(tmp_path.glob(".*.partial"))


@pytest.mark.slow
def test_grade_run_writes_the_csv_for_a_class(tmp_path: Path) -> None:
    for student, source in (("ann", solutions_dir()), ("ben", exercises_dir())):
        (tmp_path / "class" / student).mkdir(parents=True)
        shutil.copyfile(source / "q02_basic_app.py", tmp_path / "class" / student / "q02_basic_app.py")
    out = tmp_path / "canvas.csv"
    args = ["run", str(tmp_path / "class"), "-q", "2", "--gradebook", str(tmp_path / "g.sqlite3")]
    result = CliRunner().invoke(cli, [*args, "--lms", "canvas", "--lms-csv", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == (
        "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,FastAPI interview kit\n"
        "Points Possible,,,,,1\n"
        "ann,,,ann,,1\n"
        "ben,,,ben,,0\n"
    )
