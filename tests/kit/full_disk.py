"""A SQLite connection that refuses chosen statements as SQLite does when the disk is full, for the kit's tests.

The disk-full paths (``grader.book.diskfull``) are reached through a real connection with one statement made to
fail: everything else, the transaction state included, is the real connection's.
"""

from __future__ import annotations

import sqlite3
from typing import Any

FULL_DISK = "database or disk is full"  # SQLite's own words for SQLITE_FULL


class RefusingConnection:
    """``db`` whose statements starting with ``statement`` fail with ``error`` (a new ``OperationalError`` saying
    the disk is full when none is given), once ``after`` of them have gone through. Attributes read and set (a
    ``text_factory``) are the real connection's."""

    def __init__(
        self, db: sqlite3.Connection, statement: str, error: BaseException | None = None, after: int = 0
    ) -> None:
        object.__setattr__(self, "_db", db)
        object.__setattr__(self, "_statement", statement)
        object.__setattr__(self, "_error", error)
        object.__setattr__(self, "_left", after)

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.startswith(self._statement):
            if self._left == 0:
                raise self._error if self._error is not None else sqlite3.OperationalError(FULL_DISK)
            object.__setattr__(self, "_left", self._left - 1)
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._db, name, value)
