"""Assignments, rosters and due dates: what a teacher's gradebook knows beyond the submissions themselves.

One gradebook holds several assignments (``--assignment week3``); each has its own students, and remembers
what it is once told: its **questions** (given to ``grade pack`` or on the first grading, with ``-q`` or
``--level``; every question when none is named), its **points** where they differ from the catalogue's
(``--points q03=5``: reports are recomputed from the stored per-test results, nothing is graded again), its
roster, due date, late policy, the name of its LMS column and the submission times the teacher gave. Later
runs and reports use them without being told again; ``-q`` then narrows a run or a report to some of the
assignment's questions, and ``grade assignment`` shows or changes the rest.

A roster (``--roster roster.csv``, with a column ``id`` and optionally ``name`` and ``email``) lists the
students expected: those who sent nothing appear in every report as ``missing`` (so the CSV a teacher imports
has a row for everyone), and a submission whose name is on no roster line is flagged, since it is usually a
typo in a folder's name.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from grader.book.gradebook import DEFAULT_ASSIGNMENT, AssignmentSettings, Gradebook, StoredSubmission
from grader.book.lateness import LatePolicyError, parse_due, parse_policy
from grader.book.results import QuestionResult, SubmissionResult
from grader.kit.catalogue import CatalogueError, Question, find_question, load_catalogue, select_questions
from grader.text.safetext import printable

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

NO_SUBMISSION = "no submission: on the roster, but nothing was handed in"
_ID_COLUMNS = ("id", "student", "login", "username")
_MAX_ROSTER_BYTES = 4 * 1024 * 1024


class RosterError(ValueError):
    """A roster file the kit cannot read (the CLI turns it into a one-line error, exit 2)."""


class AssignmentError(ValueError):
    """A selection or a change the assignment cannot take (the CLI turns it into a one-line error, exit 2)."""


@dataclass(frozen=True)
class RosterEntry:
    id: str
    name: str = ""
    email: str = ""


def read_roster(path: Path) -> list[RosterEntry]:
    """The roster's students, in its order; the id column may be called id, student, login or username."""
    try:
        if path.stat().st_size > _MAX_ROSTER_BYTES:
            raise RosterError(f"{path} is too large for a roster")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path} cannot be read as a UTF-8 CSV roster ({exc})") from exc
    reader = csv.DictReader(text.splitlines())
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    id_column = next((columns[c] for c in _ID_COLUMNS if c in columns), None)
    if id_column is None:
        raise RosterError(f"{path} has no id column: its first line must name one, e.g. id,name,email")
    entries, seen = [], set()
    for row in reader:
        student = printable(row.get(id_column) or "").strip()
        if not student or student in seen:
            continue
        seen.add(student)
        name = printable(row.get(columns.get("name", ""), "") or "").strip()
        email = printable(row.get(columns.get("email", ""), "") or "").strip()
        entries.append(RosterEntry(student, name, email))
    if not entries:
        raise RosterError(f"{path} lists no student")
    return entries


def _nothing_handed_in(entry: RosterEntry, questions: tuple[Question, ...]) -> StoredSubmission:
    results = tuple(
        QuestionResult(q.id, q.slug, q.title, q.level, "missing", 0.0, q.points, 0, 0, 0, 0.0, NO_SUBMISSION)
        for q in questions
    )
    result = SubmissionResult(entry.id, results, 0.0)
    return StoredSubmission(0, entry.id, "", "", "", NO_SUBMISSION, (), "", result)


def apply_roster(
    stored: list[StoredSubmission], roster: list[RosterEntry] | None, questions: tuple[Question, ...]
) -> list[StoredSubmission]:
    """Every roster student once (nothing handed in: all missing), submissions off the roster flagged."""
    if roster is None:
        return stored
    on_roster = {entry.id for entry in roster}
    handed_in = {sub.name for sub in stored}
    off_roster = "not on the roster: is the folder's name the student's id?"
    rows = [sub if sub.name in on_roster else replace(sub, warnings=(*sub.warnings, off_roster)) for sub in stored]
    rows += [_nothing_handed_in(entry, questions) for entry in roster if entry.id not in handed_in]
    return sorted(rows, key=lambda sub: sub.name)


def remember_deadline(book: Gradebook, due: str | None, late_policy: str | None) -> None:
    """Store a due date or policy given now (already checked); later runs and reports reuse them."""
    if due is None and late_policy is None:
        return
    stored_due, stored_policy = book.deadline()
    book.set_deadline(due if due is not None else stored_due, late_policy or stored_policy or "none")


def _checked(parse: Callable[[str], str]) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A click callback that turns ``parse``'s LatePolicyError into a usage error (exit 2, one line)."""

    def callback(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return parse(value)
        except LatePolicyError as exc:
            raise click.BadParameter(str(exc)) from exc

    return callback


def _check_roster(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> list[RosterEntry] | None:
    if value is None:
        return None
    try:
        return read_roster(value)
    except RosterError as exc:
        raise click.BadParameter(str(exc)) from exc


def assignment_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--assignment``, ``--due``, ``--late-policy`` and ``--roster``, shared by `grade` and `grade report`."""
    decorators = [
        click.option(
            "--assignment",
            default=DEFAULT_ASSIGNMENT,
            show_default=True,
            help="The assignment in the gradebook these submissions belong to.",
        ),
        click.option(
            "--due",
            callback=_checked(parse_due),
            metavar="DATE",
            help="Due date (2026-12-01 or 2026-12-01T23:59, local time); remembered for the assignment.",
        ),
        click.option(
            "--late-policy",
            callback=_checked(parse_policy),
            metavar="POLICY",
            help="none (report only; the default), zero, or a rate such as 10%/day or 5%/hour.",
        ),
        click.option(
            "--roster",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            callback=_check_roster,
            help="CSV of the expected students (id[,name,email]): who sent nothing is listed as missing.",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


# ------------------------------------------------------------------------------- what the assignment is


@dataclass(frozen=True)
class AssignmentExtras:
    """The options of `grade`, `grade report` and `grade assignment` that describe the assignment further."""

    points: dict[str, float]
    lms_column: str | None = None
    times: dict[str, str] | None = None


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


_TIME_COLUMNS = ("submitted_at", "submitted", "time", "timestamp", "date", "submission time")


def read_submission_times(path: Path) -> dict[str, str]:
    """Per student, the time the teacher's platform recorded: a CSV with an id column and a time column."""
    try:
        if path.stat().st_size > _MAX_ROSTER_BYTES:
            raise RosterError(f"{path} is too large for a table of submission times")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path} cannot be read as a UTF-8 CSV ({exc})") from exc
    reader = csv.DictReader(text.splitlines())
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    id_column = next((columns[c] for c in _ID_COLUMNS if c in columns), None)
    time_column = next((columns[c] for c in _TIME_COLUMNS if c in columns), None)
    if id_column is None or time_column is None:
        raise RosterError(f"{path} needs an id column and a time column: its first line must name them, e.g. id,time")
    times: dict[str, str] = {}
    for number, row in enumerate(reader, start=2):
        student = printable(row.get(id_column) or "").strip()
        when = (row.get(time_column) or "").strip()
        if not student or not when:
            continue
        try:
            times[student] = parse_due(when) if len(when) > 10 else parse_due(when + "T00:00")
        except LatePolicyError as exc:
            raise RosterError(f"{path}, line {number}: {exc}") from exc
    if not times:
        raise RosterError(f"{path} gives no submission time")
    return times


def check_points(_ctx: object, _param: object, values: tuple[str, ...]) -> dict[str, float]:
    """``--points q03=5`` (repeatable) as {question id: points}, or a usage error."""
    points: dict[str, float] = {}
    for entry in values:
        key, sep, amount = entry.partition("=")
        try:
            question = find_question(key)
            value = float(amount) if sep else -1.0
        except (CatalogueError, ValueError) as exc:
            raise click.BadParameter(f"{entry!r} is not Q=POINTS (e.g. q03=5): {exc}") from exc
        if not value > 0 or value != value or value == float("inf"):
            raise click.BadParameter(f"{entry!r} is not Q=POINTS with a positive number (e.g. q03=5)")
        points[question.id] = value
    return points


def _check_times(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> dict[str, str] | None:
    if value is None:
        return None
    try:
        return read_submission_times(value)
    except RosterError as exc:
        raise click.BadParameter(str(exc)) from exc


def extra_assignment_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--points``, ``--lms-column`` and ``--submission-times``, remembered for the assignment once given; the
    command receives them as one ``extras`` argument (``AssignmentExtras``)."""

    @functools.wraps(command)
    def wrapper(*args: Any, points: dict[str, float], lms_column: str | None, submission_times: Any, **kwargs: Any):
        extras = AssignmentExtras(points, lms_column, submission_times)
        return command(*args, extras=extras, **kwargs)

    decorators = [
        click.option(
            "--points",
            multiple=True,
            metavar="Q=POINTS",
            callback=check_points,
            help="A question's points in this assignment (e.g. q03=5), instead of the catalogue's; remembered.",
        ),
        click.option(
            "--lms-column",
            metavar="NAME",
            help="The assignment's column in Canvas or Moodle [default: the assignment's name]; remembered.",
        ),
        click.option(
            "--submission-times",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            callback=_check_times,
            help="CSV of when each student handed in (id,time), as your platform recorded it: these times win"
            " over the manifest's and the files'; remembered.",
        ),
    ]
    for decorator in reversed(decorators):
        wrapper = decorator(wrapper)
    return wrapper
