"""The submit manifest, read as the untrusted data it is: every field checked, cut and compared, whole.

Written against the mutants of ``grader/book/manifest.py`` that the kit's suite let through (``python
bench/mutation.py -m manifest``): a manifest goes in as a file and comes back as one complete ``Manifest``,
so a dropped field, a changed limit or a renamed key fails here.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
from pathlib import Path
from typing import Any

import pytest

from grader.book import manifest as manifest_module
from grader.book.manifest import Manifest, QuestionActivity, grader_versions, read_manifest

Q02, Q03 = "q02_basic_app.py", "q03_path_parameters.py"
OURS = {"python": "3.11.7", "fastapi": "0.115.6", "starlette": "0.41.3", "pydantic": "2.10.4"}


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_complete_manifest_is_read_whole(tmp_path: Path) -> None:
    data = {
        "candidate": "Zoë\x1b[2J",
        "created_at": "2026-11-30T10:00:00+00:00",
        "kit_version": "0.1.0",
        "files": {Q03: "c" * 64, Q02: "b" * 64, "q99_unknown.py": "x", "notes.txt": 3},
        "versions": {"fastapi": "0.115.6", "python": "3.11.7", "numpy": "2.0", "pydantic": 2},
        "questions": {
            "q02": {
                "hints_shown": 2,
                "hint_times": ["2026-11-30T09:10:00+00:00", 5],
                "first_modified": "2026-11-30T09:00:00+00:00",
                "last_modified": "2026-11-30T09:30:00+00:00",
                "checked_at": "2026-11-30T09:31:00+00:00",
            },
            "q03": {"hints_shown": 999, "last_check": "2026-11-30T09:40:00+00:00", "checked_at": "ignored"},
            "q04": "not a record",
            "q99": {"hints_shown": 1},
        },
    }
    read = read_manifest(_write(tmp_path / "manifest.json", data))
    assert read == Manifest(
        candidate="Zoë\\x1b[2J",
        created_at="2026-11-30T10:00:00+00:00",
        files={Q03: "c" * 64, Q02: "b" * 64},
        versions={"fastapi": "0.115.6", "python": "3.11.7", "pydantic": ""},
        activity={
            "q02": QuestionActivity(
                2,
                ("2026-11-30T09:10:00+00:00", ""),
                "2026-11-30T09:00:00+00:00",
                "2026-11-30T09:30:00+00:00",
                "2026-11-30T09:31:00+00:00",
            ),
            "q03": QuestionActivity(999, (), "", "", "2026-11-30T09:40:00+00:00"),
            "q04": QuestionActivity(),
        },
        strangers=("notes.txt", "q99_unknown.py"),
    )


def test_untrusted_values_are_cut_to_their_limits(tmp_path: Path) -> None:
    data = {
        "candidate": "c" * 300,
        "files": {"/" + "x" * 100: "h"},
        "questions": {
            "q02": {"hints_shown": 1000, "hint_times": [f"t{i}" for i in range(25)]},
            "q03": {"hints_shown": -1, "hint_times": "not a list"},
            "q06": {"hints_shown": 0},
            "q07": {"first_modified": "2026-11-30T09:00:00+00:00"},
        },
        "versions": ["fastapi", "0.115.6"],
    }
    read = read_manifest(_write(tmp_path / "manifest.json", data))
    assert read is not None
    assert read.candidate == "c" * 200
    assert read.strangers == ("/" + "x" * 79,)
    assert read.activity["q02"] == QuestionActivity(0, tuple(f"t{i}" for i in range(20)))
    assert read.activity["q03"] == QuestionActivity()
    assert read.activity["q06"] == QuestionActivity()
    assert read.activity["q07"] == QuestionActivity(first_modified="2026-11-30T09:00:00+00:00"), "no hints key: none"
    assert read.versions == {}, "versions that are no mapping are none"
    assert read_manifest(_write(tmp_path / "m2.json", {"questions": ["q02"]})) == Manifest(), "nor are questions"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[1, 2]", "the manifest is unreadable"),
        ("{not json", "the manifest is unreadable"),
        ('{"files": ["a"]}', "the manifest is unreadable"),
        ('{"files": "a"}', "the manifest is unreadable"),
    ],
)
def test_an_unusable_manifest_is_a_problem_and_nothing_else(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(content, encoding="utf-8")
    assert read_manifest(path) == Manifest(problem=problem)
    assert Manifest(problem=problem).warnings(tmp_path) == (problem,)


def test_bytes_that_are_not_utf8_are_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(b'{"candidate": "\xff"}')
    assert read_manifest(path) == Manifest(problem="the manifest is unreadable")


def test_the_size_limit_is_256_kib(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    body = '{"candidate": "' + "a" * (256 * 1024 - 17) + '"}'
    path.write_text(body, encoding="utf-8")
    assert path.stat().st_size == 256 * 1024
    assert read_manifest(path).problem == ""
    path.write_text(body + " ", encoding="utf-8")
    assert read_manifest(path) == Manifest(problem="the manifest is too large to read")


def test_the_first_manifest_found_is_read(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    _write(second, {"candidate": "second"})
    assert read_manifest(first, second).candidate == "second"
    _write(first, {"candidate": "first"})
    assert read_manifest(first, second).candidate == "first"
    assert read_manifest(tmp_path / "none.json") is None
    assert read_manifest(tmp_path) is None, "a folder is no manifest"
    assert read_manifest() is None


def test_warnings_name_changed_files_and_other_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifest_module, "grader_versions", lambda: dict(OURS, starlette=""))
    (tmp_path / Q02).write_bytes(b"mine")
    (tmp_path / Q03).write_bytes(b"also mine")
    mine, also = hashlib.sha256(b"mine").hexdigest(), hashlib.sha256(b"also mine").hexdigest()
    assert Manifest(files={Q02: mine, Q03: also}, versions=dict(OURS)).warnings(tmp_path) == ()
    patched = {"python": "3.11.2", "fastapi": "0.115.0", "pydantic": "2.10"}
    assert Manifest(files={Q02: mine}, versions=patched).warnings(tmp_path) == (), "patch releases do not count"
    changed = Manifest(
        files={Q03: "0" * 64, Q02: "1" * 64, "q04_query_parameters.py": "2" * 64},  # q04 not handed in: no change
        versions={"python": "3.12.1", "fastapi": "0.100.0", "starlette": "0.30.0", "pydantic": "", "numpy": "1"},
    )
    assert changed.warnings(tmp_path) == (
        f"files changed after submit: {Q02}, {Q03}",
        "practised on other versions: fastapi 0.100.0 (grading runs 0.115.6), python 3.12.1 (grading runs 3.11.7)",
    )


def test_strangers_are_the_only_warning_and_are_cut(tmp_path: Path) -> None:
    names = tuple(f"/x/{i:03d}" + "y" * 40 for i in range(6))
    (tmp_path / Q02).write_bytes(b"mine")
    warning = Manifest(files={Q02: "0" * 64}, strangers=names).warnings(tmp_path)
    listed = ", ".join(repr(name) for name in names)
    assert warning == (f"the manifest names files that are not exercises: {listed[:200]}",)
    assert len(warning[0]) == len("the manifest names files that are not exercises: ") + 200


def test_what_the_gradebook_keeps_comes_back_the_same(tmp_path: Path) -> None:
    activity = QuestionActivity(1, ("2026-11-30T09:10:00+00:00",), "a", "b", "c")
    manifest = Manifest("Zoë", "2026-11-30T10:00:00+00:00", {Q02: "h"}, {"fastapi": "0.115.6"}, {"q02": activity})
    kept = manifest.to_dict()
    assert kept == {
        "candidate": "Zoë",
        "created_at": "2026-11-30T10:00:00+00:00",
        "versions": {"fastapi": "0.115.6"},
        "activity": {
            "q02": {
                "hints_shown": 1,
                "hint_times": ["2026-11-30T09:10:00+00:00"],
                "first_modified": "a",
                "last_modified": "b",
                "last_check": "c",
            }
        },
    }
    assert Manifest.from_dict(json.loads(json.dumps(kept))) == Manifest(
        "Zoë", "2026-11-30T10:00:00+00:00", {}, {"fastapi": "0.115.6"}, {"q02": activity}
    )
    assert Manifest.from_dict({}) == Manifest()


def test_the_grader_s_versions_are_this_python_and_its_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    assert grader_versions() == {
        "python": platform.python_version(),
        "fastapi": importlib.metadata.version("fastapi"),
        "starlette": importlib.metadata.version("starlette"),
        "pydantic": importlib.metadata.version("pydantic"),
    }

    def absent(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", absent)
    assert grader_versions() == {"python": platform.python_version(), "fastapi": "", "starlette": "", "pydantic": ""}
