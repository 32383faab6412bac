"""Writing to the gradebook: a submission, each question's result the moment it is graded, and what is forgotten.

Each write is one transaction (``grader.book.diskfull.atomic``): committed whole or rolled back whole, and a write
that fails for want of space raises ``DiskFull`` with nothing half-made stored. Every text a submission controls
(its name and source path, problem, warnings, messages, test names, flags, its time) is made ``printable`` before
it is stored, so a lone surrogate or a control character can never make a write raise. ``RecordsResults`` is the
writing half of ``grader.book.gradebook.Gradebook``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from grader.book.diskfull import atomic
from grader.book.manifest import Manifest
from grader.book.results import QuestionResult, RawRun
from grader.book.settings import AssignmentSettings, read_settings, write_settings
from grader.text.safetext import printable

__all__ = ["RecordsResults"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _lines(items: Iterable[str]) -> str:
    """Several texts in one column, one per line (``printable`` leaves no line break inside any of them)."""
    return "\n".join(printable(item) for item in items)


class RecordsResults:
    """The writes of one gradebook, seen through one assignment (a part of ``Gradebook``, which opens ``_db``)."""

    path: Path
    assignment: str
    _db: sqlite3.Connection

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One atomic write (see ``grader.book.diskfull.atomic``): a full disk raises ``DiskFull`` naming the file."""
        return atomic(self._db, f"the gradebook {self.path}")

    def submission_id(
        self,
        name: str,
        content_hash: str,
        kit_version: str,
        source: str,
        problem: str = "",
        warnings: Iterable[str] = (),
        manifest: Manifest | None = None,
        submitted_at: str = "",
        time_source: str = "",
    ) -> int:
        """The id of this exact submission in this assignment, created on first sight."""
        recorded = json.dumps(manifest.to_dict()) if manifest is not None and not manifest.problem else ""
        name, source, problem, submitted_at = map(printable, (name, source, problem, submitted_at))
        with self._transaction() as db:
            db.execute(
                "INSERT INTO submissions (name, content_hash, kit_version, source, problem, warnings, graded_at,"
                " manifest, assignment, submitted_at, time_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (assignment, name, content_hash, kit_version)"
                " DO UPDATE SET source = excluded.source, problem = excluded.problem, warnings = excluded.warnings,"
                " graded_at = excluded.graded_at, manifest = excluded.manifest, submitted_at = excluded.submitted_at,"
                " time_source = excluded.time_source",
                (
                    name,
                    content_hash,
                    kit_version,
                    source,
                    problem,
                    _lines(warnings),
                    _now(),
                    recorded,
                    self.assignment,
                    submitted_at,
                    time_source,
                ),
            )
            row = db.execute(
                "SELECT id FROM submissions WHERE assignment = ? AND name = ? AND content_hash = ? AND kit_version = ?",
                (self.assignment, name, content_hash, kit_version),
            ).fetchone()
        return int(row[0])

    def forget(self, submission_id: int, question_ids: Iterable[str]) -> None:
        """Drop stored results so they are graded again (``--regrade``)."""
        with self._transaction() as db:
            for qid in question_ids:
                db.execute(
                    "DELETE FROM question_results WHERE submission_id = ? AND question_id = ?", (submission_id, qid)
                )
                db.execute("DELETE FROM test_results WHERE submission_id = ? AND question_id = ?", (submission_id, qid))

    def copy_result(self, question_id: str, source_id: int, target_id: int) -> None:
        """Give ``target_id`` the stored result of ``source_id`` for a byte-identical file, atomically."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO question_results SELECT ?, question_id, slug, title, level, status, points,"
                " max_points, tests_passed, tests_total, tests_skipped, duration_s, message, ?, file_hash,"
                " kit_version, flags, sandbox"
                " FROM question_results WHERE submission_id = ? AND question_id = ?",
                (target_id, _now(), source_id, question_id),
            )
            db.execute("DELETE FROM test_results WHERE submission_id = ? AND question_id = ?", (target_id, question_id))
            db.execute(
                "INSERT INTO test_results SELECT ?, question_id, test, outcome, message FROM test_results"
                " WHERE submission_id = ? AND question_id = ? ORDER BY rowid",  # in the order the tests ran
                (target_id, source_id, question_id),
            )

    def record(
        self,
        submission_id: int,
        result: QuestionResult,
        run: RawRun,
        file_hash: str,
        kit_version: str,
        content: bytes | None = None,
    ) -> None:
        """Store one question's result, its per-test outcomes and the graded file atomically.

        The file's text is kept once per hash, so the interviewer's view (its diff against the stub) works
        from the gradebook alone, long after the submission's folder or archive is gone.
        """
        with self._transaction() as db:
            if content is not None and file_hash:
                db.execute("INSERT OR IGNORE INTO files VALUES (?, ?)", (file_hash, content))
            db.execute(
                "INSERT OR REPLACE INTO question_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    submission_id,
                    result.id,
                    result.slug,
                    result.title,
                    result.level,
                    result.status,
                    result.points,
                    result.max_points,
                    result.tests_passed,
                    result.tests_total,
                    result.tests_skipped,
                    result.duration_s,
                    printable(result.message),
                    _now(),
                    file_hash,
                    kit_version,
                    _lines(result.flags),
                    ",".join(result.sandbox),
                ),
            )
            db.execute(
                "DELETE FROM test_results WHERE submission_id = ? AND question_id = ?", (submission_id, result.id)
            )
            db.executemany(
                "INSERT INTO test_results VALUES (?, ?, ?, ?, ?)",
                [(submission_id, result.id, printable(t.name), t.outcome, printable(t.message)) for t in run.tests],
            )

    def remove(self, name: str) -> int:
        """Delete every submission of student ``name`` in this assignment, with its results; how many."""
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM submissions WHERE assignment = ? AND name = ?", (self.assignment, printable(name))
            )
        return cursor.rowcount

    def set_deadline(self, due: str, late_policy: str) -> None:
        """Remember the due date and late policy, so that later reports apply the same ones."""
        self.update_settings(due=due, late_policy=late_policy)

    def update_settings(self, **changes: object) -> AssignmentSettings:
        """Remember what is given (the fields of ``AssignmentSettings`` but ``name``); return the settings now."""
        merged = replace(read_settings(self._db, self.assignment), **changes)  # type: ignore[arg-type]
        with self._transaction() as db:
            write_settings(db, self.assignment, merged)
        return merged
