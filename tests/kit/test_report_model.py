"""One submission or many: one grading path, one JSON shape (checked against its schema), reports that say why."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sqlite3
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.kit import exercises_dir, solutions_dir
from grader.kit.catalogue import load_catalogue

pytestmark = pytest.mark.slow
Q02, Q03 = "q02_basic_app.py", "q03_path_parameters.py"


def grade(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(resources.files("grader.reports").joinpath("report.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def candidate(tmp_path: Path) -> Path:
    """q02 solved, q03 the untouched stub."""
    folder = tmp_path / "ada"
    folder.mkdir()
    shutil.copy(solutions_dir() / Q02, folder / Q02)
    shutil.copy(exercises_dir() / Q03, folder / Q03)
    return folder


def test_one_submission_writes_every_report_a_class_gets(candidate: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = grade(
        str(candidate), "-q", "2", "-q", "3", "--csv", str(out / "g.csv"), "--junit", str(out / "g.xml"),
        "--html", str(out / "html"),
    )  # fmt: skip
    assert code == 0, err
    rows = (out / "g.csv").read_text().splitlines()
    assert rows[1].startswith("ada,1,0,1,2,50.0,passed,not_attempted,"), rows
    suites = ET.parse(out / "g.xml").getroot().findall("testsuite")
    assert [(s.get("name"), s.get("tests"), s.get("failures")) for s in suites] == [("ada", "2", "1")]
    assert "ada" in (out / "html" / "index.html").read_text()


def test_the_json_schema_describes_real_output_for_one_and_for_many(
    candidate: Path, tmp_path: Path, schema: dict
) -> None:
    code, one, err = grade(str(candidate), "-q", "2", "-q", "3", "--json")
    assert code == 0, err
    jsonschema.validate(json.loads(one), schema)
    other = tmp_path / "bob"
    shutil.copytree(candidate, other)
    (other / Q02).unlink()
    code, many, err = grade(
        str(candidate), str(other), "-q", "2", "-q", "3", "--json", "--gradebook", str(tmp_path / "b")
    )
    assert code == 0, err
    report = json.loads(many)
    jsonschema.validate(report, schema)
    assert [s["name"] for s in report["submissions"]] == ["ada", "bob"]
    assert json.loads(one)["submissions"][0].keys() == report["submissions"][0].keys(), "one shape for one or many"


def test_the_schema_is_strict_enough_to_catch_a_renamed_key(candidate: Path, schema: dict) -> None:
    report = json.loads(grade(str(candidate), "-q", "2", "--json")[1])
    question = report["submissions"][0]["questions"][0]
    question["skipped"] = question.pop("tests_skipped")
    with pytest.raises(jsonschema.ValidationError, match="tests_skipped"):
        jsonschema.validate(report, schema)


def test_the_untouched_stub_is_not_attempted_and_its_reason_is_short(candidate: Path) -> None:
    report = json.loads(grade(str(candidate), "-q", "3", "--json")[1])
    (q03,) = report["submissions"][0]["questions"]
    assert (q03["status"], q03["points"], q03["failures"], q03["duration_s"]) == ("not_attempted", 0, [], 0)
    assert q03["reason"] == "not attempted: the file is the untouched stub"


def test_windows_line_endings_do_not_make_a_stub_attempted(candidate: Path) -> None:
    (candidate / Q03).write_bytes((exercises_dir() / Q03).read_bytes().replace(b"\n", b"\r\n"))
    report = json.loads(grade(str(candidate), "-q", "3", "--json")[1])
    assert report["submissions"][0]["questions"][0]["status"] == "not_attempted"


def test_points_are_recomputed_from_stored_outcomes_under_todays_catalogue(
    candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = tmp_path / "book.sqlite3"
    (candidate / Q03).write_text((solutions_dir() / Q03).read_text() + "\nBROKEN = True\n")
    assert grade(str(candidate), "-q", "2", "-q", "3", "--gradebook", str(book))[0] == 0
    with sqlite3.connect(book) as db:
        graded = db.execute("SELECT count(*) FROM test_results").fetchone()[0]
    # The teacher makes q02 worth 4 points and q03 worth 6: no grading happens, every report follows.
    catalogue = {q.id: q for q in load_catalogue()}
    catalogue["q02"] = dataclasses.replace(catalogue["q02"], points=4.0)
    catalogue["q03"] = dataclasses.replace(catalogue["q03"], points=6.0)
    monkeypatch.setattr("grader.book.settings.load_catalogue", lambda: tuple(catalogue.values()))
    code, out, _ = grade("report", "--gradebook", str(book), "--json")
    assert code == 0
    (ada,) = json.loads(out)["submissions"]
    points = {q["id"]: (q["points"], q["max_points"]) for q in ada["questions"]}
    assert points == {"q02": (4.0, 4.0), "q03": (6.0, 6.0)}
    assert (ada["score"], ada["max_score"]) == (10.0, 10.0)
    with sqlite3.connect(book) as db:
        assert db.execute("SELECT count(*) FROM test_results").fetchone()[0] == graded, "nothing was graded again"


def test_partial_credit_is_recomputed_in_proportion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.book.results import QuestionResult
    from grader.book.scoring import rescore

    question = dataclasses.replace(load_catalogue()[1], points=3.0)
    stored = QuestionResult("q02", "basic_app", "old", "basic", "failed", 0.75, 1.0, 3, 8, 0, 1.0)
    assert (rescore(question, stored).points, rescore(question, stored).max_points) == (1.12, 3.0)
    skipped = dataclasses.replace(stored, tests_skipped=4)
    assert rescore(question, skipped).points == 2.25, "skipped tests count neither way"
    for status in ("error", "missing", "not_attempted"):
        assert rescore(question, dataclasses.replace(stored, status=status)).points == 0.0


def test_map_grades_a_misnamed_file_and_the_near_miss_says_how(candidate: Path) -> None:
    (candidate / Q02).rename(candidate / "q02.py")
    report = json.loads(grade(str(candidate), "-q", "2", "--json")[1])
    (q02,) = report["submissions"][0]["questions"]
    assert q02["status"] == "missing"
    assert q02["reason"] == (
        "missing: a file named q02.py was found instead: rename it to q02_basic_app.py, "
        "or grade it as it is with --map q02=q02.py"
    )
    report = json.loads(grade(str(candidate), "-q", "2", "--map", "q02=q02.py", "--json")[1])
    (ada,) = report["submissions"]
    assert ada["questions"][0]["status"] == "passed"
    assert ada["warnings"] == ["q02_basic_app.py graded from q02.py (--map)"]


@pytest.mark.parametrize("entry", ["q02", "q99=x.py", "q02=../x.py", "q02=/etc/passwd"])
def test_a_bad_map_is_a_usage_error(candidate: Path, entry: str) -> None:
    code, _, err = grade(str(candidate), "--map", entry)
    assert code == 2 and "--map" in err and "Traceback" not in err


def test_a_map_through_a_linked_folder_is_refused(candidate: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(solutions_dir() / Q02, outside / "secret.py")
    (candidate / "link").symlink_to(outside)
    (candidate / Q02).unlink()
    report = json.loads(grade(str(candidate), "-q", "2", "--map", "q02=link/secret.py", "--json")[1])
    (ada,) = report["submissions"]
    assert ada["questions"][0]["status"] == "error"
    assert "outside the submission" in ada["questions"][0]["reason"]


def test_the_class_table_shows_a_status_grid_a_legend_and_per_student_detail(candidate: Path, tmp_path: Path) -> None:
    other = tmp_path / "bob"
    other.mkdir()
    (other / Q03).write_text("def broken(:\n")
    code, out, _ = grade(str(candidate), str(other), "-q", "2", "-q", "3", "--gradebook", str(tmp_path / "b"), "-v")
    assert code == 0
    assert re.search(r"^ada\s+1/2\s+50%\s+1/2\s+✓·", out, re.M), out
    assert re.search(r"^bob\s+0/2\s+0%\s+0/2\s+-!$", out, re.M), out  # a syntax error: an error, no flag
    assert "✓ passed  ✗ failed  ! error" in out and "· not attempted" in out
    assert "== bob ==" in out and "-> SyntaxError" in out, "-v shows each student's questions and failures"


def test_junit_carries_warnings_and_integrity_flags(candidate: Path, tmp_path: Path) -> None:
    (candidate / Q02).write_text((solutions_dir() / Q02).read_text() + "\nimport gc\n")
    junit = tmp_path / "g.xml"
    assert grade(str(candidate), "-q", "2", "--junit", str(junit))[0] == 0
    properties = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert "gc" in properties["integrity.q02"]


def test_map_grades_a_submission_whose_only_file_is_misnamed(tmp_path: Path) -> None:
    """A folder holding only q02.py is not an exercise folder, unless --map names that file."""
    folder = tmp_path / "zed"
    folder.mkdir()
    shutil.copy(solutions_dir() / Q02, folder / "q02.py")
    code, _, err = grade(str(folder), "-q", "2")
    assert code == 2 and "q02.py looks like q02_basic_app.py" in err
    code, out, err = grade(str(folder), "-q", "2", "--map", "q02=q02.py", "--json")
    assert code == 0, err
    assert json.loads(out)["submissions"][0]["questions"][0]["status"] == "passed"
    room = tmp_path / "class"
    shutil.copytree(folder, room / "zed")
    code, out, err = grade(str(room), "-q", "2", "--map", "q02=q02.py", "--json", "--gradebook", str(tmp_path / "b"))
    assert code == 0, err
    (zed,) = json.loads(out)["submissions"]
    assert (zed["problem"], zed["questions"][0]["status"]) == ("", "passed"), "a class member too"
