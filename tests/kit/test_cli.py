"""The `grade` command as its users meet it: tables, JSON, statuses, exit codes and hostile submissions.

The submissions are built in temporary folders from q02 (the smallest question): a copy of its solution is a
known-good answer, and the hostile variants stand in for any question, since they fail before any test runs.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from grader.cli import cli
from grader.kit import exercises_dir, solutions_dir

pytestmark = pytest.mark.slow

Q01, Q02 = "q01_what_is_fastapi.py", "q02_basic_app.py"
Q02_TESTS = 6
ANSI = re.compile(r"\x1b\[[0-9;]*m")

HOSTILE = {
    "syntax_error": "def broken(:\n",
    "raises_at_import": "raise RuntimeError('boom at import')\n",
    "sys_exit_at_import": "import sys\nsys.exit(3)\n",
    "os_exit_at_import": "import os\nos._exit(0)\n",
    "allocates_8_gib": "blob = bytearray(8 * 1024**3)\n",
    "writes_400_mib": "with open('big.bin', 'wb') as f:\n"
    "    for _ in range(400):\n        f.write(b'x' * 1024 * 1024)\n",
    "prints_megabytes": "import sys\nfor _ in range(200):\n    sys.stdout.write('x' * 50_000 + '\\n')\n"
    "    sys.stderr.write('y' * 50_000 + '\\n')\n" + (solutions_dir() / Q02).read_text(),
}


def grade(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def grade_json(*args: str) -> dict:
    result = grade(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    """A submission folder holding a correct q02."""
    folder = tmp_path / "submission"
    folder.mkdir()
    shutil.copy(solutions_dir() / Q02, folder / Q02)
    return folder


def question(report: dict, qid: str) -> dict:
    """One question of a one-submission report (the JSON has the same shape for one or many)."""
    (only,) = report["submissions"]
    return next(q for q in only["questions"] if q["id"] == qid)


def test_table_lists_questions_and_a_score_footer(submission: Path) -> None:
    result = grade(str(submission), "-q", "2")
    assert result.exit_code == 0, result.output
    assert re.search(r"q02\s+A basic application\s+basic\s+passed\s+(\d+)/\1\s+1/1", result.output)
    assert "score         1/1 points (100%), 1/1 questions passed" in result.output
    assert "basic         1/1 points" in result.output
    assert not ANSI.search(result.output), "no colour when stdout is not a terminal"


def test_color_can_be_forced_even_off_a_terminal(submission: Path) -> None:
    assert ANSI.search(grade(str(submission), "-q", "2", "--color").output)
    assert not ANSI.search(grade(str(submission), "-q", "2", "--no-color").output)


def test_json_output_is_one_object_with_the_documented_keys(submission: Path) -> None:
    report = grade_json(str(submission), "-q", "q02")
    assert report.keys() == {
        "schema_version",
        "kit_version",
        "gradebook",
        "assignment",
        "class",
        "elapsed_s",
        "submissions",
    }
    assert (report["schema_version"], report["gradebook"]) == (2, None), "no gradebook kept for one submission"
    (only,) = report["submissions"]
    assert {"name", "score", "max_score", "percent", "duration_s", "questions", "warnings"} <= only.keys()
    (q02,) = only["questions"]
    expected_keys = {"id", "slug", "title", "level", "status", "passed", "points", "max_points", "reason"}
    expected_keys |= {"tests_passed", "tests_total", "duration_s", "failures"}
    assert expected_keys <= q02.keys()
    assert (q02["status"], q02["passed"], q02["reason"]) == ("passed", True, "")
    assert q02["tests_passed"] == q02["tests_total"] > 0
    assert (only["score"], only["max_score"], only["percent"]) == (1.0, 1.0, 100.0)


def test_untouched_stub_is_not_attempted_and_not_run() -> None:
    result = grade(str(exercises_dir()), "-q", "2", "-v")
    assert result.exit_code == 0, result.output
    assert re.search(r"q02 .* not attempted\s+-\s+0/1", result.output)
    assert "->" not in result.output, "an untouched stub has no failures to list"
    assert grade_json(str(exercises_dir()), "-q", "2")["submissions"][0]["duration_s"] == 0.0, "nothing ran"


def test_verbose_lists_every_failure_of_an_attempted_question(submission: Path) -> None:
    (submission / Q02).write_text((exercises_dir() / Q02).read_text() + "\n# started, not finished\n")
    result = grade(str(submission), "-q", "2", "-v")
    assert re.search(r"q02 .* failed\s+0/(\d+)\s+0/1", result.output), result.output
    failures = [line for line in result.output.splitlines() if line.strip().startswith("-> test_")]
    total = int(re.search(r"failed\s+0/(\d+)", result.output)[1])
    assert len(failures) == total, "every failure is listed, one line each, not only the first"
    # Each failure names the contract bullet its test checks, as numbered in the stub's docstring.
    assert "-> test_root_returns_hello_world: [q02.1] AssertionError: GET / should answer 200, got 404" in result.output


def test_missing_file_is_reported_as_missing_with_its_test_count(submission: Path) -> None:
    q01 = question(grade_json(str(submission), "-q", "1", "-q", "2"), "q01")
    assert (q01["status"], q01["points"], q01["tests_passed"]) == ("missing", 0.0, 0)
    assert q01["tests_total"] > 0, "the grader knows how many tests a missing question has"


@pytest.mark.parametrize("variant", sorted(HOSTILE))
def test_hostile_module_costs_only_its_own_question(submission: Path, variant: str) -> None:
    baseline = question(grade_json(str(submission), "-q", "2"), "q02")
    (submission / Q01).write_text(HOSTILE[variant])
    report = grade_json(str(submission), "-q", "1", "-q", "2")
    q01, q02 = question(report, "q01"), question(report, "q02")
    for key in ("status", "points", "tests_passed", "tests_total", "failures"):
        assert q02[key] == baseline[key], f"q02's {key} changed because of a hostile q01"
    if variant == "prints_megabytes":
        assert q01["status"] == "failed", "a module that prints is graded on its behaviour"
    else:
        assert (q01["status"], q01["points"], q01["tests_passed"]) == ("error", 0.0, 0)
        assert q01["tests_total"] > 0


def test_error_messages_name_the_problem(submission: Path) -> None:
    (submission / Q01).write_text(HOSTILE["syntax_error"])
    assert question(grade_json(str(submission), "-q", "1"), "q01")["message"].startswith("SyntaxError")
    (submission / Q01).write_text(HOSTILE["sys_exit_at_import"])
    assert "exit(3)" in question(grade_json(str(submission), "-q", "1"), "q01")["message"]


def test_non_utf8_file_is_an_error_not_a_traceback(submission: Path) -> None:
    (submission / Q01).write_bytes(b"x = '\xff\xfe caf\xe9'\n")
    q01 = question(grade_json(str(submission), "-q", "1"), "q01")
    assert q01["status"] == "error"
    assert "SyntaxError" in q01["message"]


def test_endless_loop_times_out_and_the_run_still_ends(submission: Path) -> None:
    """Limits are CPU time (the wall-clock ceiling is several times longer): on a busy machine the loop still ends
    and the correct bystander still passes. No wall-clock assertion, so load cannot fail this test."""
    (submission / Q01).write_text("while True:\n    pass\n")
    report = grade_json(str(submission), "-q", "1", "-q", "2", "--timeout", "5")
    assert question(report, "q01")["status"] == "timeout"
    assert question(report, "q02")["status"] == "passed"


def test_fail_under_sets_exit_code_one_below_the_threshold(submission: Path) -> None:
    assert grade(str(submission), "-q", "2", "--fail-under", "100").exit_code == 0
    low = grade(str(exercises_dir()), "-q", "2", "--fail-under", "50")
    assert low.exit_code == 1
    assert "below --fail-under 50%" in low.output


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["/definitely/not/here"], "does not exist"),
        (["pyproject.toml"], "is a file"),
        (["-q", "q99"], "no question matches"),
        (["--level", "expert"], "Invalid value for '--level'"),
    ],
)
def test_bad_usage_exits_two_with_a_one_line_reason(args: list[str], complaint: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert complaint in result.output
    assert "Traceback" not in result.output


def test_a_folder_without_exercise_files_is_unusable(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = CliRunner().invoke(cli, [str(tmp_path)])
    assert result.exit_code == 2
    assert "holds none of the kit's exercise files" in result.output


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand of a click group, found by introspection so none is forgotten."""
    paths = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


@pytest.mark.parametrize("command", _command_paths(cli), ids=lambda path: " ".join(path) or "grade")
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 4, "the help says what the command does"
    if command in ((), ("run",)):
        assert "Exit codes:" in result.output


def test_no_color_is_respected_on_a_terminal(tmp_path: Path) -> None:
    """In a real terminal the table is coloured, unless NO_COLOR is set."""
    import os
    import sys

    import pexpect

    script = Path(sys.executable).with_name("grade")
    shutil.copyfile(solutions_dir() / Q02, tmp_path / Q02)
    outputs = {}
    for no_color in ("", "1"):
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        if no_color:
            env["NO_COLOR"] = no_color
        outputs[no_color] = pexpect.run(f"{script} {tmp_path} -q 2", env=env, encoding="utf-8", timeout=60)
    assert "passed" in outputs[""] and ANSI.search(outputs[""]), "colour on a terminal"
    assert "passed" in outputs["1"] and not ANSI.search(outputs["1"]), "no colour with NO_COLOR set"


def test_version_is_printed() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("grade, version ")


def test_an_unsafe_archive_given_alone_is_a_one_line_error(tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "candidate.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("../../escape/q02_basic_app.py", "app = None\n")
    result = CliRunner().invoke(cli, [str(archive)])
    assert result.exit_code == 2
    assert "points outside the archive" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path.parent / "escape").exists()


def test_a_file_that_is_neither_folder_nor_archive_is_a_one_line_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    result = CliRunner().invoke(cli, [str(notes)])
    assert result.exit_code == 2
    assert "is a file, not a folder or a zip/tar archive" in result.output
