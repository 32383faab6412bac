"""The manifest ``fastlings submit`` writes into a submission: read defensively, compared, summarised.

The manifest is written on the candidate's machine, so it is untrusted data: every field is checked for its
type and size, unknown keys are dropped, strings are made printable, and file names must be the kit's own
exercise files (a key such as ``/proc/self/mem`` or ``../../x`` is never opened). What survives serves two
readers: the grader's warnings (files changed after submit, library versions that differ from the grader's)
and the interviewer's view (per question, the hints the candidate asked for and when, and when the file was
first and last changed).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.kit.catalogue import load_catalogue
from grader.text.safetext import printable

__all__ = ["MANIFEST_NAME", "Manifest", "QuestionActivity", "grader_versions", "read_manifest"]

MANIFEST_NAME = "manifest.json"
_MAX_MANIFEST_BYTES = 256 * 1024
_MAX_TEXT = 200
_MAX_HINT_TIMES = 20
# The libraries whose versions decide how an answer behaves (the candidate's pack records the same ones).
COMPARED_LIBRARIES = ("fastapi", "starlette", "pydantic")


@dataclass(frozen=True)
class QuestionActivity:
    """What the candidate's loop recorded for one question (empty strings when unknown)."""

    hints_shown: int = 0
    hint_times: tuple[str, ...] = ()
    first_modified: str = ""
    last_modified: str = ""
    last_check: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "hints_shown": self.hints_shown,
            "hint_times": list(self.hint_times),
            "first_modified": self.first_modified,
            "last_modified": self.last_modified,
            "last_check": self.last_check,
        }


@dataclass(frozen=True)
class Manifest:
    """The checked content of a manifest; ``problem`` says why it could not be used (then the rest is empty)."""

    candidate: str = ""
    created_at: str = ""
    files: dict[str, str] = field(default_factory=dict)  # exercise file name -> sha256 at submit time
    versions: dict[str, str] = field(default_factory=dict)
    activity: dict[str, QuestionActivity] = field(default_factory=dict)  # question id -> activity
    strangers: tuple[str, ...] = ()  # keys of ``files`` that are not exercise files
    problem: str = ""

    def warnings(self, folder: Path) -> tuple[str, ...]:
        """What a reader must know: an unusable manifest, files changed after submit, other library versions."""
        if self.problem:
            return (self.problem,)
        if self.strangers:
            return (f"the manifest names files that are not exercises: {', '.join(map(repr, self.strangers))[:200]}",)
        found: list[str] = []
        changed = sorted(
            name
            for name, expected in self.files.items()
            if (folder / name).is_file() and hashlib.sha256((folder / name).read_bytes()).hexdigest() != expected
        )
        if changed:
            found.append(f"files changed after submit: {', '.join(changed)}")
        ours = grader_versions()
        differ = [
            f"{name} {theirs} (grading runs {ours[name]})"
            for name, theirs in sorted(self.versions.items())
            if name in ours and theirs and ours[name] and _release(theirs) != _release(ours[name])
        ]
        if differ:
            found.append(f"practised on other versions: {', '.join(differ)}")
        return tuple(found)

    def to_dict(self) -> dict[str, Any]:
        """What the gradebook keeps (JSON): enough for the interviewer's view, nothing the grader did not check."""
        return {
            "candidate": self.candidate,
            "created_at": self.created_at,
            "versions": self.versions,
            "activity": {qid: a.to_dict() for qid, a in self.activity.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """The inverse of ``to_dict`` (for what the gradebook stored)."""
        return _parse({"questions": data.get("activity", {}), **data}, known_files=set())


def _release(version: str) -> str:
    """``3.11.7`` -> ``3.11``, ``0.165.0`` -> ``0.165``: patch releases do not change how answers behave."""
    return ".".join(version.split(".")[:2])


def grader_versions() -> dict[str, str]:
    """This grader's Python and library versions, under the manifest's names."""
    versions = {"python": platform.python_version()}
    for name in COMPARED_LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = ""
    return versions


def _text(value: object) -> str:
    return printable(value)[:_MAX_TEXT] if isinstance(value, str) else ""


def _time_text(value: object) -> str:
    """A time as written; a value that is not even a string (``20261201``, ``null``, a list) as its JSON and
    ``(not a string)``: a time that is no time (reported, never taken as "not late"), not a time left out."""
    if isinstance(value, str):
        return _text(value)
    return printable(json.dumps(value)[:_MAX_TEXT] + " (not a string)")[:_MAX_TEXT]


def _activity(record: object) -> QuestionActivity:
    if not isinstance(record, dict):
        return QuestionActivity()
    hints = record.get("hints_shown", 0)
    times = record.get("hint_times", [])
    last_check = _text(record.get("last_check", "")) or _text(record.get("checked_at", ""))
    return QuestionActivity(
        hints_shown=hints if isinstance(hints, int) and 0 <= hints < 1000 else 0,
        hint_times=tuple(_text(t) for t in times[:_MAX_HINT_TIMES]) if isinstance(times, list) else (),
        first_modified=_text(record.get("first_modified", "")),
        last_modified=_text(record.get("last_modified", "")),
        last_check=last_check,
    )


def _parse(data: dict[str, Any], known_files: set[str]) -> Manifest:
    files = data.get("files", {})
    if not isinstance(files, dict):
        return Manifest(problem="the manifest is unreadable")
    ids = {q.id for q in load_catalogue()}
    questions = data.get("questions", {})
    versions = data.get("versions", {})
    return Manifest(
        candidate=_text(data.get("candidate", "")),
        created_at=_time_text(data.get("created_at", "")),
        files={name: value for name, value in files.items() if name in known_files and isinstance(value, str)},
        versions={k: _text(v) for k, v in versions.items() if k in (*COMPARED_LIBRARIES, "python")}
        if isinstance(versions, dict)
        else {},
        activity={qid: _activity(rec) for qid, rec in questions.items() if qid in ids}
        if isinstance(questions, dict)
        else {},
        strangers=tuple(sorted(printable(name)[:80] for name in files if name not in known_files))
        if known_files
        else (),
    )


def read_manifest(*candidates: Path) -> Manifest | None:
    """The first of ``candidates`` that exists, read and checked; None when there is no manifest at all."""
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return None
    try:
        if path.stat().st_size > _MAX_MANIFEST_BYTES:
            return Manifest(problem="the manifest is too large to read")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError, RecursionError):  # RecursionError: arrays nested a hundred thousand deep
        return Manifest(problem="the manifest is unreadable")
    if not isinstance(data, dict):
        return Manifest(problem="the manifest is unreadable")
    return _parse(data, known_files={q.filename for q in load_catalogue()})
