"""The teacher's CSV files: the roster of expected students and the times their platform recorded.

A roster (``--roster roster.csv``, with a column ``id`` and optionally ``name`` and ``email``) lists the
students expected: ``apply_roster`` puts those who sent nothing in every report as ``missing`` (so the CSV a
teacher imports has a row for everyone), and flags a submission whose name is on no roster line, since it is
usually a typo in a folder's name. A table of submission times (``--submission-times``, id and time columns)
gives the times that win over a manifest's or a file's. Both files are read the same way: UTF-8 (a BOM allowed),
4 MiB at most, every text made ``printable``; anything else is a ``RosterError``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

from grader.book.lateness import LatePolicyError, parse_due
from grader.book.reading import StoredSubmission
from grader.book.results import QuestionResult, SubmissionResult
from grader.kit.catalogue import Question
from grader.text.safetext import printable

__all__ = [
    "NO_SUBMISSION",
    "RosterEntry",
    "RosterError",
    "apply_roster",
    "read_roster",
    "read_submission_times",
]

NO_SUBMISSION = "no submission: on the roster, but nothing was handed in"
_ID_COLUMNS = ("id", "student", "login", "username")
_TIME_COLUMNS = ("submitted_at", "submitted", "time", "timestamp", "date", "submission time")
_MAX_ROSTER_BYTES = 4 * 1024 * 1024


class RosterError(ValueError):
    """A roster file the kit cannot read (the CLI turns it into a one-line error, exit 2)."""


@dataclass(frozen=True)
class RosterEntry:
    id: str
    name: str = ""
    email: str = ""


def _csv_table(path: Path, what: str, read_as: str) -> tuple[csv.DictReader[str], dict[str, str]]:
    """The rows of the CSV at ``path`` and its columns by lower-cased name; ``RosterError`` when too large or
    unreadable (``what`` and ``read_as`` name the file in the message)."""
    try:
        if path.stat().st_size > _MAX_ROSTER_BYTES:
            raise RosterError(f"{path} is too large for {what}")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path} cannot be read as {read_as} ({exc})") from exc
    reader = csv.DictReader(text.splitlines())
    return reader, {(name or "").strip().lower(): name for name in reader.fieldnames or []}


def _cell(row: dict[str, str | None], column: str | None) -> str:
    """The row's text in ``column`` (a header name), printable and stripped; '' for a column the table lacks (never
    the cells of a column whose header is blank)."""
    return printable(row.get(column) or "").strip() if column is not None else ""


def read_roster(path: Path) -> list[RosterEntry]:
    """The roster's students, in its order; the id column may be called id, student, login or username."""
    reader, columns = _csv_table(path, "a roster", "a UTF-8 CSV roster")
    id_column = next((columns[c] for c in _ID_COLUMNS if c in columns), None)
    if id_column is None:
        raise RosterError(f"{path} has no id column: its first line must name one, e.g. id,name,email")
    entries, seen = [], set()
    for row in reader:
        student = _cell(row, id_column)
        if not student or student in seen:
            continue
        seen.add(student)
        entries.append(RosterEntry(student, _cell(row, columns.get("name")), _cell(row, columns.get("email"))))
    if not entries:
        raise RosterError(f"{path} lists no student")
    return entries


def read_submission_times(path: Path) -> dict[str, str]:
    """Per student, the time the teacher's platform recorded: a CSV with an id column and a time column."""
    reader, columns = _csv_table(path, "a table of submission times", "a UTF-8 CSV")
    id_column = next((columns[c] for c in _ID_COLUMNS if c in columns), None)
    time_column = next((columns[c] for c in _TIME_COLUMNS if c in columns), None)
    if id_column is None or time_column is None:
        raise RosterError(f"{path} needs an id column and a time column: its first line must name them, e.g. id,time")
    times: dict[str, str] = {}
    for number, row in enumerate(reader, start=2):
        student, when = _cell(row, id_column), _cell(row, time_column)
        if not student or not when:
            continue
        try:
            times[student] = parse_due(when, day_starts=True)
        except LatePolicyError as exc:
            raise RosterError(f"{path}, line {number}: {exc}") from exc
    if not times:
        raise RosterError(f"{path} gives no submission time")
    return times


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
