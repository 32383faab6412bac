"""What the gradebook remembers of one assignment: given once, kept for every later run and report.

``AssignmentSettings`` is the assignment's description (its questions and their points, due date and late
policy, roster, LMS column, the submission times the teacher gave, where its questions came from); this module
also turns it into the ``assignments`` row and back. A column this kit did not write, or cannot read, comes back
empty rather than failing a report, and the questions and points are kept only for questions the catalogue has.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field, replace

from grader.kit.catalogue import Question, load_catalogue
from grader.text.safetext import printable

__all__ = ["AssignmentSettings", "read_settings", "write_settings"]


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


def read_settings(db: sqlite3.Connection, assignment: str) -> AssignmentSettings:
    """What ``assignment`` remembers (all empty for an assignment never described)."""
    row = db.execute(
        "SELECT due, late_policy, questions, points, roster, lms_column, times, origin FROM assignments WHERE name = ?",
        (assignment,),
    ).fetchone()
    if row is None:
        return AssignmentSettings(assignment)
    due, policy, questions, points, roster, lms_column, times, origin = row
    known = {q.id for q in load_catalogue()}
    points_read = _json_field(points, {})
    roster_read = _json_field(roster, [])
    times_read = _json_field(times, {})
    return AssignmentSettings(
        name=assignment,
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


def write_settings(db: sqlite3.Connection, assignment: str, settings: AssignmentSettings) -> None:
    """Store ``settings`` as ``assignment``'s row (inside the caller's transaction)."""
    stored = (
        settings.due,
        settings.late_policy,
        "\n".join(settings.questions),
        json.dumps(settings.points, sort_keys=True) if settings.points else "",
        json.dumps([list(entry) for entry in settings.roster], ensure_ascii=False) if settings.roster else "",
        printable(settings.lms_column),
        json.dumps(settings.times, sort_keys=True, ensure_ascii=False) if settings.times else "",
        settings.origin,
    )
    db.execute(
        "INSERT INTO assignments (name, due, late_policy, questions, points, roster, lms_column, times, origin)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET due = excluded.due,"
        " late_policy = excluded.late_policy, questions = excluded.questions, points = excluded.points,"
        " roster = excluded.roster, lms_column = excluded.lms_column, times = excluded.times,"
        " origin = excluded.origin",
        (assignment, *stored),
    )
