"""Stored results are reused only under the same grading key: a changed hidden test or tool regrades."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.book.fingerprint import grading_key, key_parts
from grader.kit import kit_root, solutions_dir


@pytest.mark.slow
def test_a_changed_hidden_test_regrades_a_stored_result(tmp_path: Path, grade_json: Callable[..., dict]) -> None:
    kit = tmp_path / "kit"
    shutil.copytree(kit_root() / "tests" / "hidden", kit / "tests" / "hidden")
    shutil.copyfile(kit_root() / "pyproject.toml", kit / "pyproject.toml")
    classroom = tmp_path / "class" / "ada"
    classroom.mkdir(parents=True)
    shutil.copyfile(solutions_dir() / "q02_basic_app.py", classroom / "q02_basic_app.py")
    env = {**os.environ, "FASTAPI_KIT_ROOT": str(kit)}
    book = tmp_path / "book.sqlite3"

    first = grade_json(str(classroom.parent), "-q", "2", "--gradebook", str(book), env=env)
    assert first["submissions"][0]["questions"][0]["status"] == "passed"
    test_file = kit / "tests" / "hidden" / "test_q02_basic_app.py"
    text = test_file.read_text()
    expected = '{"Hello": "World"}'
    assert expected in text
    test_file.write_text(text.replace(expected, '{"Hello": "Moon"}', 1))
    second = grade_json(str(classroom.parent), "-q", "2", "--gradebook", str(book), env=env)
    q02 = second["submissions"][0]["questions"][0]
    assert q02["status"] == "failed", "the stored 'passed' was reused although the hidden test changed"
    third = grade_json(
        str(classroom.parent), "-q", "2", "--gradebook", str(book), env=env
    )  # and now the new result is the one reused
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
