"""Where a review is kept: the ``review_*`` tables of the gradebook, and a review read back onto a submission.

The tables sit beside (never inside) the auto results, per assignment and student; ``ensure_review_schema`` gives
an older gradebook them empty when it is opened (``grader.book.schema``). ``read_review`` reads one student's
review; ``with_review`` attaches it to a stored submission and makes each question's points final, which is how
every report and the review app see the human half. The changes themselves are made by
``grader.book.review.ReviewBook``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import TYPE_CHECKING

from grader.book.review_model import Adjustment, Comment, Review, RubricItem, final_points

if TYPE_CHECKING:
    from grader.book.gradebook import StoredSubmission

__all__ = ["REVIEW_TABLES", "ensure_review_schema", "read_review", "with_review"]

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


def read_review(db: sqlite3.Connection, assignment: str, student: str) -> Review:
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
    review = read_review(db, assignment, sub.name)
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
