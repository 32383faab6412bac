"""The gradebook: every result of every batch, kept in one SQLite file that survives crashes.

Each question's result is committed in its own transaction the moment its process ends, so a batch killed
at any point (Ctrl-C, a crash, ``kill -9``) loses only the questions that were still running; re-running
the batch grades just those. A submission is identified by its name (the student id), the hash of its
exercise files and the grading key (the kit version and a hash of the hidden tests, the grading code, the
libraries and the system tools they use: see ``grader.fingerprint``); stored in the ``kit_version`` columns.
An unchanged submission is never graded twice under one key unless asked. Each
result also carries the hash of the file it graded, so a byte-identical file (an untouched stub, a shared
copy) is graded once per grading key and its result reused for every other submission that holds it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader.results import QuestionResult, RawRun, SubmissionResult, TestFailure

__all__ = ["DEFAULT_GRADEBOOK", "Gradebook", "GradebookError", "StoredSubmission"]

DEFAULT_GRADEBOOK = Path("gradebook.sqlite3")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    kit_version TEXT NOT NULL,
    source TEXT NOT NULL,
    problem TEXT NOT NULL DEFAULT '',
    warnings TEXT NOT NULL DEFAULT '',
    graded_at TEXT NOT NULL,
    UNIQUE (name, content_hash, kit_version)
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
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredSubmission:
    """A submission as the gradebook knows it: its identity and its latest results."""

    id: int
    name: str
    content_hash: str
    kit_version: str
    source: str
    problem: str
    warnings: tuple[str, ...]
    graded_at: str
    result: SubmissionResult


_OUR_TABLES = {"submissions", "question_results", "test_results"}


class GradebookError(Exception):
    """The path is not a gradebook this kit can use; nothing was written to it."""


class Gradebook:
    def __init__(self, path: Path) -> None:
        self.path = path
        if path.exists() and not path.is_file():
            raise GradebookError(f"{path} is not a file")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise GradebookError(f"{path} is not a gradebook ({exc})") from exc
        if tables - _OUR_TABLES:
            self._db.close()
            raise GradebookError(f"{path} is a database of something else: give --gradebook a new file")
        # A trigger or a view can rewrite marks behind every later insert or read: the kit never makes one.
        extras = self._db.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')").fetchall()
        if extras:
            self._db.close()
            named = ", ".join(f"{kind} {name}" for kind, name in extras)
            raise GradebookError(f"{path} holds a {named} that the kit never creates: refusing to use it")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(question_results)")}
        if "sandbox" not in columns:  # a gradebook from before the sandbox: layers unknown for its rows
            self._db.execute("ALTER TABLE question_results ADD COLUMN sandbox TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def submission_id(
        self,
        name: str,
        content_hash: str,
        kit_version: str,
        source: str,
        problem: str = "",
        warnings: Iterable[str] = (),
    ) -> int:
        """The id of this exact submission, created on first sight."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO submissions (name, content_hash, kit_version, source, problem, warnings, graded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (name, content_hash, kit_version)"
                " DO UPDATE SET source = excluded.source, problem = excluded.problem, warnings = excluded.warnings,"
                " graded_at = excluded.graded_at",
                (name, content_hash, kit_version, source, problem, "\n".join(warnings), _now()),
            )
            row = db.execute(
                "SELECT id FROM submissions WHERE name = ? AND content_hash = ? AND kit_version = ?",
                (name, content_hash, kit_version),
            ).fetchone()
        return int(row[0])

    def graded_questions(self, submission_id: int) -> set[str]:
        rows = self._db.execute("SELECT question_id FROM question_results WHERE submission_id = ?", (submission_id,))
        return {row[0] for row in rows}

    def forget(self, submission_id: int, question_ids: Iterable[str]) -> None:
        """Drop stored results so they are graded again (``--regrade``)."""
        with self._transaction() as db:
            for qid in question_ids:
                db.execute(
                    "DELETE FROM question_results WHERE submission_id = ? AND question_id = ?", (submission_id, qid)
                )
                db.execute("DELETE FROM test_results WHERE submission_id = ? AND question_id = ?", (submission_id, qid))

    def find_graded_file(self, question_id: str, file_hash: str, kit_version: str) -> int | None:
        """A submission already graded on a byte-identical file for this question, under the same kit."""
        row = self._db.execute(
            "SELECT submission_id FROM question_results WHERE question_id = ? AND file_hash = ? AND kit_version = ?"
            " LIMIT 1",
            (question_id, file_hash, kit_version),
        ).fetchone()
        return None if row is None else int(row[0])

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

    def record(self, submission_id: int, result: QuestionResult, run: RawRun, file_hash: str, kit_version: str) -> None:
        """Store one question's result and its per-test outcomes atomically (replacing any earlier one)."""
        with self._transaction() as db:
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
                    result.message,
                    _now(),
                    file_hash,
                    kit_version,
                    "\n".join(result.flags),
                    ",".join(result.sandbox),
                ),
            )
            db.execute(
                "DELETE FROM test_results WHERE submission_id = ? AND question_id = ?", (submission_id, result.id)
            )
            db.executemany(
                "INSERT INTO test_results VALUES (?, ?, ?, ?, ?)",
                [(submission_id, result.id, t.name, t.outcome, t.message) for t in run.tests],
            )

    def _question_results(self, submission_id: int, question_ids: set[str] | None) -> tuple[QuestionResult, ...]:
        failures: dict[str, list[TestFailure]] = {}
        for qid, test, message in self._db.execute(
            "SELECT question_id, test, message FROM test_results"
            " WHERE submission_id = ? AND outcome IN ('failed', 'error') ORDER BY rowid",
            (submission_id,),
        ):
            failures.setdefault(qid, []).append(TestFailure(test, message))
        results = []
        for row in self._db.execute(
            "SELECT question_id, slug, title, level, status, points, max_points, tests_passed, tests_total,"
            " tests_skipped, duration_s, message, flags, sandbox FROM question_results WHERE submission_id = ?"
            " ORDER BY question_id",
            (submission_id,),
        ):
            if question_ids is not None and row[0] not in question_ids:
                continue
            flags = tuple(filter(None, row[12].split("\n")))
            layers = tuple(filter(None, row[13].split(",")))
            results.append(
                QuestionResult(*row[:12], failures=tuple(failures.get(row[0], ())), flags=flags, sandbox=layers)
            )
        return tuple(results)

    def load(self, submission_id: int, question_ids: set[str] | None = None) -> StoredSubmission:
        """One stored submission with its results (all questions, or those in ``question_ids``)."""
        row = self._db.execute(
            "SELECT id, name, content_hash, kit_version, source, problem, warnings, graded_at"
            " FROM submissions WHERE id = ?",
            (submission_id,),
        ).fetchone()
        if row is None:
            raise KeyError(submission_id)
        sid, name, digest, version, source, problem, warnings, graded_at = row
        questions = self._question_results(sid, question_ids)
        result = SubmissionResult(target=name, questions=questions, duration_s=sum(q.duration_s for q in questions))
        notes = tuple(filter(None, warnings.split("\n")))
        return StoredSubmission(sid, name, digest, version, source, problem, notes, graded_at, result)

    def latest(self, question_ids: set[str] | None = None) -> list[StoredSubmission]:
        """Each student's most recently graded submission, by name."""
        rows = self._db.execute(
            "SELECT id FROM submissions s WHERE id = (SELECT id FROM submissions t WHERE t.name = s.name"
            " ORDER BY graded_at DESC, id DESC LIMIT 1) ORDER BY name"
        ).fetchall()
        return [self.load(row[0], question_ids) for row in rows]
