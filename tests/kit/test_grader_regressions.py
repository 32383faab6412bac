"""One end-to-end test per grader bug that once got through the kit's own suite (issue 14's list).

Each asserts on real output of real runs (a full CSV row, the full JSON key set, the gradebook's rows before
and after a resume), so that the bug, put back, fails here.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.exports import gradescope_results
from grader.kit import exercises_dir, solutions_dir

pytestmark = pytest.mark.slow
Q02, Q03 = "q02_basic_app.py", "q03_path_parameters.py"
QUESTION_KEYS = {
    "id",
    "slug",
    "title",
    "level",
    "status",
    "reason",
    "points",
    "max_points",
    "tests_passed",
    "tests_total",
    "tests_skipped",
    "duration_s",
    "message",
    "failures",
    "flags",
    "sandbox",
    "passed",
}


def grade(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """alice: both right; bob: q02 untouched, q03 missing; eve: both right, q02 flagged for `import gc`."""
    room = tmp_path_factory.mktemp("class")
    for name in ("alice", "bob", "eve"):
        (room / name).mkdir()
    for name in ("alice", "eve"):
        shutil.copyfile(solutions_dir() / Q02, room / name / Q02)
        shutil.copyfile(solutions_dir() / Q03, room / name / Q03)
    shutil.copyfile(exercises_dir() / Q02, room / "bob" / Q02)
    with (room / "eve" / Q02).open("a") as handle:
        handle.write("\nimport gc  # a look around\n")
    return room


@pytest.fixture(scope="module")
def graded(classroom: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    paths = {"book": out / "book.sqlite3", "csv": out / "grades.csv", "junit": out / "grades.xml"}
    code, _, err = grade(
        str(classroom), "-q", "2", "-q", "3", "--gradebook", str(paths["book"]),
        "--csv", str(paths["csv"]), "--junit", str(paths["junit"]),
    )  # fmt: skip
    assert code == 0, err
    return paths


def test_the_csv_rows_are_exact(graded: dict[str, Path]) -> None:
    rows = list(csv.reader(graded["csv"].read_text().splitlines()))
    assert rows[0] == [
        "student", "q02", "q03", "score", "max_score", "percent", "q02_status", "q03_status", "reasons", "notes",
        "submitted_at", "penalty_percent", "final_score", "final_percent", "time_source",
    ]  # fmt: skip
    by_student = {row[0]: row for row in rows[1:]}
    assert by_student["alice"][:10] == ["alice", "1", "1", "2", "2", "100.0", "passed", "passed", "", ""]
    assert by_student["bob"][:10] == [
        "bob", "0", "0", "0", "2", "0.0", "not_attempted", "missing",
        "q02 not attempted: the file is the untouched stub; q03 missing: there is no q03_path_parameters.py", "",
    ]  # fmt: skip
    assert by_student["eve"][:9] == ["eve", "1", "1", "2", "2", "100.0", "passed", "passed", ""]
    assert by_student["eve"][9].startswith("integrity flags: q02")
    for row in rows[1:]:
        assert row[10], "every row has the submission's time"
        assert row[11:] == ["0", row[3], row[5], "file"], "no due date: no penalty, the final score is the score"


def test_junit_counts_a_missing_question_as_a_failure(graded: dict[str, Path]) -> None:
    suites = {s.get("name"): s for s in ET.parse(graded["junit"]).getroot().findall("testsuite")}
    assert (suites["bob"].get("tests"), suites["bob"].get("failures"), suites["bob"].get("errors")) == ("2", "2", "0")
    assert (suites["alice"].get("failures"), suites["alice"].get("errors")) == ("0", "0")


def test_fail_under_fails_when_any_student_is_below(classroom: Path, graded: dict[str, Path]) -> None:
    book = str(graded["book"])
    code, _, err = grade(str(classroom), "-q", "2", "-q", "3", "--gradebook", book, "--fail-under", "50")
    assert code == 1 and "below --fail-under" in err
    only_good = [str(classroom / "alice"), str(classroom / "eve")]
    assert grade(*only_good, "-q", "2", "-q", "3", "--gradebook", book, "--fail-under", "50")[0] == 0


def test_the_json_has_every_documented_key_and_the_gradescope_export_reads_them(classroom: Path) -> None:
    code, out, _ = grade(str(classroom / "alice"), "-q", "2", "-q", "3", "--json")
    assert code == 0
    report = json.loads(out)
    (alice,) = report["submissions"]
    for question in alice["questions"]:
        assert set(question) == QUESTION_KEYS
    alice["questions"][0]["tests_skipped"] = 2  # as a machine without redis-server reports q30
    results = gradescope_results(report)
    assert "(2 skipped)" in results["tests"][0]["output"]
    assert results["score"] == alice["score"] == 2


def _rows(book: Path) -> tuple[list[tuple], list[tuple]]:
    with sqlite3.connect(book) as db:
        questions = db.execute(
            "SELECT submission_id, question_id, status, points, duration_s, graded_at, flags FROM question_results"
            " ORDER BY 1, 2"
        ).fetchall()
        tests = db.execute("SELECT * FROM test_results ORDER BY 1, 2, 3").fetchall()
    return questions, tests


def test_a_rerun_reuses_everything_and_changes_nothing(classroom: Path, graded: dict[str, Path]) -> None:
    before = _rows(graded["book"])
    assert before[1], "per-test results are stored"
    code, _, err = grade(str(classroom), "-q", "2", "-q", "3", "--gradebook", str(graded["book"]))
    assert code == 0
    assert "6 question results reused" in err, err
    assert _rows(graded["book"]) == before, "a resume must leave stored results, tests and times as they were"


def test_integrity_flags_are_stored_and_reported(graded: dict[str, Path]) -> None:
    code, out, _ = grade("report", "--gradebook", str(graded["book"]), "--json")
    assert code == 0
    students = {s["name"]: s for s in json.loads(out)["submissions"]}
    eve_q02 = next(q for q in students["eve"]["questions"] if q["id"] == "q02")
    assert any("gc" in flag for flag in eve_q02["flags"])
    assert all(not q["flags"] for q in students["alice"]["questions"])


def test_the_report_shows_each_students_newest_submission(classroom: Path, tmp_path: Path) -> None:
    room = tmp_path / "class"
    shutil.copytree(classroom, room)
    book = str(tmp_path / "book.sqlite3")
    assert grade(str(room), "-q", "2", "-q", "3", "--gradebook", book)[0] == 0
    shutil.copyfile(exercises_dir() / Q03, room / "alice" / Q03)  # alice hands in again, with q03 undone
    assert grade(str(room), "-q", "2", "-q", "3", "--gradebook", book)[0] == 0
    code, out, _ = grade("report", "--gradebook", book, "--json")
    assert code == 0
    alice = next(s for s in json.loads(out)["submissions"] if s["name"] == "alice")
    assert alice["percent"] == 50.0, "the report must show alice's newest submission, not her first"
