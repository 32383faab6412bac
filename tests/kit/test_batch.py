"""Grading a class: folders, archives and broken entries in one batch, a gradebook that loses nothing."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.kit import exercises_dir, kit_root, solutions_dir

pytestmark = pytest.mark.slow
Q02 = "q02_basic_app.py"


@pytest.fixture
def classroom(tmp_path: Path) -> Path:
    """alice: correct folder; bob: untouched stub; carol: correct zip; dave: a corrupt zip."""
    room = tmp_path / "class"
    for name, source in (("alice", solutions_dir()), ("bob", exercises_dir())):
        (room / name).mkdir(parents=True)
        (room / name / Q02).write_bytes((source / Q02).read_bytes())
    with zipfile.ZipFile(room / "carol.zip", "w") as handle:
        handle.writestr(f"carol/exercises/{Q02}", (solutions_dir() / Q02).read_bytes())
    (room / "dave.zip").write_bytes(b"PK\x03\x04 truncated")
    return room


def grade(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_a_class_folder_is_graded_one_row_per_student(classroom: Path, tmp_path: Path) -> None:
    book = tmp_path / "book.sqlite3"
    code, out, _ = grade(str(classroom), "-q", "2", "--gradebook", str(book), "--json")
    assert code == 0, out
    report = {s["name"]: s for s in json.loads(out)["submissions"]}
    assert sorted(report) == ["alice", "bob", "carol", "dave"]
    assert (report["alice"]["percent"], report["bob"]["percent"], report["carol"]["percent"]) == (100.0, 0.0, 100.0)
    assert report["dave"]["problem"].startswith("dave.zip")
    assert report["dave"]["questions"][0]["status"] == "error", "an unusable submission scores 0, not nothing"
    assert report["dave"]["max_score"] == report["alice"]["max_score"]


def test_csv_and_junit_reports(classroom: Path, tmp_path: Path) -> None:
    csv_path, junit_path = tmp_path / "grades.csv", tmp_path / "grades.xml"
    args = ["-q", "2", "--gradebook", str(tmp_path / "b.sqlite3"), "--csv", str(csv_path), "--junit", str(junit_path)]
    code, out, _ = grade(str(classroom), *args)
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert [r["student"] for r in rows] == ["alice", "bob", "carol", "dave"]
    assert rows[0]["q02"] == "1" and rows[1]["q02"] == "0" and rows[0]["percent"] == "100.0"
    suites = ET.parse(junit_path).getroot().findall("testsuite")
    assert {s.get("name"): s.get("failures") for s in suites}["bob"] == "1"
    assert {s.get("name"): s.get("errors") for s in suites}["dave"] != "0"
    assert "alice" in out and "4 submissions" in out


def test_unchanged_submissions_are_not_graded_twice(classroom: Path, tmp_path: Path) -> None:
    book = str(tmp_path / "book.sqlite3")
    grade(str(classroom), "-q", "2", "--gradebook", book)
    _, _, err = grade(str(classroom), "-q", "2", "--gradebook", book)
    assert "3 question results reused" in err
    (classroom / "bob" / Q02).write_bytes((solutions_dir() / Q02).read_bytes())
    code, out, err = grade(str(classroom), "-q", "2", "--gradebook", book, "--json")
    assert code == 0
    assert "reused" not in err, "--json prints nothing but the JSON object"
    bob = next(s for s in json.loads(out)["submissions"] if s["name"] == "bob")
    assert bob["percent"] == 100.0, "a changed submission is graded again"
    _, _, err = grade(str(classroom), "-q", "2", "--gradebook", book, "--regrade")
    assert "reused" not in err


def _stored_results(book: Path) -> list[tuple[str, str]]:
    if not book.exists():
        return []
    try:
        with sqlite3.connect(book, timeout=10) as db:
            return db.execute(
                "SELECT s.name, r.question_id FROM question_results r JOIN submissions s ON s.id = r.submission_id"
            ).fetchall()
    except sqlite3.OperationalError:  # the schema is not there yet
        return []


def test_a_batch_killed_with_sigkill_resumes_without_loss_or_double_counting(tmp_path: Path) -> None:
    room = tmp_path / "class"
    slow_solution = "import time\ntime.sleep(0.6)\n" + (solutions_dir() / Q02).read_text()
    students = [f"s{i:02d}" for i in range(8)]
    for name in students:
        (room / name).mkdir(parents=True)
        (room / name / Q02).write_text(f"# {name}\n{slow_solution}")  # distinct files: no sharing of results
    book = tmp_path / "book.sqlite3"
    command = [sys.executable, "-m", "grader", str(room), "-q", "2", "--gradebook", str(book), "-j", "2", "--json"]
    process = subprocess.Popen(
        command, cwd=kit_root(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while len(_stored_results(book)) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    before = _stored_results(book)
    assert 2 <= len(before) < len(students), f"the kill should land mid-batch, stored {len(before)}"

    resumed = subprocess.run(command, cwd=kit_root(), capture_output=True, text=True, timeout=120, check=False)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert sorted(s["name"] for s in report["submissions"]) == students
    assert all(s["percent"] == 100.0 for s in report["submissions"])
    after = _stored_results(book)
    assert len(after) == len(set(after)) == len(students), "each result is stored exactly once"
    assert set(before) <= set(after)


def test_identical_files_are_graded_once_and_share_the_result(classroom: Path, tmp_path: Path) -> None:
    from grader.book.gradebook import Gradebook
    from grader.book.submissions import resolve_submissions
    from grader.judge.batch import plan_batch
    from grader.kit.catalogue import select_questions

    (classroom / "erin").mkdir()
    (classroom / "erin" / Q02).write_bytes((solutions_dir() / Q02).read_bytes())  # same bytes as alice's
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    submissions = resolve_submissions([classroom], scratch)
    with Gradebook(tmp_path / "book.sqlite3") as book:
        plan = plan_batch(submissions, select_questions(("q02",)), book)
    # alice, carol and erin hold the solution's bytes: one job for the three. bob's untouched stub is not
    # attempted (recorded without running anything); dave's archive is unusable.
    assert len(plan.jobs) == 1
    assert sorted(len(group) for group in plan.followers.values()) == [3]
    code, out, _ = grade(str(classroom), "-q", "2", "--gradebook", str(tmp_path / "b2.sqlite3"), "--json")
    assert code == 0
    report = {s["name"]: s for s in json.loads(out)["submissions"]}
    alice_q02, erin_q02 = report["alice"]["questions"][0], report["erin"]["questions"][0]
    assert erin_q02["tests_passed"] == alice_q02["tests_passed"] == alice_q02["tests_total"] > 0
    assert report["bob"]["questions"][0]["status"] == "not_attempted"


def test_html_report_never_overwrites_a_foreign_folder_and_replaces_its_own(classroom: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "index.html").write_text("my own page")
    code, _, err = grade(str(classroom), "-q", "2", "--gradebook", str(tmp_path / "b.sqlite3"), "--html", str(foreign))
    assert code == 2 and "holds other files" in err
    assert (foreign / "index.html").read_text() == "my own page"
    report = tmp_path / "report"
    assert grade(str(classroom), "-q", "2", "--gradebook", str(tmp_path / "b.sqlite3"), "--html", str(report))[0] == 0
    assert (report / "students" / "bob.html").is_file()
    shutil.rmtree(classroom / "bob")
    assert grade(str(classroom), "-q", "2", "--gradebook", str(tmp_path / "c.sqlite3"), "--html", str(report))[0] == 0
    assert not (report / "students" / "bob.html").exists(), "a student no longer in the class has no stale page"


def test_a_batch_in_a_terminal_shows_a_progress_bar(classroom: Path, tmp_path: Path) -> None:
    import pexpect

    script = Path(sys.executable).with_name("grade")
    args = [str(classroom), "-q", "2", "--gradebook", str(tmp_path / "b.sqlite3")]
    child = pexpect.spawn(str(script), args, cwd=str(tmp_path), encoding="utf-8", timeout=60)
    try:
        child.expect("grading 4 submissions")
        child.expect("100%")
        child.expect("4 submissions; mean")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_reports_and_gradebook_never_write_over_the_users_files(classroom: Path, tmp_path: Path) -> None:
    mine = tmp_path / "grades.csv"
    mine.write_text("my spreadsheet\n")
    code, _, err = grade(str(classroom), "-q", "2", "--gradebook", str(tmp_path / "b.sqlite3"), "--csv", str(mine))
    assert code == 2 and "was not written by grade" in err
    assert mine.read_text() == "my spreadsheet\n"
    ours = tmp_path / "ours.csv"
    for _ in range(2):  # a report grade wrote may be replaced by the next run
        assert grade(str(classroom), "-q", "2", "--gradebook", str(tmp_path / "b.sqlite3"), "--csv", str(ours))[0] == 0
    other_db = tmp_path / "app.sqlite3"
    with sqlite3.connect(other_db) as db:
        db.execute("CREATE TABLE customers (id INTEGER)")
    code, _, err = grade(str(classroom), "-q", "2", "--gradebook", str(other_db))
    assert code == 2 and "database of something else" in err
    with sqlite3.connect(other_db) as db:
        assert {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} == {"customers"}
    text_file = tmp_path / "notes.sqlite3"
    text_file.write_text("not a database at all, just text that is long enough to be read as a header\n" * 5)
    code, _, err = grade(str(classroom), "-q", "2", "--gradebook", str(text_file))
    assert code == 2 and "is not a gradebook" in err


def test_report_renders_a_gradebook_without_grading(classroom: Path, tmp_path: Path) -> None:
    book = str(tmp_path / "book.sqlite3")
    assert grade(str(classroom), "-q", "2", "--gradebook", book)[0] == 0
    shutil.rmtree(classroom)  # the report reads the gradebook only
    csv_path = tmp_path / "grades.csv"
    code, out, _ = grade("report", "--gradebook", book, "-q", "2", "--csv", str(csv_path), "--json")
    assert code == 0
    report = {s["name"]: s["percent"] for s in json.loads(out)["submissions"]}
    assert report == {"alice": 100.0, "bob": 0.0, "carol": 100.0, "dave": 0.0}
    assert csv_path.read_text().startswith("student,q02,")
    code, _, err = grade("report", "--gradebook", str(tmp_path / "none.sqlite3"))
    assert code == 2 and "does not exist" in err
