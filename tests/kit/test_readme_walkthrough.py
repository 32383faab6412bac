"""The README's commands, run as it documents them: a documented command that breaks fails this test.

Every `grade` command line in the README's ``bash`` blocks is either run here, in the order the README gives
it, in a folder holding what it names (untouched stubs, so nothing is graded for long: an untouched stub is
not even run), or listed in ``NOT_RUN`` with the reason (a step its section assumes is done first, from
``SETUP``). A new command in the README fails the test until it is one or the other; a command reworded in the
README fails it until it is reworded here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.kit import exercises_dir, kit_root
from grader.kit.catalogue import find_question

pytestmark = pytest.mark.slow

# Commands the README documents that take minutes, need the network or are not the grader's.
NOT_RUN = {
    "grade solutions": "grades all 30 reference solutions: minutes (the kit's own tests grade them)",
    "pytest": "the kit's whole test suite",
    "grade review --gradebook fall.sqlite3 --assignment week3 --rubric week3-rubric.toml": "serves an app until"
    " stopped (tests/kit/test_review_app.py and test_review_browser.py drive it)",
    "grade review --gradebook fall.sqlite3 --anonymous --port 8765": "serves an app until stopped",
}

# (command as the README writes it, the exit codes it may end with, what to type at its prompt), in README
# order, per folder: the sections' commands build on each other as a reader's would.
WALKTHROUGH: dict[str, list[tuple[str, tuple[int, ...], str]]] = {
    "grading": [
        ("grade", (0,), ""),
        ("grade path/to/candidate -v", (0,), ""),
        ("grade cand.zip", (0,), ""),
        ("grade -q 3 -q q16 -q cors", (0,), ""),
        ("grade --level advanced", (0,), ""),
        ("grade --json", (0,), ""),
        ("grade cand/ --html report/", (0,), ""),
        ("grade cand/ --map q03=q03.py", (0,), ""),
        ("grade --fail-under 60", (1,), ""),  # the stubs score 0%
        ("grade --sandbox require", (0, 2), ""),  # 2 on a machine that lacks a layer
        ("grade doctor", (0, 1), ""),
    ],
    "class": [
        ("grade class/", (0,), ""),
        ("grade alice.zip bob/ carol.zip", (0,), ""),
        ("grade class/ --csv grades.csv --junit grades.xml --html report/", (0,), ""),
        ("grade class/ --gradebook fall.sqlite3 --regrade", (0,), ""),
        ("grade report --gradebook fall.sqlite3 --html report/", (0,), ""),
        ("grade class/ --assignment week3 --roster roster.csv --due 2026-12-01T23:59 --late-policy 10%/day", (0,), ""),
        ('grade class/ --assignment week3 -q 6 -q 7 --points q07=3 --lms-column "Week 3"', (0,), ""),
        ("grade assignment --assignment week3", (0,), ""),
        ("grade remove bob --assignment week3", (0,), "y\n"),
        ("grade export gradescope autograder.zip", (0,), ""),
        ("grade export gradescope autograder.zip --visibility visible", (0,), ""),
        ("grade export github-classroom classroom/ --fail-under 60", (0,), ""),
        ("grade export gradescope week3.zip --assignment week3", (0,), ""),
        ("grade report --gradebook fall.sqlite3 --csv grades.csv --lms moodle --lms-csv moodle.csv", (0,), ""),
        ("grade feedback feedback/ --gradebook fall.sqlite3 --assignment week3", (0,), ""),
    ],
    "pack": [
        ("grade pack candidate.zip", (0,), ""),
        ("grade pack interview.zip -q 2 -q 3 -q 6", (0,), ""),
        ('grade pack week3/ -q 6 -q 7 --title "Week 3" --instructions week3.md', (0,), ""),
        ("grade pack basics.zip --level basic --force", (0,), ""),
    ],
}
# Files a command writes that the next one, an alternative to it, writes again.
REPLACED_BEFORE = {"grade export gradescope autograder.zip --visibility visible": "autograder.zip"}
# What a command's section of the README assumes was done before it, done here first (not README commands).
SETUP = {
    "grade feedback feedback/ --gradebook fall.sqlite3 --assignment week3": [
        "grade class/ --gradebook fall.sqlite3 --assignment week3"
    ],
}


def _documented() -> list[str]:
    """Every command line of the README's bash blocks, its comment cut off."""
    text = (kit_root() / "README.md").read_text(encoding="utf-8")
    lines = [line for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL) for line in block.splitlines()]
    return [command for line in lines if (command := re.split(r"\s+#", line)[0].strip())]


def test_every_grade_command_of_the_readme_is_run_here_or_said_why_not() -> None:
    documented = [c for c in _documented() if c.split()[0] in ("grade", "pytest")]
    run = {command for steps in WALKTHROUGH.values() for command, _, _ in steps}
    unknown = [c for c in documented if c not in run and c not in NOT_RUN and not c.startswith("pytest tests/")]
    assert unknown == [], f"README commands neither run by this test nor listed in NOT_RUN: {unknown}"
    assert [c for c in run if c not in documented] == [], "commands run here that the README no longer documents"


def _stub(name: str) -> bytes:
    return (exercises_dir() / name).read_bytes()


def _zip(path: Path, files: dict[str, bytes], manifest: bool = False) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"exercises/{name}", data)
        if manifest:
            hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
            record = {"kit_version": "0", "created_at": "2026-01-05T10:00:00+00:00", "candidate": "C", "files": hashes}
            archive.writestr("manifest.json", json.dumps(record))


def _folder(root: Path, section: str) -> Path:
    """What the section's commands name, made of untouched stubs."""
    here = root / section
    here.mkdir()
    q02, q03 = find_question("q02").filename, find_question("q03").filename
    two = {q02: _stub(q02), q03: _stub(q03)}
    if section == "grading":
        shutil.copytree(exercises_dir(), here / "exercises")
        for folder in (here / "path" / "to" / "candidate", here / "cand"):
            folder.mkdir(parents=True)
            for name, data in two.items():
                (folder / name).write_bytes(data)
        (here / "cand" / "q03.py").write_bytes(two[q03])
        _zip(here / "cand.zip", two, manifest=True)
    elif section == "class":
        for student in ("alice", "bob"):
            (here / "class" / student).mkdir(parents=True)
            (here / "class" / student / q02).write_bytes(two[q02])
        (here / "bob").mkdir()
        (here / "bob" / q02).write_bytes(two[q02])
        _zip(here / "alice.zip", {q02: two[q02]})
        _zip(here / "carol.zip", {q02: two[q02]})
        (here / "roster.csv").write_text("id,name\nalice,Alice\nbob,Bob\ndan,Dan\n", encoding="utf-8")
    else:
        (here / "week3.md").write_text("Answer both questions.\n", encoding="utf-8")
    return here


def _run(here: Path, command: str, typed: str) -> subprocess.CompletedProcess[str]:
    """``grade ARGS`` as a user types it, in ``here`` (``python -m grader`` is the ``grade`` script)."""
    return subprocess.run(
        [sys.executable, "-m", "grader", *shlex.split(command)[1:]],
        cwd=here,
        input=typed,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_the_readme_walkthrough_runs_as_documented(tmp_path: Path) -> None:
    for section, steps in WALKTHROUGH.items():
        here = _folder(tmp_path, section)
        for command, codes, typed in steps:
            if command in REPLACED_BEFORE:
                (here / REPLACED_BEFORE[command]).unlink()
            for before in SETUP.get(command, []):
                assert _run(here, before, "").returncode == 0, before
            done = _run(here, command, typed)
            assert done.returncode in codes, f"`{command}` exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            assert "Traceback" not in done.stderr, f"`{command}`:\n{done.stderr}"
    grading, klass, pack = (tmp_path / name for name in WALKTHROUGH)
    assert (grading / "report" / "index.html").is_file()
    assert {"autograder.zip", "week3.zip", "grades.csv", "grades.xml", "fall.sqlite3"} <= {
        p.name for p in klass.iterdir()
    }
    assert {"candidate.zip", "interview.zip", "week3", "basics.zip"} <= {p.name for p in pack.iterdir()}
