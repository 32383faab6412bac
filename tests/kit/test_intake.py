"""Intake: private copies of regular files only, and misnamed files found and named in the report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.book.intake import IntakeError, copy_regular_file, near_misses
from grader.cli import cli
from grader.kit import solutions_dir
from grader.kit.catalogue import load_catalogue

NAMES = [q.filename for q in load_catalogue()]


@pytest.mark.parametrize(
    "submitted",
    ["q03.py", "Q03_Path_Parameters.py", "q03-path-parameters.py", "path_parameters.py", "q3_path_parameters.py"],
)
def test_a_misnamed_file_is_recognised(tmp_path: Path, submitted: str) -> None:
    (tmp_path / submitted).write_text("app = None\n")
    assert near_misses(tmp_path, NAMES) == {"q03_path_parameters.py": submitted}


def test_no_suggestion_when_the_file_exists_or_the_match_is_ambiguous(tmp_path: Path) -> None:
    (tmp_path / "q03_path_parameters.py").write_text("")
    (tmp_path / "q03.py").write_text("")
    (tmp_path / "q04.py").write_text("")
    (tmp_path / "Q04.PY").write_text("")
    (tmp_path / "notes.py").write_text("")
    assert near_misses(tmp_path, NAMES) == {}


def test_intake_copies_regular_files_and_refuses_the_rest(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    copy_regular_file(tmp_path / "a.py", tmp_path / "b.py")
    assert (tmp_path / "b.py").read_text() == "x = 1\n"
    (tmp_path / "link.py").symlink_to(tmp_path / "a.py")
    with pytest.raises(IntakeError, match="symbolic link"):
        copy_regular_file(tmp_path / "link.py", tmp_path / "c.py")
    (tmp_path / "big.py").write_bytes(b"#" * (2 * 1024 * 1024))
    with pytest.raises(IntakeError, match="larger than"):
        copy_regular_file(tmp_path / "big.py", tmp_path / "d.py")


@pytest.mark.slow
def test_the_report_says_which_file_to_rename(tmp_path: Path) -> None:
    shutil.copyfile(solutions_dir() / "q02_basic_app.py", tmp_path / "q02_basic_app.py")
    shutil.copyfile(solutions_dir() / "q03_path_parameters.py", tmp_path / "q03.py")
    result = CliRunner().invoke(cli, [str(tmp_path), "-q", "2", "-q", "3", "--json"])
    assert result.exit_code == 0, result.output
    (submission,) = json.loads(result.stdout)["submissions"]
    q03 = next(q for q in submission["questions"] if q["id"] == "q03")
    assert q03["status"] == "missing" and q03["points"] == 0
    assert q03["message"] == (
        "a file named q03.py was found instead: rename it to q03_path_parameters.py, "
        "or grade it as it is with --map q03=q03.py"
    )


def test_a_folder_of_misnamed_files_is_refused_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "q03.py").write_text("")
    result = CliRunner().invoke(cli, [str(tmp_path)])
    assert result.exit_code == 2
    assert "q03.py looks like q03_path_parameters.py" in result.output
