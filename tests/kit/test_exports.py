"""`grade export`: a Gradescope autograder that really runs, and GitHub Classroom files in the platforms' formats.

The Gradescope zip is checked the way Gradescope uses it: extracted into a folder laid out like /autograder,
its run_autograder run with bash on a student's files, and the results.json it writes read back.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from grader.candidate.workspace import write_submission
from grader.catalogue import find_question, load_catalogue
from grader.cli import cli
from grader.exports import collect_submission, gradescope_results, main
from grader.kit import solutions_dir

Q02 = "q02_basic_app.py"
GRADESCOPE_VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
CLASSROOM_TEST_KEYS = {"name", "setup", "run", "input", "output", "comparison", "timeout", "points"}


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
    assert "apt-get install" in setup and 'pip install -e "$KIT"' in setup and 'KIT="$ROOT/source/kit"' in setup


def test_the_zip_holds_the_kit_needed_to_grade_and_no_solution(gradescope_zip: Path) -> None:
    with zipfile.ZipFile(gradescope_zip) as archive:
        names = set(archive.namelist())
    # Gradescope extracts the zip into /autograder/source, so kit/ lands at /autograder/source/kit.
    assert {"kit/pyproject.toml", "kit/README.md", "kit/grader/cli.py", "kit/grader/exports.py"} <= names
    for q in load_catalogue():
        assert f"kit/tests/hidden/{q.test_filename}" in names
        assert f"kit/exercises/{q.filename}" in names
    assert not any("solutions/" in n or "__pycache__" in n or n.endswith(".pyc") for n in names)
    assert not any(n.startswith(("kit/checks/", "kit/bench/", "kit/tests/kit/")) for n in names)


def _report(*questions: dict[str, Any]) -> dict[str, Any]:
    return {"target": "x", "score": 0, "max_score": 0, "percent": 0, "duration_s": 1.4, "questions": list(questions)}


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
    results = gradescope_results(report)
    assert isinstance(results["score"], float) and results["score"] == 1.5
    assert isinstance(results["output"], str) and "1.5/5" in results["output"]
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
        assert test["visibility"] in GRADESCOPE_VISIBILITIES
    assert tests[0]["output"] == "passed: 6/6 tests passed"
    failed = tests[1]["output"]
    assert failed.startswith("failed: 1/6 tests passed") and "... and 2 more failing tests" in failed
    assert len(failed) < 2000, "failure messages are truncated"
    assert "does not import" in tests[2]["output"]
    json.dumps(results)  # serialisable as it is


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
    assert results["score"] == 1.0 and "files changed after submit" in results["output"]
    assert "collected" not in results["output"]


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
    assert q02["status"] == "passed" and q02["output"].startswith("passed: 6/6")
    assert results["score"] == 1.0


# ------------------------------------------------------------------------------------------ GitHub Classroom


def _load_yaml(path: Path) -> Any:
    """Parse YAML with PyYAML, a dev dependency: this test never skips for want of a parser."""
    import yaml  # type: ignore[import-untyped]

    return yaml.safe_load(path.read_text())


def test_the_workflow_checks_out_sets_up_python_installs_and_grades(classroom: Path) -> None:
    path = classroom / ".github" / "workflows" / "classroom.yml"
    text = path.read_text()
    assert "KIT_SOURCE:" in text and "# TEACHER:" in text
    workflow = _load_yaml(path)
    assert "push" in workflow["on"]
    assert "KIT_SOURCE" in workflow["env"]
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    steps = job["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert uses[0] == "actions/checkout@v4"
    setup_python = next(s for s in steps if s.get("uses") == "actions/setup-python@v5")
    assert str(setup_python["with"]["python-version"]) == "3.11"
    runs = "\n".join(s.get("run", "") for s in steps)
    assert 'pip install -e "$kit"' in runs
    assert "grade exercises --fail-under 60 --json > grade.json" in runs
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "grade.json" and "!cancelled()" in upload["if"], "uploaded below the threshold too"
    assert "education/autograding@v1" in uses, "autograding.json is what this action reads"


def test_autograding_json_has_one_test_per_question_with_the_catalogue_points(classroom: Path) -> None:
    data = json.loads((classroom / ".github" / "classroom" / "autograding.json").read_text())
    tests = data["tests"]
    questions = load_catalogue()
    assert len(tests) == len(questions)
    for test, q in zip(tests, questions, strict=True):
        assert set(test) == CLASSROOM_TEST_KEYS
        assert test["name"] == f"{q.id} · {q.title}"
        assert test["run"] == f"grade exercises -q {q.id} --fail-under 100"
        assert (test["comparison"], test["output"], test["input"]) == ("included", "", "")
        assert test["points"] == q.points and isinstance(test["timeout"], int)
    readme = (classroom / "README.md").read_text()
    assert "KIT_SOURCE" in readme and f"{len(questions)} tests" in readme


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
