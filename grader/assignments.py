"""Assignments, rosters and due dates: what a teacher's gradebook knows beyond the submissions themselves.

One gradebook holds several assignments (``--assignment week3``); each has its own students, and its own due
date and late policy, remembered once given. A roster (``--roster roster.csv``, with a column ``id`` and
optionally ``name`` and ``email``) lists the students expected: those who sent nothing appear in every report
as ``missing`` (so the CSV a teacher imports has a row for everyone), and a submission whose name is on no
roster line is flagged, since it is usually a typo in a folder's name.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from grader.catalogue import Question
from grader.gradebook import DEFAULT_ASSIGNMENT, Gradebook, StoredSubmission
from grader.lateness import LatePolicyError, parse_due, parse_policy
from grader.results import QuestionResult, SubmissionResult
from grader.safetext import printable

__all__ = [
    "NO_SUBMISSION",
    "RosterEntry",
    "RosterError",
    "apply_roster",
    "assignment_options",
    "read_roster",
    "remember_deadline",
]

NO_SUBMISSION = "no submission: on the roster, but nothing was handed in"
_ID_COLUMNS = ("id", "student", "login", "username")
_MAX_ROSTER_BYTES = 4 * 1024 * 1024


class RosterError(ValueError):
    """A roster file the kit cannot read (the CLI turns it into a one-line error, exit 2)."""


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
