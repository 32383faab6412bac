"""Assignments, rosters and due dates: what a teacher's gradebook knows beyond the submissions themselves.

One gradebook holds several assignments (``--assignment week3``); each has its own students, and remembers
what it is once told: its **questions** (given to ``grade pack`` or on the first grading, with ``-q`` or
``--level``; every question when none is named), its **points** where they differ from the catalogue's
(``--points q03=5``: reports are recomputed from the stored per-test results, nothing is graded again), its
roster, due date, late policy, the name of its LMS column and the submission times the teacher gave. Later
runs and reports use them without being told again; ``-q`` then narrows a run or a report to some of the
assignment's questions, and ``grade assignment`` shows or changes the rest.

The module settles what an assignment is for one run or report: it remembers what is given now, and works
out the questions in force. The teacher's CSV files (roster, submission times) are read in
``grader.book.roster``, and the options that take all of it in (with ``AssignmentExtras``, what they hand a
command) in ``grader.book.assignment_options``; their names are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grader.book.assignment_options import AssignmentExtras, assignment_options, check_points, extra_assignment_options
from grader.book.gradebook import DEFAULT_ASSIGNMENT, AssignmentSettings, Gradebook
from grader.book.roster import (
    NO_SUBMISSION,
    RosterEntry,
    RosterError,
    apply_roster,
    read_roster,
    read_submission_times,
)
from grader.kit.catalogue import CatalogueError, Question, load_catalogue, select_questions

__all__ = [
    "NO_SUBMISSION",
    "AssignmentError",
    "AssignmentExtras",
    "RosterEntry",
    "RosterError",
    "apply_roster",
    "assignment_options",
    "check_points",
    "describe_assignment",
    "extra_assignment_options",
    "lms_item",
    "manifest_mismatch",
    "questions_in_force",
    "read_roster",
    "read_submission_times",
    "record_pack",
    "record_questions",
    "remember_deadline",
    "remember_extras",
    "roster_of",
    "settle",
]


class AssignmentError(ValueError):
    """A selection or a change the assignment cannot take (the CLI turns it into a one-line error, exit 2)."""


def remember_deadline(book: Gradebook, due: str | None, late_policy: str | None) -> None:
    """Store a due date or policy given now (already checked); later runs and reports reuse them."""
    if due is None and late_policy is None:
        return
    stored_due, stored_policy = book.deadline()
    book.set_deadline(due if due is not None else stored_due, late_policy or stored_policy or "none")


def roster_of(settings: AssignmentSettings, given: list[RosterEntry] | None = None) -> list[RosterEntry] | None:
    """The roster given now, else the one the assignment remembers (None when it has none)."""
    if given is not None:
        return given
    return [RosterEntry(*entry) for entry in settings.roster] or None


def remember_extras(
    book: Gradebook, extras: AssignmentExtras | None, roster: list[RosterEntry] | None = None
) -> AssignmentSettings:
    """Store what is given now beside the due date (points merged into those given before); the settings now."""
    changes: dict[str, Any] = {}
    settings = book.settings()
    if roster is not None:
        changes["roster"] = tuple((entry.id, entry.name, entry.email) for entry in roster)
    if extras is not None:
        if extras.points:
            changes["points"] = {**settings.points, **extras.points}
        if extras.lms_column is not None and extras.lms_column.strip():
            changes["lms_column"] = extras.lms_column.strip()
        if extras.times is not None:
            changes["times"] = {**settings.times, **extras.times}
    return book.update_settings(**changes) if changes else settings


def _ids(questions: tuple[Question, ...] | tuple[str, ...]) -> str:
    ids = [q if isinstance(q, str) else q.id for q in questions]
    return ", ".join(ids) if len(ids) <= 8 else f"{', '.join(ids[:7])} ... {ids[-1]} ({len(ids)} questions)"


def questions_in_force(
    book: Gradebook, keys: tuple[str, ...] = (), levels: tuple[str, ...] = (), *, record: bool = True
) -> tuple[Question, ...]:
    """The questions a run or a report works on, at the assignment's points.

    An assignment with recorded questions works on those; ``-q``/``--level`` then narrow them (a question
    outside them is an error). One without records the selection (every question when none is named) when
    ``record`` is set: the first grading gives an assignment its questions.
    """
    settings = book.settings()
    catalogue = settings.catalogue()
    try:
        chosen = select_questions(keys, levels, catalogue)
    except CatalogueError as exc:
        raise AssignmentError(str(exc)) from exc
    if not settings.questions and not keys and not levels:
        # An assignment graded before it remembered its questions: the ones its submissions were graded on.
        earlier = book.graded_question_ids()
        if earlier:
            settings = replace(settings, questions=tuple(q.id for q in catalogue if q.id in earlier))
            if record:
                book.update_settings(questions=settings.questions, origin="earlier gradings")
    if settings.questions:
        outside = [q.id for q in chosen if q.id not in settings.questions]
        if keys and outside:
            raise AssignmentError(
                f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not in assignment {book.assignment!r}"
                f" ({_ids(settings.questions)}): `grade assignment {book.assignment} -q ...` changes its questions"
            )
        narrowed = tuple(q for q in chosen if q.id in settings.questions)
        if not narrowed:
            raise AssignmentError(
                f"none of assignment {book.assignment!r}'s questions ({_ids(settings.questions)}) is of level"
                f" {' or '.join(levels)}"
            )
        return narrowed
    if record and chosen:
        book.update_settings(questions=tuple(q.id for q in chosen), origin="first grading")
    return chosen


def record_questions(
    book: Gradebook, questions: tuple[Question, ...], origin: str, *, replace_graded: bool = False
) -> AssignmentSettings:
    """Give the assignment these questions (``grade pack``, ``grade assignment -q``).

    An assignment already graded on other questions keeps them unless ``replace_graded`` (its students' results
    for the new questions are then graded on the next run; until then their reports say ``incomplete``).
    """
    if not replace_graded:
        _refuse_regrading(book, questions)
    return book.update_settings(questions=tuple(q.id for q in questions), origin=origin)


def _refuse_regrading(book: Gradebook, questions: tuple[Question, ...]) -> None:
    """Raise ``AssignmentError`` when the assignment is graded already on other questions than these."""
    settings = book.settings()
    if settings.questions and settings.questions != tuple(q.id for q in questions):
        students = book.assignments().get(book.assignment, 0)
        if students:
            raise AssignmentError(
                f"assignment {book.assignment!r} in {book.path} is already graded ({students} students) on"
                f" {_ids(settings.questions)}: name another with --assignment, or change its questions with"
                f" `grade assignment {book.assignment} -q ...`"
            )


@dataclass(frozen=True)
class Settled:
    """An assignment as one run or report works on it."""

    questions: tuple[Question, ...]  # at the assignment's points, narrowed by -q/--level
    roster: list[RosterEntry] | None
    settings: AssignmentSettings


def settle(
    book: Gradebook,
    keys: tuple[str, ...],
    levels: tuple[str, ...],
    due: str | None,
    late_policy: str | None,
    roster: list[RosterEntry] | None,
    extras: AssignmentExtras | None,
    *,
    record: bool,
) -> Settled:
    """Remember what is given now, then the questions in force (see ``questions_in_force``)."""
    remember_deadline(book, due, late_policy)
    remember_extras(book, extras, roster)
    questions = questions_in_force(book, keys, levels, record=record)
    settings = book.settings()
    return Settled(questions, roster_of(settings, roster), settings)


def record_pack(
    path: Path,
    assignment: str,
    questions: tuple[Question, ...],
    points: dict[str, float],
    lms_column: str | None,
    *,
    check_only: bool = False,
) -> list[str]:
    """Give ``assignment`` in the gradebook at ``path`` the pack's questions (and points, LMS column): `grade`
    then grades its submissions on them. ``check_only`` raises ``AssignmentError`` when it could not, writing
    nothing (before the pack is written); otherwise the lines to print."""
    if check_only:
        if Gradebook.holds(path, assignment):
            with Gradebook(path, assignment) as book:
                _refuse_regrading(book, questions)
        return []
    with Gradebook(path, assignment) as book:
        record_questions(book, questions, "grade pack")
        settings = remember_extras(book, AssignmentExtras(points, lms_column))
        students = book.assignments().get(assignment, 0)
    in_force = settings.in_force()
    total = round(sum(q.points for q in in_force), 2)
    return [
        f"assignment {assignment!r} recorded in {path}: {len(in_force)} question{'' if len(in_force) == 1 else 's'}"
        f" ({_ids(in_force)}), {total:g} point{'' if total == 1 else 's'}"
        + (f"; {students} students graded already" if students else ""),
        f"grade its submissions from {path.parent if str(path.parent) != '.' else 'this folder'}"
        f" (or with --gradebook {path}): only these questions are graded, out of {total:g}",
    ]


def lms_item(settings: AssignmentSettings, default: str) -> str:
    """The name of the assignment's column in an LMS: the name given for it, else the assignment's own name."""
    if settings.lms_column:
        return settings.lms_column
    return default if settings.name == DEFAULT_ASSIGNMENT else settings.name


def describe_assignment(settings: AssignmentSettings, students: int) -> list[str]:
    """What the assignment remembers, one fact a line (``grade assignment`` and ``grade pack`` print it)."""
    questions = settings.in_force()
    total = round(sum(q.points for q in questions), 2)
    given = f" (given at {settings.origin})" if settings.origin else ""
    lines = [
        f"assignment    {settings.name}: {students} student{'' if students == 1 else 's'} graded",
        f"questions     {_ids(questions) if settings.questions else 'not given yet (the first grading gives them)'}"
        + given,
        f"points        {total:g} in all"
        + (
            f"; differing from the catalogue: {', '.join(f'{q}={p:g}' for q, p in sorted(settings.points.items()))}"
            if settings.points
            else " (the catalogue's)"
        ),
    ]
    if settings.due or settings.late_policy:
        lines.append(f"due           {settings.due or 'no due date'}, late policy {settings.late_policy or 'none'}")
    if settings.roster:
        lines.append(f"roster        {len(settings.roster)} students")
    if settings.times:
        lines.append(f"times given   {len(settings.times)} students' submission times (they win over file times)")
    lines.append(f"LMS column    {lms_item(settings, '(the kit name)')}")
    return lines


def manifest_mismatch(manifest_files: dict[str, str], questions: tuple[Question, ...]) -> str:
    """A warning when the files a `fastlings submit` manifest lists are not the assignment's questions ('' if they
    are): the candidate's pack may not be this assignment's. The manifest never decides what is graded."""
    listed = {q.id for q in load_catalogue() if q.filename in manifest_files}
    asked = {q.id for q in questions}
    if not listed or listed == asked:
        return ""
    extra, absent = sorted(listed - asked), sorted(asked - listed)
    parts = [f"the submit manifest lists {len(listed)} questions, the assignment asks {len(asked)}"]
    if extra:
        parts.append(f"not asked: {_ids(tuple(extra))}")
    if absent:
        parts.append(f"not in the manifest: {_ids(tuple(absent))}")
    return "; ".join(parts) + " (graded on the assignment's questions)"
