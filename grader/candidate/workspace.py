"""The candidate's files: backups, resetting a stub, restoring a backup, and packing a submission with its manifest.

Nothing the candidate wrote is ever lost: a reset or a restore first copies the current file into
``.fastlings/backups/`` (unless it is the untouched stub, which the pack keeps anyway), and backups are never
written over.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader import __version__
from grader.book.manifest import grader_versions
from grader.candidate.state import Progress, now_iso
from grader.kit import exercises_dir, state_dir
from grader.kit.catalogue import Question

__all__ = [
    "ResetResult",
    "WorkspaceError",
    "backup_and_reset",
    "is_untouched",
    "latest_backup",
    "original_stub",
    "restore_backup",
    "submission_name",
    "write_submission",
]

_BACKUP_RE = re.compile(r"^(?P<module>q\d\d_[a-z0-9_]+)\.(?P<stamp>\d{8}-\d{6})(?:-(?P<counter>\d+))?\.py$")


class WorkspaceError(Exception):
    """Something the candidate can fix; the message says how."""


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def original_stub(question: Question) -> Path:
    return state_dir() / "original" / question.filename


def _backups_dir() -> Path:
    return state_dir() / "backups"


def is_untouched(question: Question) -> bool | None:
    """Whether the candidate's file is still the pack's stub, byte for byte (None: no pristine copy to compare)."""
    pristine, current = original_stub(question), exercises_dir() / question.filename
    if not pristine.is_file():
        return None
    try:
        return current.is_file() and current.read_bytes() == pristine.read_bytes()
    except OSError:
        return None


def _backup(question: Question) -> Path:
    current = exercises_dir() / question.filename
    _backups_dir().mkdir(parents=True, exist_ok=True)
    backup = _backups_dir() / f"{question.module_name}.{_stamp()}.py"
    counter = 1
    while backup.exists():
        backup = _backups_dir() / f"{question.module_name}.{_stamp()}-{counter}.py"
        counter += 1
    shutil.copy2(current, backup)
    return backup


def latest_backup(question: Question) -> Path | None:
    """The newest backup of ``question``'s file, by the time in its name (then its counter)."""
    found = []
    if _backups_dir().is_dir():
        for path in _backups_dir().iterdir():
            match = _BACKUP_RE.match(path.name)
            if match and match["module"] == question.module_name and path.is_file():
                found.append((match["stamp"], int(match["counter"] or 0), path))
    return max(found)[2] if found else None


@dataclass(frozen=True)
class ResetResult:
    backup: Path | None  # where the candidate's version went (None: there was nothing to keep)
    untouched: bool = False  # the file already was the stub: nothing was written


def backup_and_reset(question: Question) -> ResetResult:
    """Restore the pristine stub, first copying the candidate's file to ``.fastlings/backups/``.

    An untouched stub is left alone: no backup (it would be a copy of the stub) and no write.
    """
    pristine = original_stub(question)
    if not pristine.is_file():
        raise WorkspaceError(f"no pristine copy of {question.filename} in {pristine.parent}: is this a candidate pack?")
    current = exercises_dir() / question.filename
    if is_untouched(question):
        return ResetResult(None, untouched=True)
    backup = _backup(question) if current.exists() else None
    shutil.copyfile(pristine, current)
    return ResetResult(backup)


def restore_backup(question: Question) -> tuple[Path, Path | None]:
    """Put the latest backup back in place; the current file is backed up first (unless it is the stub or a
    backup already holds it). Restoring twice in a row swaps back: the second restore undoes the first.

    Returns (the backup restored, the backup of the file it replaced or None).
    """
    source = latest_backup(question)
    if source is None:
        raise WorkspaceError(f"no backup of {question.filename} in {_backups_dir()}: `fastlings reset` makes them")
    current = exercises_dir() / question.filename
    if current.is_file() and current.read_bytes() == source.read_bytes():
        raise WorkspaceError(f"{current} is already the same as {source.name}")
    keep = current.is_file() and not is_untouched(question) and not _backed_up(question, current.read_bytes())
    saved = _backup(question) if keep else None
    shutil.copyfile(source, current)
    return source, saved


def _backed_up(question: Question, content: bytes) -> bool:
    """Whether some backup of ``question`` already holds exactly ``content``."""
    if not _backups_dir().is_dir():
        return False
    return any(
        path.read_bytes() == content
        for path in _backups_dir().iterdir()
        if (match := _BACKUP_RE.match(path.name)) and match["module"] == question.module_name and path.is_file()
    )


def submission_name(name: str) -> str:
    """The candidate's name as it goes into a file name: lower-case letters and digits joined by dashes.

    Accents come off Latin letters (``Zoë Ångström`` → ``zoe-angstrom``); letters of other scripts are kept as
    they are (``李雷`` → ``李雷``, ``Дмитрий`` → ``дмитрий``, ``Ελένη`` → ``ελένη``), so the zip still names its
    author. Punctuation, spaces and anything else a file name should not hold become single dashes.
    """
    letters = []
    for ch in unicodedata.normalize("NFC", name.casefold()):
        bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        letters.append(bare if bare.isascii() else ch)  # é → e, but й stays й (и is another letter)
    slug = "".join(ch if ch.isalnum() else "-" for ch in "".join(letters))
    slug = re.sub(r"-+", "-", slug).strip("-")
    return slug[:60].strip("-") or "candidate"


def _question_record(question: Question, path: Path, progress: Progress | None) -> dict[str, object]:
    state = progress.get(question.id) if progress is not None else None
    modified = now_iso(path.stat().st_mtime)
    untouched = is_untouched(question)
    return {
        "status": state.status if state else "unchecked",
        "checked_at": state.checked_at if state else "",
        "untouched": untouched,
        "hints_shown": state.hints_shown if state else 0,
        "hint_times": list(state.hint_times) if state else [],
        "first_modified": "" if untouched else min(state.first_modified or modified, modified) if state else modified,
        "last_modified": "" if untouched else modified,
    }


def write_submission(
    questions: tuple[Question, ...], out: Path | None = None, *, name: str = "", progress: Progress | None = None
) -> Path:
    """Zip the candidate's exercise files with a manifest: their hashes, the kit version, the candidate's name,
    and per question the last check, the hints shown (with times) and when the file was first and last changed.
    """
    import json
    import zipfile

    from grader.book.submissions import MANIFEST_NAME  # imported here: `fastlings check` never needs it

    files = [exercises_dir() / q.filename for q in questions if (exercises_dir() / q.filename).is_file()]
    if not files:
        raise WorkspaceError(f"no exercise files in {exercises_dir()} to submit")
    stem = f"submission-{submission_name(name)}-{_stamp()}" if name else f"submission-{_stamp()}"
    out = out or Path.cwd() / f"{stem}.zip"
    if out.exists():
        raise WorkspaceError(f"{out} already exists: choose another name with --output")
    manifest = {
        "kit_version": __version__,
        "created_at": now_iso(),
        "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
        "candidate": name,
        "versions": grader_versions(),  # the same probe `grade` compares them with
        "questions": {
            q.id: _question_record(q, exercises_dir() / q.filename, progress)
            for q in questions
            if (exercises_dir() / q.filename).is_file()
        },
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, f"exercises/{path.name}")
        archive.writestr(MANIFEST_NAME, json.dumps(manifest, indent=2))
    return out
