"""A full disk stops a run: it is no student's fault, so it must never become one student's ``error``.

SQLite says ``database or disk is full`` (``SQLITE_FULL``); a file write says ``ENOSPC`` (or ``EDQUOT`` over a
quota). Wherever grading writes (the gradebook, the scratch folder where archives are unpacked and files taken
in, the reports), such an error is let through untouched, and ``grade`` ends with one line and
``EXIT_DISK_FULL``. The gradebook rolls back the transaction it was in, so nothing half-made is stored, and the
same command resumes once there is room.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["EXIT_DISK_FULL", "DiskFull", "atomic", "describe", "is_disk_full"]

EXIT_DISK_FULL = 3
_SQLITE_FULL = 13
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class DiskFull(OSError):
    """A write failed for want of space (``errno`` is ``ENOSPC``); the message says what was being written."""

    def __init__(self, what: str) -> None:
        super().__init__(errno.ENOSPC, f"the disk is full: {what} could not be written")


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or the error it was raised from) says the disk or a quota is full."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _NO_SPACE:
            return True
        if isinstance(current, sqlite3.Error) and (
            getattr(current, "sqlite_errorcode", 0) & 0xFF == _SQLITE_FULL or "disk is full" in str(current)
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


def describe(exc: BaseException) -> str:
    """One line for the user: what could not be written (``exc`` is one that ``is_disk_full``)."""
    if isinstance(exc, DiskFull):
        return str(exc.strerror)
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"the disk is full: {exc.filename} could not be written"
    return f"the disk is full ({exc})"


@contextmanager
def atomic(db: sqlite3.Connection, what: str) -> Iterator[sqlite3.Connection]:
    """One atomic write to ``db`` (opened with ``isolation_level=None``): committed whole, or rolled back whole
    (a failed COMMIT included).

    SQLite may already have rolled back after ``SQLITE_FULL``; the ROLLBACK is then skipped. A write that failed
    for want of space is raised as ``DiskFull`` naming ``what`` (the gradebook and the review tables share this).
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException as exc:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        if is_disk_full(exc) and not isinstance(exc, DiskFull):
            raise DiskFull(what) from exc
        raise
