"""What a human review is, apart from where it is kept: its parts, the scoring rule and the rubric file.

The pure half of ``grader.book.review``: the rubric items, comments and adjustments of one student's ``Review``,
``final_points`` (the one rule that turns auto points and a review into a question's final points), what a
reviewer still has to read of a submission, and the TOML rubric file a teacher hands ``grade review``. Nothing
here touches SQLite: the reports, the review app and the storage (``review_store``, ``review``) all build on it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.text.safetext import printable

if TYPE_CHECKING:
    from grader.book.gradebook import StoredSubmission

__all__ = [
    "MAX_TEXT",
    "RECOMMENDATIONS",
    "Adjustment",
    "Comment",
    "Review",
    "ReviewError",
    "RubricError",
    "RubricItem",
    "StaleReview",
    "final_points",
    "load_rubric_file",
    "needs_review",
    "reviewed_count",
]

# Interview outcomes a reviewer may record ('' for none yet).
RECOMMENDATIONS = ("", "strong yes", "yes", "lean yes", "lean no", "no", "strong no")
MAX_TEXT = 20_000  # a comment, a reason or a note: a page of text at most


def final_points(auto: float, rubric: float, adjustments: float, max_points: float) -> float:
    """A question's final points: auto + rubric + adjustments, clamped to [0, max]. The late penalty comes after,
    on the total."""
    return round(min(max(auto + rubric + adjustments, 0.0), max_points), 4)


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
