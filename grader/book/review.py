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

This module is the writing half: ``ReviewBook``, every change a reviewer makes, each one version-checked. What a
review is lives in ``grader.book.review_model`` and how it is stored and read back in ``grader.book.review_store``;
both are re-exported here, so ``grader.book.review`` stays the one name to import the human half from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from grader.book.diskfull import atomic
from grader.book.review_model import (
    MAX_TEXT,
    RECOMMENDATIONS,
    Adjustment,
    Comment,
    Review,
    ReviewError,
    RubricError,
    RubricItem,
    StaleReview,
    final_points,
    load_rubric_file,
    needs_review,
    reviewed_count,
)
from grader.book.review_store import REVIEW_TABLES, ensure_review_schema, read_review, with_review
from grader.text.safetext import printable

__all__ = [
    "MAX_TEXT",
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
    "needs_review",
    "read_review",
    "reviewed_count",
    "with_review",
]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _clean(text: str, what: str, required: bool = False) -> str:
    text = printable(text.replace("\r\n", "\n"), keep_lines=True) if text else ""
    text = text.strip()
    if required and not text:
        raise ReviewError(f"{what} is required")
    if len(text) > MAX_TEXT:
        raise ReviewError(f"{what} is longer than {MAX_TEXT} characters")
    return text


class ReviewBook:
    """The review tables of one gradebook, seen through its assignment; ``reviewer`` signs every change."""

    def __init__(self, db: sqlite3.Connection, assignment: str, reviewer: str, path: Path | None = None) -> None:
        self._db, self.assignment, self.reviewer, self._path = db, assignment, printable(reviewer) or "?", path

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return atomic(self._db, f"the gradebook {self._path or ''}".strip())

    # ---------------------------------------------------------------------------------------------- reading

    def review(self, student: str) -> Review:
        return read_review(self._db, self.assignment, student)

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
