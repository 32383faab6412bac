"""The gradebook: every result of every batch, kept in one SQLite file that survives crashes.

Each question's result is committed in its own transaction the moment its process ends, so a batch killed
at any point (Ctrl-C, a crash, ``kill -9``) loses only the questions that were still running; re-running
the batch grades just those. A submission is identified by its name (the student id), the hash of its
exercise files and the grading key (the kit version and a hash of the hidden tests, the grading code, the
libraries and the system tools they use: see ``grader.book.fingerprint``); stored in the ``kit_version`` columns.
An unchanged submission is never graded twice under one key unless asked. Each
result also carries the hash of the file it graded, so a byte-identical file (an untouched stub, a shared
copy) is graded once per grading key and its result reused for every other submission that holds it.

Every text a submission controls (its name and source path, problems, warnings, messages, test names, flags,
its time) is made ``printable`` before it is stored and again when it is read back, so a lone surrogate or a
control character can neither make a write raise nor reach a report. A write that fails for want of space
rolls its transaction back and raises ``DiskFull``: nothing half-made is stored.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from grader.book.diskfull import DiskFull, is_disk_full
from grader.book.lateness import Lateness, assess
from grader.book.manifest import Manifest
from grader.book.results import QuestionResult, RawRun, SubmissionResult, TestFailure
from grader.book.review import REVIEW_TABLES, Review, ensure_review_schema, with_review
from grader.book.scoring import rescore
from grader.kit import exercises_dir
from grader.kit.catalogue import Question, load_catalogue
from grader.text.safetext import printable

__all__ = ["DEFAULT_GRADEBOOK", "AssignmentSettings", "Gradebook", "GradebookError", "StoredSubmission"]

DEFAULT_GRADEBOOK = Path("gradebook.sqlite3")
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
_SETTINGS_COLUMNS = ("questions", "points", "roster", "lms_column", "times", "origin")
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
).replace("{settings}", "".join(f",\n    {column} TEXT NOT NULL DEFAULT ''" for column in _SETTINGS_COLUMNS))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _decoded(data: bytes) -> str:
    """A TEXT value as read: UTF-8, an invalid byte kept (surrogateescape) for ``printable`` to show, never raising."""
    return data.decode("utf-8", errors="surrogateescape")


def _lines(items: Iterable[str]) -> str:
    """Several texts in one column, one per line (``printable`` leaves no line break inside any of them)."""
    return "\n".join(printable(item) for item in items)


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
    manifest: Manifest | None = None  # what `fastlings submit` recorded (hints, change times), checked
    sources: dict[str, str] = field(default_factory=dict)  # question id -> the graded file's text
    submitted_at: str = ""  # ISO 8601: the manifest's time, else the submission's file time ('' unknown)
    lateness: Lateness | None = None  # against the assignment's due date, when it has one
    # Where ``submitted_at`` comes from: "manifest" (fastlings submit), "file" (a file's modification time on the
    # grader's disk), "teacher" (a time the teacher gave, --submission-times), or "" (unknown).
    time_source: str = ""
    # The questions asked of this submission that have no stored result yet (a batch stopped or still running).
    ungraded: tuple[str, ...] = ()
    # The human review (grader.book.review): its points are already in ``result``, the auto ones in review.auto_points.
    review: Review | None = None

    @property
    def incomplete(self) -> bool:
        """Some of its questions are not graded yet: no score of it is final (every report says so)."""
        return bool(self.ungraded)

    @property
    def final_score(self) -> float:
        """The score after the late penalty (the score itself when on time or without a due date)."""
        return self.lateness.apply(self.result.score) if self.lateness else self.result.score

    @property
    def exact_final_percent(self) -> float:
        """The final score in percent, unrounded: what ``--fail-under`` compares."""
        max_score = self.result.max_score
        return 100.0 * self.final_score / max_score if max_score else 0.0

    @property
    def final_percent(self) -> float:
        return round(self.exact_final_percent, 1)

    def diff_against_stub(self, question_id: str) -> str:
        """The unified diff from the kit's stub to the graded file ('' when either is unknown)."""
        source = self.sources.get(question_id)
        question = next((q for q in self.result.questions if q.id == question_id), None)
        if source is None or question is None:
            return ""
        stub = exercises_dir() / f"{question.id}_{question.slug}.py"
        if not stub.is_file():
            return ""
        lines = difflib.unified_diff(
            stub.read_text(encoding="utf-8").splitlines(keepends=True),
            source.splitlines(keepends=True),
            fromfile=f"stub/{stub.name}",
            tofile=f"{self.name}/{stub.name}",
        )
        return "".join(lines)


_OUR_TABLES = {"submissions", "question_results", "test_results", "files", "assignments"} | REVIEW_TABLES
DEFAULT_ASSIGNMENT = "default"
# Columns of `submissions` in the order of the current schema, for rebuilding an older gradebook's table.
_SUBMISSION_COLUMNS = (
    "id, name, content_hash, kit_version, source, problem, warnings, graded_at, manifest, assignment, submitted_at,"
    " time_source"
)


@dataclass(frozen=True)
class AssignmentSettings:
    """What the gradebook remembers of one assignment, each given once and kept for every later run and report.

    Empty values were never given: ``questions`` empty means the assignment has no question set yet (the next
    grading records the one it grades), ``points`` holds only the questions whose points differ from the
    catalogue's.
    """

    name: str
    questions: tuple[str, ...] = ()
    points: dict[str, float] = field(default_factory=dict)
    due: str = ""
    late_policy: str = ""
    roster: tuple[tuple[str, str, str], ...] = ()  # (id, name, email) per expected student, in the roster's order
    lms_column: str = ""
    times: dict[str, str] = field(default_factory=dict)  # student -> the submission time the teacher gave
    origin: str = ""  # where the questions were given: "grade pack" or "first grading"

    def catalogue(self) -> tuple[Question, ...]:
        """Every question of the catalogue, at this assignment's points."""
        return tuple(replace(q, points=self.points[q.id]) if q.id in self.points else q for q in load_catalogue())

    def in_force(self) -> tuple[Question, ...]:
        """The assignment's questions at its points, in catalogue order (every question when none was given)."""
        catalogue = self.catalogue()
        return tuple(q for q in catalogue if q.id in self.questions) if self.questions else catalogue


def _json_field(text: str, default: object) -> object:
    """A JSON column as stored ('' or a value this kit wrote), ``default`` when it cannot be read."""
    if not text:
        return default
    try:
        value = json.loads(text)
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


class GradebookError(Exception):
    """The path is not a gradebook this kit can use; nothing was written to it."""


class Gradebook:
    """One SQLite gradebook, seen through one assignment (``--assignment``; ``default`` unless named).

    Every submission belongs to an assignment; results of byte-identical files are shared across
    assignments (they depend on the file and the grading key only), everything else is per assignment.
    """

    def __init__(self, path: Path, assignment: str = DEFAULT_ASSIGNMENT) -> None:
        self.path = path
        if path.exists() and not path.is_file():
            raise GradebookError(f"{path} is not a file")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self._db.text_factory = _decoded
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
        ensure_review_schema(self._db)  # the human half, in tables of its own (an older gradebook gets them)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(question_results)")}
        if "sandbox" not in columns:  # a gradebook from before the sandbox: layers unknown for its rows
            self._db.execute("ALTER TABLE question_results ADD COLUMN sandbox TEXT NOT NULL DEFAULT ''")
        submission_columns = {row[1] for row in self._db.execute("PRAGMA table_info(submissions)")}
        if "assignment" not in submission_columns:
            self._add_assignments(submission_columns)
        elif "time_source" not in submission_columns:  # from before the source of a time was kept: unknown
            self._db.execute("ALTER TABLE submissions ADD COLUMN time_source TEXT NOT NULL DEFAULT ''")
        assignment_columns = {row[1] for row in self._db.execute("PRAGMA table_info(assignments)")}
        for column in _SETTINGS_COLUMNS:  # an assignment from before it remembered more than its due date
            if column not in assignment_columns:
                self._db.execute(f"ALTER TABLE assignments ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
        self.assignment = printable(assignment)

    def _add_assignments(self, columns: set[str]) -> None:
        """Rebuild an older gradebook's submissions table with the assignment column in its unique key.

        SQLite cannot change a table's constraints in place; foreign keys are off for the copy so that
        dropping the old table does not cascade to the results. Old rows join the default assignment.
        """
        kept = [c.strip() for c in _SUBMISSION_COLUMNS.split(",") if c.strip() in columns]
        self._db.execute("PRAGMA foreign_keys=OFF")
        try:
            with self._transaction() as db:
                db.execute(_SUBMISSIONS_TABLE.format(name="submissions_v2"))
                db.execute(f"INSERT INTO submissions_v2 ({', '.join(kept)}) SELECT {', '.join(kept)} FROM submissions")
                db.execute("DROP TABLE submissions")
                db.execute("ALTER TABLE submissions_v2 RENAME TO submissions")
        finally:
            self._db.execute("PRAGMA foreign_keys=ON")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: committed whole, or rolled back whole (a failed COMMIT included).

        SQLite may already have rolled back after ``SQLITE_FULL``; the ROLLBACK is then skipped. A write that
        failed for want of space is raised as ``DiskFull``.
        """
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException as exc:
            if self._db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
            if is_disk_full(exc) and not isinstance(exc, DiskFull):
                raise DiskFull(f"the gradebook {self.path}") from exc
            raise

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

    def _question_results(self, submission_id: int, question_ids: set[str] | None) -> tuple[QuestionResult, ...]:
        """The stored results, their points recomputed under today's catalogue and this assignment's points (see
        ``scoring.rescore``): changing either changes every report at once, and grades nothing again."""
        catalogue = {q.id: q for q in self.settings().catalogue()}
        failures: dict[str, list[TestFailure]] = {}
        for qid, test, message in self._db.execute(
            "SELECT question_id, test, message FROM test_results"
            " WHERE submission_id = ? AND outcome IN ('failed', 'error') ORDER BY rowid",
            (submission_id,),
        ):
            failures.setdefault(qid, []).append(TestFailure(printable(test), printable(message)))
        results = []
        for row in self._db.execute(
            "SELECT question_id, slug, title, level, status, points, max_points, tests_passed, tests_total,"
            " tests_skipped, duration_s, message, flags, sandbox FROM question_results WHERE submission_id = ?"
            " ORDER BY question_id",
            (submission_id,),
        ):
            if question_ids is not None and row[0] not in question_ids:
                continue
            flags = tuple(printable(flag) for flag in row[12].split("\n") if flag)
            layers = tuple(filter(None, row[13].split(",")))
            fields = (*row[:11], printable(row[11]))  # the message
            stored = QuestionResult(*fields, failures=tuple(failures.get(row[0], ())), flags=flags, sandbox=layers)
            question = catalogue.get(row[0])
            results.append(rescore(question, stored) if question else stored)
        return tuple(results)

    def load(self, submission_id: int, question_ids: set[str] | None = None) -> StoredSubmission:
        """One stored submission with its results (all questions, or those in ``question_ids``)."""
        row = self._db.execute(
            "SELECT id, name, content_hash, kit_version, source, problem, warnings, graded_at, manifest, submitted_at,"
            " time_source FROM submissions WHERE id = ?",
            (submission_id,),
        ).fetchone()
        if row is None:
            raise KeyError(submission_id)
        sid, name, digest, version, source, problem, warnings, graded_at, recorded, submitted_at, time_source = row
        name, source, problem, submitted_at = map(printable, (name, source, problem, submitted_at))
        settings = self.settings()
        if name in settings.times:  # the teacher's record of when it arrived wins over the candidate's side
            submitted_at, time_source = settings.times[name], "teacher"
        questions = self._question_results(sid, question_ids)
        ungraded = () if problem or question_ids is None else tuple(sorted(question_ids - {q.id for q in questions}))
        result = SubmissionResult(target=name, questions=questions, duration_s=sum(q.duration_s for q in questions))
        notes = tuple(printable(note) for note in warnings.split("\n") if note)
        manifest = Manifest.from_dict(json.loads(recorded)) if recorded else None
        sources = {
            qid: content.decode("utf-8", errors="replace")
            for qid, content in self._db.execute(
                "SELECT r.question_id, f.content FROM question_results r JOIN files f ON f.file_hash = r.file_hash"
                " WHERE r.submission_id = ?",
                (sid,),
            )
            if question_ids is None or qid in question_ids
        }
        lateness = assess(submitted_at, settings.due, settings.late_policy or "none")
        stored = StoredSubmission(
            sid,
            name,
            digest,
            version,
            source,
            problem,
            notes,
            graded_at,
            result,
            manifest,
            sources,
            submitted_at,
            lateness,
            printable(time_source),
            ungraded,
        )
        return with_review(self._db, self.assignment, stored)  # final points: auto + rubric + adjustments

    def latest(self, question_ids: set[str] | None = None) -> list[StoredSubmission]:
        """Each student's most recently graded submission in this assignment, by name."""
        rows = self._db.execute(
            "SELECT id FROM submissions s WHERE assignment = ? AND id = (SELECT id FROM submissions t"
            " WHERE t.assignment = s.assignment AND t.name = s.name ORDER BY graded_at DESC, id DESC LIMIT 1)"
            " ORDER BY name",
            (self.assignment,),
        ).fetchall()
        return [self.load(row[0], question_ids) for row in rows]

    def assignments(self) -> dict[str, int]:
        """Every assignment the gradebook holds and its number of students (0 for one described, not yet graded)."""
        rows = self._db.execute(
            "SELECT assignment, count(DISTINCT name) FROM submissions GROUP BY assignment"
            " UNION ALL SELECT name, 0 FROM assignments WHERE questions != ''"
        )
        held: dict[str, int] = {}
        for name, count in rows:
            held[name] = max(held.get(name, 0), count)
        return dict(sorted(held.items()))

    def remove(self, name: str) -> int:
        """Delete every submission of student ``name`` in this assignment, with its results; how many."""
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM submissions WHERE assignment = ? AND name = ?", (self.assignment, printable(name))
            )
        return cursor.rowcount

    def deadline(self) -> tuple[str, str]:
        """This assignment's due date (ISO 8601) and late policy, as last set ('' for none)."""
        settings = self.settings()
        return settings.due, settings.late_policy

    def set_deadline(self, due: str, late_policy: str) -> None:
        """Remember the due date and late policy, so that later reports apply the same ones."""
        self.update_settings(due=due, late_policy=late_policy)

    def settings(self) -> AssignmentSettings:
        """What this assignment remembers (all empty for an assignment never described)."""
        row = self._db.execute(
            "SELECT due, late_policy, questions, points, roster, lms_column, times, origin FROM assignments"
            " WHERE name = ?",
            (self.assignment,),
        ).fetchone()
        if row is None:
            return AssignmentSettings(self.assignment)
        due, policy, questions, points, roster, lms_column, times, origin = row
        known = {q.id for q in load_catalogue()}
        points_read = _json_field(points, {})
        roster_read = _json_field(roster, [])
        times_read = _json_field(times, {})
        return AssignmentSettings(
            name=self.assignment,
            questions=tuple(qid for qid in questions.split("\n") if qid in known),
            points={
                qid: float(value)
                for qid, value in points_read.items()  # type: ignore[union-attr]
                if qid in known and isinstance(value, int | float) and value > 0
            },
            due=due,
            late_policy=policy,
            roster=tuple(
                tuple(printable(str(part)) for part in entry[:3])  # type: ignore[misc]
                for entry in roster_read  # type: ignore[union-attr]
                if isinstance(entry, list) and len(entry) == 3
            ),
            lms_column=printable(lms_column),
            times={
                printable(str(name)): printable(str(when))
                for name, when in times_read.items()  # type: ignore[union-attr]
            },
            origin=origin,
        )

    def update_settings(self, **changes: object) -> AssignmentSettings:
        """Remember what is given (the fields of ``AssignmentSettings`` but ``name``); return the settings now."""
        current = self.settings()
        merged = replace(current, **changes)  # type: ignore[arg-type]
        stored = (
            merged.due,
            merged.late_policy,
            "\n".join(merged.questions),
            json.dumps(merged.points, sort_keys=True) if merged.points else "",
            json.dumps([list(entry) for entry in merged.roster], ensure_ascii=False) if merged.roster else "",
            printable(merged.lms_column),
            json.dumps(merged.times, sort_keys=True, ensure_ascii=False) if merged.times else "",
            merged.origin,
        )
        with self._transaction() as db:
            db.execute(
                "INSERT INTO assignments (name, due, late_policy, questions, points, roster, lms_column, times, origin)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET due = excluded.due,"
                " late_policy = excluded.late_policy, questions = excluded.questions, points = excluded.points,"
                " roster = excluded.roster, lms_column = excluded.lms_column, times = excluded.times,"
                " origin = excluded.origin",
                (self.assignment, *stored),
            )
        return merged

    def graded_question_ids(self) -> set[str]:
        """The questions any submission of this assignment has a result for."""
        rows = self._db.execute(
            "SELECT DISTINCT r.question_id FROM question_results r JOIN submissions s ON s.id = r.submission_id"
            " WHERE s.assignment = ?",
            (self.assignment,),
        )
        return {row[0] for row in rows}

    @staticmethod
    def holds(path: Path, assignment: str) -> bool:
        """Whether the gradebook file at ``path`` knows ``assignment`` (read only; False for anything unreadable)."""
        if not path.is_file():
            return False
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        except sqlite3.Error:
            return False
        try:
            described = db.execute(
                "SELECT 1 FROM assignments WHERE name = ? AND questions != ''", (assignment,)
            ).fetchone()
            graded = db.execute("SELECT 1 FROM submissions WHERE assignment = ? LIMIT 1", (assignment,)).fetchone()
            return bool(described or graded)
        except sqlite3.Error:
            return False
        finally:
            db.close()

    def described(self) -> bool:
        """Whether this assignment is known here: described (questions recorded) or holding submissions."""
        return bool(self.settings().questions) or self.assignment in self.assignments()
