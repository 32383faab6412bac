"""`grade export`: a Gradescope autograder that really runs, and GitHub Classroom files in the platforms' formats.

The Gradescope zip is checked the way Gradescope uses it: extracted into a folder laid out like /autograder,
its run_autograder run with bash on a student's files, and the results.json it writes read back. The GitHub
Classroom workflow is checked the way Classroom's reporter reads it: the runners and environment of its
reporter step, the results the grading step writes to $GITHUB_OUTPUT, and the total the reporter sends
Classroom (the sum of every result's test scores, added as JavaScript adds), compared with `grade --json`.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from grader.candidate.workspace import write_submission
from grader.cli import cli
from grader.exports import VISIBILITIES, classroom_results, collect_submission, gradescope_results, main
from grader.exports.classroom import GRADE_STEP_ID, REPORTER, settle_total
from grader.kit import exercises_dir, kit_root, solutions_dir
from grader.kit.catalogue import find_question, load_catalogue

Q02 = "q02_basic_app.py"
GRADESCOPE_VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
REPORTER_TEST_KEYS = {"name", "status", "score", "message", "test_code", "filename", "line_no", "duration"}


def export(*args: str) -> Result:
    return CliRunner().invoke(cli, ["export", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def gradescope_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    result = export("gradescope", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("classroom") / "template"
    result = export("github-classroom", str(out), "--fail-under", "60")
    assert result.exit_code == 0, result.output
    return out


# ---------------------------------------------------------------------------------------------- Gradescope


def test_the_zip_has_executable_scripts_at_its_root(gradescope_zip: Path) -> None:
    with zipfile.ZipFile(gradescope_zip) as archive:
        for name in ("setup.sh", "run_autograder"):
            mode = archive.getinfo(name).external_attr >> 16
            assert stat.S_ISREG(mode) and mode & 0o111 == 0o111, f"{name} is not executable: {oct(mode)}"
            text = archive.read(name).decode()
            assert text.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in text
            checked = subprocess.run(["bash", "-n"], input=text, text=True, capture_output=True, check=False)
            assert checked.returncode == 0, f"{name}: {checked.stderr}"
        setup = archive.read("setup.sh").decode()
    assert "apt-get install" in setup and 'KIT="$ROOT/source/kit"' in setup
    assert '"$VENV/bin/python" -m pip install -e "$KIT" -c "$KIT/constraints.txt"\n' in setup


def _pins(text: str) -> dict[str, str]:
    """{normalised name: version} of a pip constraints file's exact pins."""
    pins = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return pins


def test_the_zip_pins_every_library_to_the_versions_the_kit_was_tested_with(gradescope_zip: Path) -> None:
    with zipfile.ZipFile(gradescope_zip) as archive:
        shipped = archive.read("kit/constraints.txt")
    assert shipped == (kit_root() / "constraints.txt").read_bytes()
    pins = _pins(shipped.decode())
    project = tomllib.loads((kit_root() / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name = re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]).lower()
        assert re.fullmatch(r"\d+(\.\w+)+", pins.get(name, "")), f"{name} has no exact pin in constraints.txt"


def test_the_visibility_chosen_at_export_reaches_run_autograder(tmp_path: Path) -> None:
    out = tmp_path / "hidden.zip"
    result = export("gradescope", str(out), "--visibility", "hidden")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        script = archive.read("run_autograder").decode()
    assert '\nVISIBILITY="hidden"\n' in script and '--visibility "$VISIBILITY"' in script
    result = export("gradescope", str(tmp_path / "bad.zip"), "--visibility", "later")
    assert result.exit_code == 2 and "'later' is not one of" in result.output
    assert not (tmp_path / "bad.zip").exists()
    help_text = export("gradescope", "--help").output
    assert all(v in help_text for v in VISIBILITIES) and "[default: after_due_date]" in help_text


def test_the_zip_holds_the_kit_needed_to_grade_and_no_solution(gradescope_zip: Path) -> None:
    with zipfile.ZipFile(gradescope_zip) as archive:
        names = set(archive.namelist())
    # Gradescope extracts the zip into /autograder/source, so kit/ lands at /autograder/source/kit.
    assert {"kit/pyproject.toml", "kit/README.md", "kit/constraints.txt", "kit/grader/cli/__init__.py"} <= names
    assert {"kit/grader/exports/__init__.py", "kit/grader/exports/gradescope.py"} <= names
    for q in load_catalogue():
        assert f"kit/tests/hidden/{q.test_filename}" in names
        assert f"kit/exercises/{q.filename}" in names
    assert not any("solutions/" in n or "__pycache__" in n or n.endswith(".pyc") for n in names)
    assert not any(n.startswith(("kit/checks/", "kit/bench/", "kit/tests/kit/")) for n in names)


def _report(*questions: dict[str, Any]) -> dict[str, Any]:
    """One submission as `grade --json` printed it before schema_version 1 (questions at the top)."""
    score = round(sum(q["points"] for q in questions), 2)
    max_score = round(sum(q["max_points"] for q in questions), 2)
    percent = round(100 * score / max_score, 1) if max_score else 0
    return {
        "target": "x",
        "score": score,
        "max_score": max_score,
        "percent": percent,
        "duration_s": 1.4,
        "questions": list(questions),
    }


def _class_shape(report: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The same submission as `grade --json` prints it from schema_version 1 on (a class of one)."""
    return {"schema_version": 1, "kit_version": "x", "submissions": [{**report, "warnings": warnings}]}


def _question(qid: str, status: str, points: float, max_points: float, failures: int = 0) -> dict[str, Any]:
    q = find_question(qid)
    return {
        "id": q.id,
        "slug": q.slug,
        "title": q.title,
        "level": q.level,
        "status": status,
        "passed": status == "passed",
        "points": points,
        "max_points": max_points,
        "tests_passed": 6 - failures,
        "tests_total": 6,
        "tests_skipped": 0,
        "duration_s": 0.2,
        "message": "the module does not import" if status == "error" else "",
        "failures": [{"test": f"test_{i}", "message": "AssertionError: " + "x" * 2000} for i in range(failures)],
    }


def test_gradescope_results_has_the_documented_keys_and_types() -> None:
    report = _report(
        _question("q02", "passed", 1, 1),
        _question("q03", "failed", 0.5, 1, failures=5),
        _question("q16", "error", 0, 3),
    )
    results = gradescope_results(report, visibility="visible")
    assert isinstance(results["score"], float) and results["score"] == 1.5
    assert results["output"] == "1.5/5 points: 1 of 3 questions passed."
    assert results["visibility"] in GRADESCOPE_VISIBILITIES and results["stdout_visibility"] in GRADESCOPE_VISIBILITIES
    tests = results["tests"]
    assert [t["name"] for t in tests] == [
        f"q02 · {find_question('q02').title}",
        f"q03 · {find_question('q03').title}",
        f"q16 · {find_question('q16').title}",
    ]
    assert [t["status"] for t in tests] == ["passed", "failed", "failed"]
    assert [(t["score"], t["max_score"]) for t in tests] == [(1.0, 1.0), (0.5, 1.0), (0.0, 3.0)]
    assert results["score"] == sum(t["score"] for t in tests)
    for test in tests:
        assert {"name", "score", "max_score", "status", "output"} <= set(test)
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert isinstance(test["output"], str) and isinstance(test["number"], str)
        assert test["visibility"] == "visible"
    assert tests[0]["output"] == "passed: 6/6 tests passed"
    failed = tests[1]["output"]
    assert failed.startswith("failed: 1/6 tests passed") and "... and 2 more failing tests" in failed
    assert len(failed) < 2000, "failure messages are truncated"
    assert "does not import" in tests[2]["output"]
    json.dumps(results)  # serialisable as it is


def test_by_default_no_hidden_test_name_is_shown_before_the_due_date() -> None:
    question = _question("q03", "failed", 0.5, 1, failures=1)
    question["failures"] = [{"test": "test_secret_edge_case", "message": "AssertionError: 404 != 200"}]
    results = gradescope_results(_report(question))
    assert results == {
        "score": 0.5,
        "execution_time": 1,
        "output": "Graded 1 question: each question's result (points and failing tests) is shown here after the"
        " due date.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": f"q03 · {find_question('q03').title}",
                "number": "3",
                "score": 0.5,
                "max_score": 1.0,
                "status": "failed",
                "output": "failed: 5/6 tests passed\n- test_secret_edge_case: AssertionError: 404 != 200",
                "visibility": "after_due_date",
            }
        ],
    }
    for visibility in VISIBILITIES:
        shown = gradescope_results(_report(question), visibility=visibility)
        assert {t["visibility"] for t in shown["tests"]} == {visibility}
        assert shown["visibility"] == "visible" and "test_secret_edge_case" not in shown["output"]
    with pytest.raises(ValueError, match="visibility must be one of"):
        gradescope_results(_report(question), visibility="soon")


def test_integrity_flags_and_changed_files_reach_the_question_and_the_top_output() -> None:
    flagged = {**_question("q05", "passed", 1, 1), "flags": ["imports gc (line 3)"]}
    report = _report(_question("q02", "passed", 1, 1), flagged)
    changed = "files changed after submit: q05_automatic_docs.py"
    old = gradescope_results(report, "visible", warnings=[f"warning: {changed}"])
    new = gradescope_results(_class_shape(report, [changed]), "visible")
    both = gradescope_results(_class_shape(report, [changed]), "visible", [f"warning: {changed}"])
    assert old == new == both, "either JSON shape, and a warning given twice is shown once"
    assert old["output"] == (
        "2/2 points: 2 of 2 questions passed.\n"
        "Integrity flags (a person will read this code; flags never change a score):\n"
        "- q05: imports gc (line 3)\n"
        f"warning: {changed}"
    )
    assert old["tests"][1]["output"] == (
        "passed: 6/6 tests passed\n"
        "integrity flag (a person will read this code; the score is unchanged): imports gc (line 3)"
    )
    assert old["score"] == 2.0


def test_the_results_step_reads_either_json_shape(tmp_path: Path) -> None:
    report = _report(_question("q02", "passed", 1, 1), _question("q03", "failed", 0.5, 1, failures=1))
    outputs = []
    for shape in (report, _class_shape(report, [])):
        path = tmp_path / "grade.json"
        path.write_text(json.dumps(shape))
        out = tmp_path / f"results-{len(outputs)}.json"
        assert main(["gradescope-results", str(path), str(out), "--visibility", "after_published"]) == 0
        outputs.append(json.loads(out.read_text()))
    assert outputs[0] == outputs[1] == gradescope_results(report, "after_published")
    assert outputs[0]["score"] == 1.5


def test_the_results_step_writes_a_failure_when_there_is_no_report(tmp_path: Path) -> None:
    errors = tmp_path / "errors.txt"
    errors.write_text("error: no exercise file found\n")
    out = tmp_path / "results" / "results.json"
    assert main(["gradescope-results", str(tmp_path / "missing.json"), str(out), str(errors)]) == 0
    results = json.loads(out.read_text())
    assert results["score"] == 0.0 and results["tests"] == []
    assert "no exercise file found" in results["output"]


def test_the_results_step_passes_grading_warnings_on(tmp_path: Path) -> None:
    report, errors, out = tmp_path / "grade.json", tmp_path / "errors.txt", tmp_path / "results.json"
    report.write_text(json.dumps(_report(_question("q02", "passed", 1, 1))))
    errors.write_text("collected 1 exercise files\nwarning: files changed after submit: q02_basic_app.py\n")
    assert main(["gradescope-results", str(report), str(out), str(errors)]) == 0
    results = json.loads(out.read_text())
    assert results["score"] == 1.0
    assert results["output"].splitlines()[1:] == ["warning: files changed after submit: q02_basic_app.py"]


def test_collect_finds_files_at_any_depth_and_ignores_the_rest(tmp_path: Path) -> None:
    nested = tmp_path / "submission" / "repo" / "src" / "exercises"
    nested.mkdir(parents=True)
    shutil.copyfile(solutions_dir() / Q02, nested / Q02)
    (nested / "notes.py").write_text("x = 1\n")
    assert collect_submission(tmp_path / "submission", tmp_path / "out") == [Q02]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [Q02]


def test_collect_refuses_a_submission_without_exercise_files(tmp_path: Path) -> None:
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "essay.txt").write_text("no code")
    assert main(["gradescope-collect", str(tmp_path / "submission"), str(tmp_path / "out")]) == 1
    assert main(["gradescope-nothing"]) == 2
    assert main(["gradescope-results", "only-one-path"]) == 2


def _fastlings_submission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real `fastlings submit` zip (exercises/q02_basic_app.py + manifest.json) of a correct q02."""
    workspace = tmp_path / "candidate"
    (workspace / "exercises").mkdir(parents=True)
    shutil.copyfile(solutions_dir() / Q02, workspace / "exercises" / Q02)
    with monkeypatch.context() as patch:
        patch.setenv("FASTAPI_KIT_ROOT", str(workspace))
        archive = write_submission(load_catalogue(), tmp_path / "submission-2025.zip")
    with zipfile.ZipFile(archive) as handle:
        assert sorted(handle.namelist()) == [f"exercises/{Q02}", "manifest.json"]
    return archive


def _gradescope_root(gradescope_zip: Path, tmp_path: Path) -> Path:
    """A folder laid out like Gradescope's /autograder, the autograder zip extracted into source/."""
    root = tmp_path / "autograder"
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    with zipfile.ZipFile(gradescope_zip) as archive:
        archive.extractall(root / "source")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["nested_folder", "fastlings_zip"])
def test_run_autograder_grades_a_submission_for_real(
    layout: str, gradescope_zip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _gradescope_root(gradescope_zip, tmp_path)
    if layout == "nested_folder":
        folder = root / "submission" / "my-work" / "exercises"
        folder.mkdir(parents=True)
        shutil.copyfile(solutions_dir() / Q02, folder / Q02)
    else:
        shutil.copyfile(_fastlings_submission(tmp_path, monkeypatch), root / "submission" / "submission.zip")
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "GRADER_PYTHON": sys.executable,  # this venv instead of the one setup.sh would have made
        "GRADE_ARGS": "-q 2",
    }
    env.pop("FASTAPI_KIT_ROOT", None)
    run = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert [t["name"] for t in results["tests"]] == [f"q02 · {find_question('q02').title}"]
    (q02,) = results["tests"]
    assert q02["score"] == q02["max_score"] == 1.0
    assert q02["status"] == "passed" and re.match(r"passed: (\d+)/\1 tests passed", q02["output"])
    assert q02["visibility"] == "after_due_date" and results["visibility"] == "visible"
    assert results["score"] == 1.0


# ------------------------------------------------------------------------------------------ GitHub Classroom


def _load_yaml(path: Path) -> Any:
    """Parse YAML with PyYAML, a dev dependency: this test never skips for want of a parser."""
    import yaml  # type: ignore[import-untyped]

    return yaml.safe_load(path.read_text())


def _reporter_step(workflow: dict[str, Any]) -> dict[str, Any]:
    (job,) = workflow["jobs"].values()
    (step,) = [s for s in job["steps"] if s.get("uses") == REPORTER]
    return step


def test_the_workflow_grades_once_and_hands_one_runner_per_question_to_the_reporter(classroom: Path) -> None:
    path = classroom / ".github" / "workflows" / "classroom.yml"
    text = path.read_text()
    assert "KIT_SOURCE:" in text and "# TEACHER:" in text
    workflow = _load_yaml(path)
    assert "push" in workflow["on"]
    assert "KIT_SOURCE" in workflow["env"]
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest" and job["if"] == "github.actor != 'github-classroom[bot]'"
    steps = job["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert uses[0] == "actions/checkout@v4"
    setup_python = next(s for s in steps if s.get("uses") == "actions/setup-python@v5")
    assert str(setup_python["with"]["python-version"]) == "3.11"
    runs = "\n".join(s.get("run", "") for s in steps)
    assert 'python -m pip install -e "$kit" -c "$kit/constraints.txt"' in runs
    assert runs.count("grade exercises") == 1, "every push is graded once"
    (grading,) = [s for s in steps if s.get("id") == GRADE_STEP_ID]
    assert grading["run"].splitlines() == [
        "set +e",
        "# Exit 1 below a threshold or 2 on unusable input: the next command reports either to Classroom.",
        "grade exercises --json > grade.json 2> grade-errors.txt",
        "cat grade-errors.txt >&2",
        'python -m grader.exports classroom-results grade.json "$GITHUB_OUTPUT" \\',
        "  --fail-under 60 --errors grade-errors.txt",
    ]
    assert not any(u.startswith(("education/autograding", "classroom-resources/autograding-command")) for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "grade.json" and "!cancelled()" in upload["if"], "uploaded below the threshold too"
    reporter = _reporter_step(workflow)
    questions = load_catalogue()
    assert reporter["with"]["runners"] == ",".join(q.id for q in questions)
    assert reporter["env"] == {
        f"{q.id.upper()}_RESULTS": f"${{{{ steps.{GRADE_STEP_ID}.outputs.{q.id} }}}}" for q in questions
    }
    assert re.fullmatch(r"([a-zA-Z0-9]+,)*[a-zA-Z0-9]+", reporter["with"]["runners"]), "the reporter's own check"
    assert not (classroom / ".github" / "classroom").exists(), "no autograding.json: nothing grades a second time"
    readme = (classroom / "README.md").read_text()
    assert "KIT_SOURCE" in readme and "67 in all, over 30 questions" in readme and "below 60%" in readme


def _question_with(qid: str, passed: int, total: int, skipped: int = 0, status: str | None = None) -> dict[str, Any]:
    """A question as grade --json reports it, its points computed as the kit's scoring does."""
    q = find_question(qid)
    countable = total - skipped
    failed = countable - passed
    return {
        **_question(qid, status or ("passed" if failed == 0 else "failed"), 0, q.points),
        "points": round(q.points * passed / countable, 2) if countable else 0.0,
        "tests_passed": passed,
        "tests_total": total,
        "tests_skipped": skipped,
        "failures": [{"test": f"test_case_{i}", "message": f"AssertionError: case {i}\nmore"} for i in range(failed)],
    }


def _reporter_total(results: dict[str, dict[str, Any]]) -> tuple[float, float]:
    """What the reporter hands Classroom: the scores of every runner with a max_score, added one by one."""
    total, maximum = 0.0, 0.0
    for result in results.values():
        if not result["max_score"]:
            continue
        maximum += result["max_score"]
        for test in result["tests"]:
            total += test["score"]
    return total, maximum


def test_each_question_gets_one_entry_per_counted_test_carrying_grade_s_points() -> None:
    q29 = _question_with("q29", passed=7, total=13)
    untouched = {**_question("q03", "not_attempted", 0, 1), "tests_total": 9}
    untouched["reason"] = "not attempted: the file is the untouched stub"
    broken = {**_question("q05", "error", 0, 1), "message": "SyntaxError: invalid syntax (line 8)\n  x ="}
    report = _report(_question_with("q02", 8, 8), q29, untouched, broken)
    results = classroom_results(report, fail_under=60)
    title = find_question("q29").title
    passed = [
        {
            "name": f"q29 · {title}: hidden test passed ({i} of 7)",
            "status": "pass",
            "score": 1.62 if i == 1 else 0.0,
            "message": "",
            "test_code": "",
            "filename": "",
            "line_no": 0,
            "duration": 0,
        }
        for i in range(1, 8)
    ]
    failed = [
        {
            "name": f"q29 · {title}: test_case_{i}: AssertionError: case {i}",
            "status": "fail",
            "score": 0.0,
            "message": f"AssertionError: case {i}\nmore",
            "test_code": "grade exercises -q q29 -v" if i == 0 else "",
            "filename": "",
            "line_no": 0,
            "duration": 0,
        }
        for i in range(6)
    ]
    assert results["q29"] == {"version": 1, "status": "fail", "max_score": 3, "tests": passed + failed}
    assert results["q02"]["status"] == "pass" and [t["status"] for t in results["q02"]["tests"]] == ["pass"] * 8
    assert [t["name"] for t in results["q03"]["tests"]] == [
        f"q03 · {find_question('q03').title}: not attempted: the file is the untouched stub"
    ]
    assert [t["name"] for t in results["q05"]["tests"]] == [
        f"q05 · {find_question('q05').title}: error: SyntaxError: invalid syntax (line 8)"
    ]
    assert set(results) == {q.id for q in load_catalogue()}
    assert results["q30"]["tests"][0]["name"] == f"q30 · {find_question('q30').title}: not graded (not in the report)"
    assert all(set(t) == REPORTER_TEST_KEYS for r in results.values() for t in r["tests"])
    assert _reporter_total(results) == (2.62, 67.0)
    assert report["score"] == 2.62
    reached = classroom_results(report, fail_under=3)
    assert reached["q29"]["status"] == "pass", "a submission over --fail-under turns nothing red"
    assert classroom_results(_class_shape(report, []), fail_under=60) == results, "either JSON shape"


def test_the_reporter_s_float_sum_lands_exactly_on_grade_s_total() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in JavaScript as in Python: without settling, Classroom would get that.
    tenth = _question_with("q01", passed=1, total=10)
    fifth = {**_question_with("q02", passed=2, total=10), "points": 0.2}
    report = _report(tenth, fifth)
    assert tenth["points"] == 0.1 and report["score"] == 0.3 and 0.1 + 0.2 != 0.3
    results = classroom_results(report)
    assert _reporter_total(results)[0] == 0.3
    assert results["q02"]["tests"][0]["score"] == pytest.approx(0.2, abs=1e-15)
    many = _report(*(_question_with(q.id, passed=1, total=3) for q in load_catalogue()))
    assert _reporter_total(classroom_results(many))[0] == many["score"]
    unsettled = {"q": {"max_score": 1, "tests": [{"score": 0.1}, {"score": 0.2}, {"score": 0.0}]}}
    settle_total(unsettled, 0.3)
    assert _reporter_total(unsettled)[0] == 0.3 and unsettled["q"]["tests"][2]["score"] == 0.0


def test_a_total_that_is_not_the_sum_of_its_questions_is_kept_with_an_adjustment() -> None:
    report = {**_report(_question_with("q02", 8, 8), _question_with("q16", 15, 15)), "score": 3.2}
    results = classroom_results(report)
    assert _reporter_total(results)[0] == 3.2
    assert results["q30"]["tests"][-1]["name"] == "adjustment to grade's total (-0.8 points)"


def _outputs(text: str) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in text.splitlines()]
    assert all(len(pair) == 2 for pair in pairs)
    return dict(pairs)  # type: ignore[arg-type]


def test_no_report_still_gives_classroom_a_result_for_every_question(tmp_path: Path) -> None:
    errors = tmp_path / "grade-errors.txt"
    errors.write_text("Error: exercises does not exist: name the folder to grade\n")
    output = tmp_path / "github_output"
    output.write_text("earlier=1\n")
    code = main(["classroom-results", str(tmp_path / "grade.json"), str(output), "--errors", str(errors)])
    assert code == 0
    outputs = _outputs(output.read_text())
    assert outputs.pop("earlier") == "1", "appended, as $GITHUB_OUTPUT requires"
    results = {name: json.loads(base64.b64decode(value)) for name, value in outputs.items()}
    assert list(results) == [q.id for q in load_catalogue()]
    q01 = find_question("q01")
    assert results["q01"] == {
        "version": 1,
        "status": "error",
        "max_score": 1,
        "tests": [
            {
                "name": f"q01 · {q01.title}: Error: exercises does not exist: name the folder to grade",
                "status": "fail",
                "score": 0.0,
                "message": "",
                "test_code": "",
                "filename": "",
                "line_no": 0,
                "duration": 0,
            }
        ],
    }
    assert _reporter_total(results) == (0.0, 67.0)
    assert main(["classroom-results", str(tmp_path / "grade.json")]) == 2


def _partial_submission(folder: Path) -> dict[str, str]:
    """The stubs, four questions solved from solutions/, and q10 half solved: its last two routes missing."""
    folder.mkdir()
    for stub in exercises_dir().glob("q*.py"):
        shutil.copyfile(stub, folder / stub.name)
    solved = {"q02": Q02, "q03": "q03_path_parameters.py", "q09": "q09_pydantic_models.py"}
    solved["q17"] = "q17_api_router.py"
    for name in solved.values():
        shutil.copyfile(solutions_dir() / name, folder / name)
    solution = (solutions_dir() / "q10_dependency_injection.py").read_text()
    cut = solution.index('@app.get("/users/me")')
    (folder / "q10_dependency_injection.py").write_text(solution[:cut])
    return solved


@pytest.mark.slow
def test_classroom_records_exactly_grade_s_score_for_a_partial_submission(
    classroom: Path, tmp_path: Path, grade_json: Any
) -> None:
    submission = tmp_path / "exercises"
    solved = _partial_submission(submission)
    report = grade_json(str(submission))
    grade_report = tmp_path / "grade.json"
    grade_report.write_text(json.dumps(report))
    mine = report["submissions"][0] if "submissions" in report else report
    by_id = {q["id"]: q for q in mine["questions"]}
    assert all(by_id[qid]["status"] == "passed" for qid in solved)
    assert 0 < by_id["q10"]["points"] < by_id["q10"]["max_points"], "q10 is half solved"
    # The step of the workflow, run as the workflow runs it (in a fresh process, writing $GITHUB_OUTPUT).
    output = tmp_path / "github_output"
    output.touch()
    step = subprocess.run(
        [sys.executable, "-m", "grader.exports", "classroom-results", str(grade_report), str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert step.returncode == 0, step.stderr
    assert step.stdout.splitlines()[-1] == (
        f"total {mine['score']:g}/67 points ({mine['percent']:g}%), reported to GitHub Classroom"
    )
    outputs = _outputs(output.read_text())
    # What the reporter step of the generated workflow reads: its runners, each from its environment variable.
    reporter = _reporter_step(_load_yaml(classroom / ".github" / "workflows" / "classroom.yml"))
    results = {}
    for runner in reporter["with"]["runners"].split(","):
        reference = reporter["env"][f"{runner.strip().upper()}_RESULTS"]
        step_id, name = re.fullmatch(r"\$\{\{ steps\.(\w+)\.outputs\.(\w+) \}\}", reference).groups()  # type: ignore[union-attr]
        assert step_id == GRADE_STEP_ID
        results[runner] = json.loads(base64.b64decode(outputs[name]))
    total, maximum = _reporter_total(results)
    assert (total, maximum) == (mine["score"], mine["max_score"]) == (mine["score"], 67.0)
    assert json.dumps({"totalPoints": total, "maxPoints": maximum}) == (
        f'{{"totalPoints": {mine["score"]!r}, "maxPoints": 67.0}}'
    )
    all_or_nothing = sum(q["max_points"] for q in mine["questions"] if q["status"] == "passed")
    assert all_or_nothing < total, "the old one-test-per-question export lost q10's partial credit"


def test_exports_never_overwrite(tmp_path: Path, gradescope_zip: Path) -> None:
    before = gradescope_zip.read_bytes()
    result = export("gradescope", str(gradescope_zip))
    assert result.exit_code == 2 and "already exists" in result.output
    assert gradescope_zip.read_bytes() == before
    folder = tmp_path / "template"
    folder.mkdir()
    result = export("github-classroom", str(folder))
    assert result.exit_code == 2 and "already exists" in result.output
    assert list(folder.iterdir()) == []


def test_the_gradescope_export_must_be_a_zip(tmp_path: Path) -> None:
    result = export("gradescope", str(tmp_path / "autograder.tar"))
    assert result.exit_code == 2 and ".zip" in result.output
    assert not (tmp_path / "autograder.tar").exists()


def test_export_help_lists_both_platforms() -> None:
    result = export("--help")
    assert result.exit_code == 0 and "gradescope" in result.output and "github-classroom" in result.output
