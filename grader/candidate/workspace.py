"""The candidate's files: resetting a stub (after a backup) and packing a submission with its manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from grader import __version__
from grader.catalogue import Question
from grader.kit import exercises_dir, state_dir
from grader.submissions import MANIFEST_NAME

__all__ = ["WorkspaceError", "backup_and_reset", "original_stub", "write_submission"]


class WorkspaceError(Exception):
    """Something the candidate can fix; the message says how."""


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def original_stub(question: Question) -> Path:
    return state_dir() / "original" / question.filename


def backup_and_reset(question: Question) -> Path | None:
    """Restore the pristine stub, first copying the candidate's file to ``.fastlings/backups/``.

    Returns the backup's path (None when there was no file to keep). Nothing is ever deleted.
    """
    pristine = original_stub(question)
    if not pristine.is_file():
        raise WorkspaceError(f"no pristine copy of {question.filename} in {pristine.parent}: is this a candidate pack?")
    current = exercises_dir() / question.filename
    backup = None
    if current.exists():
        backups = state_dir() / "backups"
        backups.mkdir(parents=True, exist_ok=True)
        backup = backups / f"{question.module_name}.{_stamp()}.py"
        counter = 1
        while backup.exists():
            backup = backups / f"{question.module_name}.{_stamp()}-{counter}.py"
            counter += 1
        shutil.copy2(current, backup)
    shutil.copyfile(pristine, current)
    return backup


def write_submission(questions: tuple[Question, ...], out: Path | None = None) -> Path:
    """Zip the candidate's exercise files with a manifest of their hashes and the kit version."""
    files = [exercises_dir() / q.filename for q in questions if (exercises_dir() / q.filename).is_file()]
    if not files:
        raise WorkspaceError(f"no exercise files in {exercises_dir()} to submit")
    out = out or Path.cwd() / f"submission-{_stamp()}.zip"
    if out.exists():
        raise WorkspaceError(f"{out} already exists: choose another name with --output")
    manifest = {
        "kit_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, f"exercises/{path.name}")
        archive.writestr(MANIFEST_NAME, json.dumps(manifest, indent=2))
    return out
