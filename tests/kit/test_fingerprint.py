"""Stored results are reused only under the same grading key: a changed hidden test or tool regrades."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.fingerprint import grading_key, key_parts
from grader.kit import kit_root, solutions_dir


def _grade_json(classroom: Path, book: Path, env: dict[str, str]) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "grader", str(classroom), "-q", "2", "--gradebook", str(book), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.slow
def test_a_changed_hidden_test_regrades_a_stored_result(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    shutil.copytree(kit_root() / "tests" / "hidden", kit / "tests" / "hidden")
    shutil.copyfile(kit_root() / "pyproject.toml", kit / "pyproject.toml")
    classroom = tmp_path / "class" / "ada"
    classroom.mkdir(parents=True)
    shutil.copyfile(solutions_dir() / "q02_basic_app.py", classroom / "q02_basic_app.py")
    env = {**os.environ, "FASTAPI_KIT_ROOT": str(kit)}
    book = tmp_path / "book.sqlite3"

    first = _grade_json(classroom.parent, book, env)
    assert first["submissions"][0]["questions"][0]["status"] == "passed"
    test_file = kit / "tests" / "hidden" / "test_q02_basic_app.py"
    text = test_file.read_text()
    expected = '{"Hello": "World"}'
    assert expected in text
    test_file.write_text(text.replace(expected, '{"Hello": "Moon"}', 1))
    second = _grade_json(classroom.parent, book, env)
    q02 = second["submissions"][0]["questions"][0]
    assert q02["status"] == "failed", "the stored 'passed' was reused although the hidden test changed"
    third = _grade_json(classroom.parent, book, env)  # and now the new result is the one reused
    assert third["submissions"][0]["questions"][0]["status"] == "failed"


def test_a_system_tool_appearing_changes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    monkeypatch.setenv("PATH", str(tools))
    without = dict(key_parts())
    fake = tools / "redis-server"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    with_redis = dict(key_parts())
    assert (without["tool:redis-server"], with_redis["tool:redis-server"]) == ("absent", "present")
    grading_key.cache_clear()
    try:
        keyed_with = grading_key()
        fake.unlink()
        grading_key.cache_clear()
        assert grading_key() != keyed_with
    finally:
        grading_key.cache_clear()


def test_a_library_version_is_part_of_the_key() -> None:
    import fastapi

    assert dict(key_parts())["package:fastapi"] == fastapi.__version__
