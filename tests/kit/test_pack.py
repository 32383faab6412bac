"""The candidate pack: everything a candidate needs, nothing of the solutions or the hidden tests."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.kit import checks_dir, exercises_dir, hidden_tests_dir, kit_root, solutions_dir
from grader.kit.catalogue import load_catalogue

MIN_LINE = 16  # shorter lines (`return item`, `else:`) are too generic to betray a solution


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pack") / "candidate"
    result = CliRunner().invoke(cli, ["pack", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _pack_lines(pack: Path) -> set[str]:
    lines: set[str] = set()
    for path in pack.rglob("*"):
        if path.is_file():
            lines.update(line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines())
    return lines


def _solution_only_lines() -> dict[str, set[str]]:
    """Lines of the solutions that no stub, public check or module of the grader's own holds (a line like
    ``if value is None:`` in the grader's code is the grader's, not a leak)."""
    public = set()
    grader_modules = [p for p in (kit_root() / "grader").rglob("*.py") if "helpers" not in p.parts]
    for path in [*exercises_dir().glob("*.py"), *checks_dir().glob("*.py"), *grader_modules]:
        public.update(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    secret: dict[str, set[str]] = {}
    for path in solutions_dir().glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if len(text) >= MIN_LINE and not text.startswith("#") and text not in public:
                secret.setdefault(text, set()).add(path.name)
    return secret


def test_no_line_that_exists_only_in_a_solution_is_in_the_pack(pack: Path) -> None:
    secret = _solution_only_lines()
    assert len(secret) > 100, "the leak check needs solution lines to look for"
    leaked = sorted(line for line in _pack_lines(pack) if line in secret)
    assert leaked == [], "solution lines in the pack:\n" + "\n".join(leaked[:20])


def test_no_hidden_test_body_is_in_the_pack(pack: Path) -> None:
    pack_text = "\n".join(p.read_text(errors="replace") for p in pack.rglob("*") if p.is_file())
    bodies = 0
    for path in hidden_tests_dir().glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                body = "\n".join(ast.get_source_segment(source, stmt) or "" for stmt in node.body)
                bodies += 1
                assert body not in pack_text, f"the body of {path.name}::{node.name} is in the pack"
    assert bodies > 200


def test_the_pack_has_what_a_candidate_needs_and_no_kit_internals(pack: Path) -> None:
    names = {p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file()}
    for q in load_catalogue():
        assert f"exercises/{q.filename}" in names
        assert f".fastlings/original/{q.filename}" in names
    assert {"README.md", "pyproject.toml", "grader/candidate/cli.py", "grader/judge/fixtures.py"} <= names
    assert not any(n.startswith(("solutions/", "tests/", "grader/exports/")) for n in names)
    assert not any(n.startswith("grader/scan/similarity") for n in names), "teacher-side tools stay with the teacher"
    assert "fastlings watch" in (pack / "README.md").read_text()


def test_pack_never_overwrites(pack: Path) -> None:
    result = CliRunner().invoke(cli, ["pack", str(pack)])
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_the_pack_carries_the_kits_constraints_and_installs_with_them(pack: Path) -> None:
    """Candidate and grader run the same versions: the pins ship with the pack and its install line uses them."""
    assert (pack / "constraints.txt").read_bytes() == (kit_root() / "constraints.txt").read_bytes()
    assert "pip install -e . -c constraints.txt" in (pack / "README.md").read_text()


def _pack(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["pack", *args])
    return result.exit_code, result.output


def _pack_catalogue_ids(pack: Path) -> list[str]:
    data = tomllib.loads((pack / "grader" / "kit" / "catalogue.toml").read_text(encoding="utf-8"))
    return [entry["id"] for entry in data["question"]]


def test_a_pack_of_some_questions_holds_and_knows_only_those(tmp_path: Path) -> None:
    out = tmp_path / "week1"
    code, text = _pack(str(out), "-q", "3", "-q", "q02")
    assert code == 0, text
    assert sorted(p.name for p in (out / "exercises").iterdir()) == ["q02_basic_app.py", "q03_path_parameters.py"]
    assert sorted(p.name for p in (out / "checks").iterdir()) == [
        "test_q02_basic_app.py",
        "test_q03_path_parameters.py",
    ]
    assert _pack_catalogue_ids(out) == ["q02", "q03"], "fastlings in the pack knows only these"
    assert "2 questions" in text


def test_a_pack_of_one_level(tmp_path: Path) -> None:
    out = tmp_path / "basics"
    assert _pack(str(out), "--level", "basic")[0] == 0
    basic = [q.id for q in load_catalogue() if q.level == "basic"]
    assert _pack_catalogue_ids(out) == basic
    assert len(list((out / "exercises").glob("q*.py"))) == len(basic)


def test_a_selection_of_nothing_is_refused(tmp_path: Path) -> None:
    code, text = _pack(str(tmp_path / "none"), "-q", "2", "--level", "advanced")
    assert code == 2 and "no question" in text
    code, text = _pack(str(tmp_path / "none"), "-q", "99")
    assert code == 2 and "no question matches" in text


def test_title_and_instructions_head_the_packs_readme(tmp_path: Path) -> None:
    instructions = tmp_path / "week3.md"
    instructions.write_text("Do q06 and q07 by Friday. Send the zip to the course address.\n")
    out = tmp_path / "week3"
    code, text = _pack(str(out), "-q", "6", "--title", "Week 3: request bodies", "--instructions", str(instructions))
    assert code == 0, text
    readme = (out / "README.md").read_text()
    assert readme.startswith("# Week 3: request bodies\n")
    assert "## Instructions\n\nDo q06 and q07 by Friday." in readme
    assert "fastlings watch" in readme


def test_force_replaces_an_earlier_pack_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "candidate"
    assert _pack(str(out), "-q", "2")[0] == 0
    (out / "exercises" / "q02_basic_app.py").write_text("# edited\n")
    code, text = _pack(str(out), "-q", "3", "--force")
    assert code == 0, text
    assert [p.name for p in (out / "exercises").iterdir()] == ["q03_path_parameters.py"]
    mine = tmp_path / "my-notes"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious\n")
    code, text = _pack(str(mine), "--force")
    assert code == 2 and "not a pack" in text
    assert (mine / "notes.txt").read_text() == "precious\n"
    archive = tmp_path / "candidate.zip"
    assert _pack(str(archive))[0] == 0
    assert _pack(str(archive), "-q", "2", "--force")[0] == 0
    with zipfile.ZipFile(archive) as handle:
        assert "candidate/exercises/q02_basic_app.py" in handle.namelist()
        assert "candidate/exercises/q03_path_parameters.py" not in handle.namelist()


def test_pack_as_zip(tmp_path: Path) -> None:
    out = tmp_path / "candidate.zip"
    assert CliRunner().invoke(cli, ["pack", str(out)]).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        assert "candidate/exercises/q02_basic_app.py" in archive.namelist()


@pytest.mark.slow
def test_the_pack_installs_in_a_fresh_venv_and_round_trips_a_submission(pack: Path, tmp_path: Path) -> None:
    """pip install the pack alone, then check, fix, check, submit, and grade the archive with the kit."""
    work = tmp_path / "work"
    shutil.copytree(pack, work)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-e", str(work), "-c", str(work / "constraints.txt")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    # Only what practice needs: none of the grader's libraries (copydetect alone brought numpy, matplotlib, pillow
    # and fonttools: 279 MB of venv before the split, 104 MB after, measured on the full pack).
    grader_only = ("copydetect", "numpy", "matplotlib", "PIL", "fontTools", "pytest_jsonreport")
    probe = f"import importlib.util as u; print([m for m in {grader_only!r} if u.find_spec(m)])"
    installed = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True)
    assert installed.stdout.strip() == "[]"
    fastlings = str(venv / "bin" / "fastlings")
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FASTAPI_KIT_ROOT", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([fastlings, *args], cwd=work, capture_output=True, text=True, env=env, timeout=120)

    untouched = run("check", "2")
    assert untouched.returncode == 1, untouched.stdout + untouched.stderr
    assert "✗ root says hello world" in untouched.stdout
    shutil.copyfile(solutions_dir() / "q02_basic_app.py", work / "exercises" / "q02_basic_app.py")
    fixed = run("check", "2")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "1/30" in run("list").stdout
    submitted = run("submit", "-o", str(tmp_path / "answer.zip"), "--name", "Ada", "--yes")
    assert submitted.returncode == 0, submitted.stderr
    graded = subprocess.run(
        [sys.executable, "-m", "grader", str(tmp_path / "answer.zip"), "-q", "2", "-q", "3"],
        cwd=kit_root(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert graded.returncode == 0, graded.stderr
    assert "q02" in graded.stdout and "passed" in graded.stdout
