"""The human half of grading, kept in the gradebook beside (never inside) the auto results.

A reviewer (``grade review``) applies rubric items, writes comments, makes adjustments with a reason, marks a
question's integrity flags reviewed and a question reviewed, and writes an overall note and a recommendation.
All of it lives in the ``review_*`` tables, per assignment and student, each row saying who and when; the auto
results (``question_results``, ``test_results``) are never written here, so the auto score stays reproducible
from the grading key. A gradebook from before these tables gets them when it is opened.

The score a report shows is computed by ``final_points`` (one pure rule, per question)::

    final = clamp(auto points + sum of applied rubric items + sum of adjustments, 0, question max)

and the late penalty applies to the sum of the finals. Rubric items are stored once per question and applied
by reference, so changing an item's points changes every student it is applied to.

Every student's review has a version: each save names the version the reviewer saw, and a save against an
older one is refused (``StaleReview``), so two reviewers at once never overwrite each other silently. A rubric
item has a version of its own for the same reason.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.book.diskfull import DiskFull, is_disk_full
from grader.text.safetext import printable

if TYPE_CHECKING:
    from grader.book.gradebook import StoredSubmission

__all__ = [
    "RECOMMENDATIONS",
    "REVIEW_TABLES",
    "Adjustment",
    "Comment",
    "Review",
    "ReviewBook",
    "ReviewError",
    "RubricError",
    "RubricItem",
    "StaleReview",
    "ensure_review_schema",
    "final_points",
    "load_rubric_file",
    "with_review",
]

# Interview outcomes a reviewer may record ('' for none yet).
RECOMMENDATIONS = ("", "strong yes", "yes", "lean yes", "lean no", "no", "strong no")
MAX_TEXT = 20_000  # a comment, a reason or a note: a page of text at most

REVIEW_TABLES = {
    "review_rubric",
    "review_applied",
    "review_comments",
    "review_adjustments",
    "review_flags",
    "review_questions",
    "review_students",
}
_REVIEW_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_rubric (
    assignment TEXT NOT NULL,
    question_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    text TEXT NOT NULL,
    points REAL NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    changed_by TEXT NOT NULL DEFAULT '',
    changed_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assignment, question_id, item_id)
);
CREATE TABLE IF NOT EXISTS review_applied (
    assignment TEXT NOT NULL,
    student TEXT NOT NULL,
    question_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    applied_by TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (assignment, student, question_id, item_id)
);
CREATE TABLE IF NOT EXISTS review_comments (
    id INTEGER PRIMARY KEY,
    assignment TEXT NOT NULL,
    student TEXT NOT NULL,
    question_id TEXT NOT NULL,
    text TEXT NOT NULL CHECK (length(trim(text)) > 0),
    to_student INTEGER NOT NULL,
    author TEXT NOT NULL,
    written_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS review_adjustments (
    id INTEGER PRIMARY KEY,
    assignment TEXT NOT NULL,
    student TEXT NOT NULL,
    question_id TEXT NOT NULL,
    points REAL NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    author TEXT NOT NULL,
    made_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS review_flags (
    assignment TEXT NOT NULL,
    student TEXT NOT NULL,
    question_id TEXT NOT NULL,
    note TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    PRIMARY KEY (assignment, student, question_id)
);
CREATE TABLE IF NOT EXISTS review_questions (
    assignment TEXT NOT NULL,
    student TEXT NOT NULL,
    question_id TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    PRIMARY KEY (assignment, student, question_id)
);
CREATE TABLE IF NOT EXISTS review_students (
    assignment TEXT NOT NULL,
    student TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    recommendation TEXT NOT NULL DEFAULT '',
    changed_by TEXT NOT NULL DEFAULT '',
    changed_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assignment, student)
);
"""


def ensure_review_schema(db: sqlite3.Connection) -> None:
    """Create the review tables (a gradebook from before them gets them empty: nothing reviewed yet)."""
    db.executescript(_REVIEW_SCHEMA)


def final_points(auto: float, rubric: float, adjustments: float, max_points: float) -> float:
    """A question's final points: auto + rubric + adjustments, clamped to [0, max]. The late penalty comes after,
    on the total."""
    return round(min(max(auto + rubric + adjustments, 0.0), max_points), 4)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ReviewError(ValueError):
    """A review change that cannot be stored as given (a missing reason, an unknown item, too long a text)."""


class RubricError(ValueError):
    """A rubric file that cannot be used; the message says where."""


class StaleReview(Exception):
    """The review changed since the reviewer opened it: their save was refused, nothing was written."""

    def __init__(self, what: str, seen: int, now: int) -> None:
        super().__init__(f"{what} was saved by someone else since you opened it (version {seen}, now {now})")
        self.what, self.seen, self.now = what, seen, now


@dataclass(frozen=True)
class RubricItem:
    question_id: str
    id: str
    text: str
    points: float
    version: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question_id, "id": self.id, "text": self.text, "points": self.points}


@dataclass(frozen=True)
class Comment:
    id: int
    question_id: str  # '' for the submission as a whole
    text: str
    to_student: bool
    author: str
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question_id,
            "text": self.text,
            "to_student": self.to_student,
            "author": self.author,
            "at": self.at,
        }


@dataclass(frozen=True)
class Adjustment:
    id: int
    question_id: str
    points: float
    reason: str
    author: str
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question_id, "points": self.points, "reason": self.reason, "author": self.author}


@dataclass(frozen=True)
class Review:
    """One student's review in one assignment (empty when nobody reviewed it yet)."""

    student: str
    version: int = 0
    note: str = ""
    recommendation: str = ""
    changed_by: str = ""
    changed_at: str = ""
    applied: tuple[RubricItem, ...] = ()
    comments: tuple[Comment, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    flags_reviewed: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # qid -> (note, by, at)
    questions_reviewed: dict[str, tuple[str, str]] = field(default_factory=dict)  # qid -> (by, at)
    auto_points: dict[str, float] = field(default_factory=dict)  # qid -> the auto points, before the review

    @property
    def empty(self) -> bool:
        return not (self.version or self.applied or self.comments or self.adjustments or self.flags_reviewed) and not (
            self.questions_reviewed or self.note or self.recommendation
        )

    def rubric_points(self, question_id: str) -> float:
        return sum(item.points for item in self.applied if item.question_id == question_id)

    def adjustment_points(self, question_id: str) -> float:
        return sum(a.points for a in self.adjustments if a.question_id == question_id)

    def changes_points(self, question_id: str) -> bool:
        return any(i.question_id == question_id for i in self.applied) or any(
            a.question_id == question_id for a in self.adjustments
        )

    def for_question(self, question_id: str) -> dict[str, Any]:
        return {
            "auto_points": self.auto_points.get(question_id),
            "rubric": [i.to_dict() for i in self.applied if i.question_id == question_id],
            "adjustments": [a.to_dict() for a in self.adjustments if a.question_id == question_id],
            "comments": [c.to_dict() for c in self.comments if c.question_id == question_id],
            "reviewed": question_id in self.questions_reviewed,
            "flags_reviewed": question_id in self.flags_reviewed,
            "flags_note": self.flags_reviewed.get(question_id, ("", "", ""))[0],
        }

    def to_dict(self) -> dict[str, Any]:
        """The review as JSON data (staff's view: private comments included, marked)."""
        return {
            "version": self.version,
            "note": self.note,
            "recommendation": self.recommendation,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at,
            "questions_reviewed": sorted(self.questions_reviewed),
            "auto_points": dict(sorted(self.auto_points.items())),
            "rubric": [i.to_dict() for i in self.applied],
            "adjustments": [a.to_dict() for a in self.adjustments],
            "comments": [c.to_dict() for c in self.comments],
            "flags_reviewed": {
                qid: {"note": note, "by": by, "at": at} for qid, (note, by, at) in sorted(self.flags_reviewed.items())
            },
        }

    def student_comments(self, question_id: str | None = None) -> list[Comment]:
        """The comments meant for the student (all, or one question's; '' is the whole submission)."""
        return [c for c in self.comments if c.to_student and (question_id is None or c.question_id == question_id)]


def needs_review(sub: StoredSubmission) -> list[str]:
    """The questions a reviewer reads: every one with something graded (not missing, not the untouched stub)."""
    if sub.problem:
        return []
    return [q.id for q in sub.result.questions if q.status not in ("missing", "not_attempted")]


def reviewed_count(sub: StoredSubmission) -> tuple[int, int]:
    """(questions marked reviewed, questions to review) of one submission."""
    wanted = needs_review(sub)
    done = sub.review.questions_reviewed if sub.review else {}
    return sum(qid in done for qid in wanted), len(wanted)


def _clean(text: str, what: str, required: bool = False) -> str:
    text = printable(text.replace("\r\n", "\n"), keep_lines=True) if text else ""
    text = text.strip()
    if required and not text:
        raise ReviewError(f"{what} is required")
    if len(text) > MAX_TEXT:
        raise ReviewError(f"{what} is longer than {MAX_TEXT} characters")
    return text


def _read_review(db: sqlite3.Connection, assignment: str, student: str) -> Review:
    row = db.execute(
        "SELECT version, note, recommendation, changed_by, changed_at FROM review_students"
        " WHERE assignment = ? AND student = ?",
        (assignment, student),
    ).fetchone()
    version, note, recommendation, changed_by, changed_at = row or (0, "", "", "", "")
    applied = tuple(
        RubricItem(qid, item, text, float(points), int(v))
        for qid, item, text, points, v in db.execute(
            "SELECT r.question_id, r.item_id, r.text, r.points, r.version FROM review_applied a JOIN review_rubric r"
            " ON r.assignment = a.assignment AND r.question_id = a.question_id AND r.item_id = a.item_id"
            " WHERE a.assignment = ? AND a.student = ? ORDER BY r.question_id, r.position, r.item_id",
            (assignment, student),
        )
    )
    comments = tuple(
        Comment(int(cid), qid, text, bool(to_student), author, at)
        for cid, qid, text, to_student, author, at in db.execute(
            "SELECT id, question_id, text, to_student, author, written_at FROM review_comments"
            " WHERE assignment = ? AND student = ? ORDER BY id",
            (assignment, student),
        )
    )
    adjustments = tuple(
        Adjustment(int(aid), qid, float(points), reason, author, at)
        for aid, qid, points, reason, author, at in db.execute(
            "SELECT id, question_id, points, reason, author, made_at FROM review_adjustments"
            " WHERE assignment = ? AND student = ? ORDER BY id",
            (assignment, student),
        )
    )
    flags = {
        qid: (note, by, at)
        for qid, note, by, at in db.execute(
            "SELECT question_id, note, reviewed_by, reviewed_at FROM review_flags WHERE assignment = ? AND student = ?",
            (assignment, student),
        )
    }
    questions = {
        qid: (by, at)
        for qid, by, at in db.execute(
            "SELECT question_id, reviewed_by, reviewed_at FROM review_questions WHERE assignment = ? AND student = ?",
            (assignment, student),
        )
    }
    return Review(
        student, int(version), note, recommendation, changed_by, changed_at, applied, comments, adjustments, flags,
        questions,
    )  # fmt: skip


def with_review(db: sqlite3.Connection, assignment: str, sub: StoredSubmission) -> StoredSubmission:
    """``sub`` with its review attached and each question's points made final (``final_points``).

    The auto points stay in ``review.auto_points``; a submission nobody reviewed comes back unchanged but for an
    empty review."""
    review = _read_review(db, assignment, sub.name)
    questions = []
    auto: dict[str, float] = {}
    for q in sub.result.questions:
        auto[q.id] = q.points
        if review.changes_points(q.id):
            points = final_points(q.points, review.rubric_points(q.id), review.adjustment_points(q.id), q.max_points)
            q = replace(q, points=points)
        questions.append(q)
    result = replace(sub.result, questions=tuple(questions))
    return replace(sub, result=result, review=replace(review, auto_points=auto))


def load_rubric_file(path: Path, known: set[str]) -> list[RubricItem]:
    """The items of a rubric file: per question id, a list of tables with ``id``, ``text`` and signed ``points``::

    [[q03]]
    id = "blocking"
    text = "blocking call in an async route"
    points = -0.5
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RubricError(f"{path}: {exc}") from exc
    items: list[RubricItem] = []
    for qid, entries in data.items():
        if qid not in known:
            raise RubricError(f"{path}: {qid!r} is not a question of this assignment")
        if not isinstance(entries, list):
            raise RubricError(f"{path}: {qid} must be a list of items ([[{qid}]] tables)")
        seen: set[str] = set()
        for n, entry in enumerate(entries, 1):
            where = f"{path}: {qid} item {n}"
            if not isinstance(entry, dict) or set(entry) - {"id", "text", "points"}:
                raise RubricError(f"{where}: an item has exactly id, text and points")
            item_id, text, points = entry.get("id"), entry.get("text"), entry.get("points")
            if not isinstance(item_id, str) or not item_id.strip() or item_id in seen:
                raise RubricError(f"{where}: id must be a text, unique within the question")
            if not isinstance(text, str) or not text.strip():
                raise RubricError(f"{where}: text must be a non-empty text")
            if isinstance(points, bool) or not isinstance(points, int | float):
                raise RubricError(f"{where}: points must be a number (negative to take points off)")
            seen.add(item_id)
            items.append(RubricItem(qid, printable(item_id.strip()), printable(text.strip()), float(points)))
    return items


class ReviewBook:
    """The review tables of one gradebook, seen through its assignment; ``reviewer`` signs every change."""

    def __init__(self, db: sqlite3.Connection, assignment: str, reviewer: str, path: Path | None = None) -> None:
        self._db, self.assignment, self.reviewer, self._path = db, assignment, printable(reviewer) or "?", path

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException as exc:
            if self._db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
            if is_disk_full(exc) and not isinstance(exc, DiskFull):
                raise DiskFull(f"the gradebook {self._path or ''}".strip()) from exc
            raise

    # ---------------------------------------------------------------------------------------------- reading

    def review(self, student: str) -> Review:
        return _read_review(self._db, self.assignment, student)

    def rubric(self, question_id: str | None = None) -> list[RubricItem]:
        rows = self._db.execute(
            "SELECT question_id, item_id, text, points, version FROM review_rubric WHERE assignment = ?"
            " ORDER BY question_id, position, item_id",
            (self.assignment,),
        )
        items = [RubricItem(q, i, t, float(p), int(v)) for q, i, t, p, v in rows]
        return [i for i in items if question_id is None or i.question_id == question_id]

    def applied_count(self, question_id: str, item_id: str) -> int:
        row = self._db.execute(
            "SELECT count(*) FROM review_applied WHERE assignment = ? AND question_id = ? AND item_id = ?",
            (self.assignment, question_id, item_id),
        ).fetchone()
        return int(row[0])

    # ---------------------------------------------------------------------------------------------- rubric

    def add_rubric_items(self, items: list[RubricItem]) -> int:
        """Add the items the gradebook lacks (an item already here keeps its text and points, which may have
        been edited while reviewing); how many were added."""
        added = 0
        with self._transaction() as db:
            for position, item in enumerate(items):
                cursor = db.execute(
                    "INSERT OR IGNORE INTO review_rubric VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                    (self.assignment, item.question_id, item.id, item.text, item.points, position, self.reviewer,
                     _now()),
                )  # fmt: skip
                added += cursor.rowcount
        return added

    def edit_rubric_item(self, question_id: str, item_id: str, text: str, points: float, seen_version: int) -> None:
        """Change an item's text and points: every student it is applied to gets the new points."""
        text = _clean(text, "the item's text", required=True)
        with self._transaction() as db:
            row = db.execute(
                "SELECT version FROM review_rubric WHERE assignment = ? AND question_id = ? AND item_id = ?",
                (self.assignment, question_id, item_id),
            ).fetchone()
            if row is None:
                raise ReviewError(f"{question_id} has no rubric item {item_id!r}")
            if int(row[0]) != seen_version:
                raise StaleReview(f"rubric item {item_id}", seen_version, int(row[0]))
            db.execute(
                "UPDATE review_rubric SET text = ?, points = ?, version = version + 1, changed_by = ?, changed_at = ?"
                " WHERE assignment = ? AND question_id = ? AND item_id = ?",
                (text, float(points), self.reviewer, _now(), self.assignment, question_id, item_id),
            )

    # ------------------------------------------------------------------------------------- per student

    @contextmanager
    def _student_change(self, student: str, seen_version: int) -> Iterator[sqlite3.Connection]:
        """One change to a student's review, refused when its version moved on since ``seen_version``."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT version FROM review_students WHERE assignment = ? AND student = ?", (self.assignment, student)
            ).fetchone()
            current = int(row[0]) if row else 0
            if current != seen_version:
                raise StaleReview(f"the review of {student}", seen_version, current)
            yield db
            db.execute(
                "INSERT INTO review_students (assignment, student, version, changed_by, changed_at)"
                " VALUES (?, ?, 1, ?, ?) ON CONFLICT (assignment, student) DO UPDATE SET version = version + 1,"
                " changed_by = excluded.changed_by, changed_at = excluded.changed_at",
                (self.assignment, student, self.reviewer, _now()),
            )

    def set_rubric(self, student: str, question_id: str, item_ids: set[str], seen_version: int) -> None:
        """Exactly ``item_ids`` of the question's rubric are applied to the student."""
        known = {i.id for i in self.rubric(question_id)}
        unknown = item_ids - known
        if unknown:
            raise ReviewError(f"{question_id} has no rubric item {sorted(unknown)[0]!r}")
        with self._student_change(student, seen_version) as db:
            db.execute(
                "DELETE FROM review_applied WHERE assignment = ? AND student = ? AND question_id = ?",
                (self.assignment, student, question_id),
            )
            db.executemany(
                "INSERT INTO review_applied VALUES (?, ?, ?, ?, ?, ?)",
                [(self.assignment, student, question_id, i, self.reviewer, _now()) for i in sorted(item_ids)],
            )

    def apply_item(self, students: list[str], question_id: str, item_id: str) -> None:
        """Apply one item to several students at once (no version check: applying twice is applying once)."""
        if item_id not in {i.id for i in self.rubric(question_id)}:
            raise ReviewError(f"{question_id} has no rubric item {item_id!r}")
        for student in students:
            with self._student_change(student, self.review(student).version) as db:
                db.execute(
                    "INSERT OR IGNORE INTO review_applied VALUES (?, ?, ?, ?, ?, ?)",
                    (self.assignment, student, question_id, item_id, self.reviewer, _now()),
                )

    def comment(self, student: str, question_id: str, text: str, to_student: bool, seen_version: int) -> None:
        text = _clean(text, "a comment", required=True)
        with self._student_change(student, seen_version) as db:
            db.execute(
                "INSERT INTO review_comments (assignment, student, question_id, text, to_student, author, written_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self.assignment, student, question_id, text, int(to_student), self.reviewer, _now()),
            )

    def delete_comment(self, student: str, comment_id: int, seen_version: int) -> None:
        with self._student_change(student, seen_version) as db:
            db.execute(
                "DELETE FROM review_comments WHERE id = ? AND assignment = ? AND student = ?",
                (comment_id, self.assignment, student),
            )

    def adjust(self, student: str, question_id: str, points: float, reason: str, seen_version: int) -> None:
        reason = _clean(reason, "the reason for an adjustment", required=True)
        if points != points or abs(points) > 1000:  # NaN or absurd
            raise ReviewError("an adjustment is a number of points")
        with self._student_change(student, seen_version) as db:
            db.execute(
                "INSERT INTO review_adjustments (assignment, student, question_id, points, reason, author, made_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self.assignment, student, question_id, float(points), reason, self.reviewer, _now()),
            )

    def delete_adjustment(self, student: str, adjustment_id: int, seen_version: int) -> None:
        with self._student_change(student, seen_version) as db:
            db.execute(
                "DELETE FROM review_adjustments WHERE id = ? AND assignment = ? AND student = ?",
                (adjustment_id, self.assignment, student),
            )

    def review_flags(self, student: str, question_id: str, note: str, seen_version: int) -> None:
        note = _clean(note, "a note")
        with self._student_change(student, seen_version) as db:
            db.execute(
                "INSERT OR REPLACE INTO review_flags VALUES (?, ?, ?, ?, ?, ?)",
                (self.assignment, student, question_id, note, self.reviewer, _now()),
            )

    def mark_reviewed(self, student: str, question_id: str, reviewed: bool, seen_version: int) -> None:
        with self._student_change(student, seen_version) as db:
            db.execute(
                "DELETE FROM review_questions WHERE assignment = ? AND student = ? AND question_id = ?",
                (self.assignment, student, question_id),
            )
            if reviewed:
                db.execute(
                    "INSERT INTO review_questions VALUES (?, ?, ?, ?, ?)",
                    (self.assignment, student, question_id, self.reviewer, _now()),
                )

    def set_overall(self, student: str, note: str, recommendation: str, seen_version: int) -> None:
        note = _clean(note, "the overall note")
        if recommendation not in RECOMMENDATIONS:
            raise ReviewError(f"a recommendation is one of {', '.join(r for r in RECOMMENDATIONS if r)}")
        with self._student_change(student, seen_version) as db:
            db.execute(
                "INSERT INTO review_students (assignment, student, version, note, recommendation) VALUES"
                " (?, ?, 0, ?, ?) ON CONFLICT (assignment, student) DO UPDATE SET note = excluded.note,"
                " recommendation = excluded.recommendation",
                (self.assignment, student, note, recommendation),
            )
