"""The gradebook's SQLite file: its tables, the checks before it is used, and the migrations of older files.

Opening is where a gradebook is trusted or refused: a file that is not SQLite, a database of something else, or
one holding a trigger or a view (either could rewrite marks behind every later insert or read) is refused with
``GradebookError`` before anything is written to it. An accepted file is put in WAL mode with foreign keys on,
gets every table it lacks (the review tables too, ``grader.book.review_store``), and an older gradebook's tables
are brought to the current columns in place, its rows kept.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from grader.book.diskfull import atomic
from grader.book.review_store import REVIEW_TABLES, ensure_review_schema

__all__ = ["SETTINGS_COLUMNS", "GradebookError", "open_gradebook"]

_SUBMISSIONS_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    kit_version TEXT NOT NULL,
    source TEXT NOT NULL,
    problem TEXT NOT NULL DEFAULT '',
    warnings TEXT NOT NULL DEFAULT '',
    graded_at TEXT NOT NULL,
    manifest TEXT NOT NULL DEFAULT '',
    assignment TEXT NOT NULL DEFAULT 'default',
    submitted_at TEXT NOT NULL DEFAULT '',
    time_source TEXT NOT NULL DEFAULT '',
    UNIQUE (assignment, name, content_hash, kit_version)
);
"""
# What an assignment remembers beyond its due date (each a column of ``assignments``, '' when never given):
# its questions (ids, one per line), its points ({id: points} JSON, overriding the catalogue), its roster (JSON),
# the name of its LMS column, the submission times the teacher gave ({student: ISO time} JSON), and where its
# questions were first given (``grade pack`` or the first grading).
SETTINGS_COLUMNS = ("questions", "points", "roster", "lms_column", "times", "origin")
_SCHEMA = (
    _SUBMISSIONS_TABLE.format(name="submissions")
    + """
CREATE TABLE IF NOT EXISTS assignments (
    name TEXT PRIMARY KEY,
    due TEXT NOT NULL DEFAULT '',
    late_policy TEXT NOT NULL DEFAULT ''{settings}
);
CREATE TABLE IF NOT EXISTS question_results (
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    points REAL NOT NULL,
    max_points REAL NOT NULL,
    tests_passed INTEGER NOT NULL,
    tests_total INTEGER NOT NULL,
    tests_skipped INTEGER NOT NULL,
    duration_s REAL NOT NULL,
    message TEXT NOT NULL,
    graded_at TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    kit_version TEXT NOT NULL,
    flags TEXT NOT NULL,
    sandbox TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (submission_id, question_id)
);
CREATE INDEX IF NOT EXISTS results_by_file ON question_results (question_id, file_hash, kit_version);
CREATE TABLE IF NOT EXISTS test_results (
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    test TEXT NOT NULL,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (submission_id, question_id, test)
);
CREATE TABLE IF NOT EXISTS files (
    file_hash TEXT PRIMARY KEY,
    content BLOB NOT NULL
);
"""
).replace("{settings}", "".join(f",\n    {column} TEXT NOT NULL DEFAULT ''" for column in SETTINGS_COLUMNS))
_OUR_TABLES = {"submissions", "question_results", "test_results", "files", "assignments"} | REVIEW_TABLES
# Columns of `submissions` in the order of the current schema, for rebuilding an older gradebook's table.
_SUBMISSION_COLUMNS = (
    "id, name, content_hash, kit_version, source, problem, warnings, graded_at, manifest, assignment, submitted_at,"
    " time_source"
)


class GradebookError(Exception):
    """The path is not a gradebook this kit can use; nothing was written to it."""


def _decoded(data: bytes) -> str:
    """A TEXT value as read: UTF-8, an invalid byte kept (surrogateescape) for ``printable`` to show, never raising."""
    return data.decode("utf-8", errors="surrogateescape")


def open_gradebook(path: Path) -> sqlite3.Connection:
    """The gradebook at ``path`` (created when absent), checked, set up and migrated; ``GradebookError`` if refused.

    The connection is in autocommit mode (``isolation_level=None``): every write goes through
    ``grader.book.diskfull.atomic``.
    """
    if path.exists() and not path.is_file():
        raise GradebookError(f"{path} is not a file")
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.text_factory = _decoded
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        db.close()
        raise GradebookError(f"{path} is not a gradebook ({exc})") from exc
    if tables - _OUR_TABLES:
        db.close()
        raise GradebookError(f"{path} is a database of something else: give --gradebook a new file")
    # A trigger or a view can rewrite marks behind every later insert or read: the kit never makes one.
    extras = db.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')").fetchall()
    if extras:
        db.close()
        named = ", ".join(f"{kind} {name}" for kind, name in extras)
        raise GradebookError(f"{path} holds a {named} that the kit never creates: refusing to use it")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(_SCHEMA)
    ensure_review_schema(db)  # the human half, in tables of its own (an older gradebook gets them)
    _migrate(db, path)
    return db


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring an older gradebook's tables to the current columns (each step a no-op on a current one)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(question_results)")}
    if "sandbox" not in columns:  # a gradebook from before the sandbox: layers unknown for its rows
        db.execute("ALTER TABLE question_results ADD COLUMN sandbox TEXT NOT NULL DEFAULT ''")
    submission_columns = {row[1] for row in db.execute("PRAGMA table_info(submissions)")}
    if "assignment" not in submission_columns:
        _add_assignments(db, path, submission_columns)
    elif "time_source" not in submission_columns:  # from before the source of a time was kept: unknown
        db.execute("ALTER TABLE submissions ADD COLUMN time_source TEXT NOT NULL DEFAULT ''")
    assignment_columns = {row[1] for row in db.execute("PRAGMA table_info(assignments)")}
    for column in SETTINGS_COLUMNS:  # an assignment from before it remembered more than its due date
        if column not in assignment_columns:
            db.execute(f"ALTER TABLE assignments ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")


def _add_assignments(db: sqlite3.Connection, path: Path, columns: set[str]) -> None:
    """Rebuild an older gradebook's submissions table with the assignment column in its unique key.

    SQLite cannot change a table's constraints in place; foreign keys are off for the copy so that
    dropping the old table does not cascade to the results. Old rows join the default assignment.
    """
    kept = [c.strip() for c in _SUBMISSION_COLUMNS.split(",") if c.strip() in columns]
    db.execute("PRAGMA foreign_keys=OFF")
    try:
        with atomic(db, f"the gradebook {path}"):
            db.execute(_SUBMISSIONS_TABLE.format(name="submissions_v2"))
            db.execute(f"INSERT INTO submissions_v2 ({', '.join(kept)}) SELECT {', '.join(kept)} FROM submissions")
            db.execute("DROP TABLE submissions")
            db.execute("ALTER TABLE submissions_v2 RENAME TO submissions")
    finally:
        db.execute("PRAGMA foreign_keys=ON")
