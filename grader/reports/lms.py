"""Grade CSVs a learning management system imports as they are: Canvas's and Moodle's documented layouts.

Canvas imports the layout of its own gradebook export: the columns ``Student``, ``ID``, ``SIS User ID``,
``SIS Login ID`` and ``Section``, then one column per assignment, and under the header a ``Points Possible``
row (which gives an assignment created by the import its points). Canvas finds each student by ``ID``, ``SIS
User ID`` or ``SIS Login ID``; the kit knows a student only by the name of their submission, so it goes in
``Student`` and ``SIS Login ID``: name submissions by the students' login ids for a clean import.

Moodle imports "the same format as the export" and asks the teacher which column identifies the user (map
``ID number`` to ``useridnumber``) and which grade item each other column fills: here the grade, named as
Moodle's export names it (``<item> (Real)``), and a feedback column (``<item> (Feedback)``). Moodle's
documentation warns that importing feedback without its grade loses the grade, so both always go together.

Both are UTF-8 with a byte order mark (Excel otherwise reads UTF-8 as its local code page) and CRLF line
ends; every text cell (names, feedback) goes through ``spreadsheet_cell``, so a student named ``=HYPERLINK(...)``
stays text. Scores are ``grade``'s own points, never rescaled.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import click

from grader.catalogue import Question
from grader.gradebook import StoredSubmission
from grader.reports.review_parts import student_comments
from grader.safetext import printable, spreadsheet_cell

__all__ = [
    "DEFAULT_ITEM",
    "LMS_FORMATS",
    "LmsCsvError",
    "lms_destination",
    "lms_options",
    "render_canvas_csv",
    "render_lms_csv",
    "render_moodle_csv",
    "write_lms_reports",
]

LMS_FORMATS = ("canvas", "moodle")
DEFAULT_ITEM = "FastAPI interview kit"
_BOM = "\ufeff"
_CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
_F = TypeVar("_F", bound=Callable[..., object])


def _number(value: float) -> str:
    """Points as a spreadsheet reads them: ``49.12``, ``67`` (never ``67.0``), a dot for the decimals."""
    return f"{value:g}"


def _text(value: str) -> str:
    return spreadsheet_cell(printable(value))


def _csv(rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return _BOM + buffer.getvalue()


def _max_points(submissions: list[StoredSubmission], questions: tuple[Question, ...] | None) -> float:
    if questions:
        return round(sum(q.points for q in questions), 2)
    return max((s.result.max_score for s in submissions), default=0.0)


def _feedback(sub: StoredSubmission) -> str:
    """One line a student can read in the LMS: the score, what passed, and anything a person must look at."""
    result = sub.result
    passed = sum(q.passed for q in result.questions)
    parts = [
        f"{_number(result.score)}/{_number(result.max_score)} points ({result.percent:g}%), "
        f"{passed} of {len(result.questions)} questions passed"
    ]
    if sub.lateness and sub.lateness.late:
        parts.append(f"{sub.lateness.describe()}: {_number(sub.final_score)} points after the late policy")
    if sub.problem:
        parts.append(f"not graded: {sub.problem}")
    parts.extend(sub.warnings)
    flagged = [q.id for q in result.questions if q.flags]
    if flagged:
        parts.append(f"integrity flags (a person reads the code; scores unchanged): {', '.join(flagged)}")
    parts.extend(student_comments(sub))  # what the reviewer wrote to the student (issue 22)
    return "; ".join(parts)


def render_canvas_csv(
    submissions: list[StoredSubmission], questions: tuple[Question, ...] | None = None, item: str = DEFAULT_ITEM
) -> str:
    """Canvas's gradebook import: identity columns, one assignment column, a Points Possible row."""
    rows = [
        [*_CANVAS_HEADER, _text(item)],
        ["Points Possible", "", "", "", "", _number(_max_points(submissions, questions))],
    ]
    for sub in submissions:
        name = _text(sub.name)
        rows.append([name, "", "", name, "", _number(sub.final_score)])
    return _csv(rows)


def render_moodle_csv(
    submissions: list[StoredSubmission], questions: tuple[Question, ...] | None = None, item: str = DEFAULT_ITEM
) -> str:
    """Moodle's grade import: an ID number column to map to users, the grade and its feedback."""
    del questions  # Moodle takes the maximum from its grade item; the feedback states ours
    rows = [["ID number", _text(f"{item} (Real)"), _text(f"{item} (Feedback)")]]
    for sub in submissions:
        rows.append([_text(sub.name), _number(sub.final_score), _text(_feedback(sub))])
    return _csv(rows)


_RENDERERS: dict[str, Callable[..., str]] = {"canvas": render_canvas_csv, "moodle": render_moodle_csv}


def render_lms_csv(lms: str, submissions: list[StoredSubmission], questions: tuple[Question, ...] | None = None) -> str:
    """The CSV for ``lms`` (``canvas`` or ``moodle``)."""
    return _RENDERERS[lms](submissions, questions)


def _headers() -> set[str]:
    """The first line of every CSV this module writes: how a later run knows a file it may replace."""
    return {render_lms_csv(lms, []).splitlines()[0] for lms in LMS_FORMATS}


class LmsCsvError(click.ClickException):
    """The LMS options cannot be honoured: one line (``Error: ...``) and exit code 2, like any unusable input."""

    exit_code = 2


def lms_options(command: _F) -> _F:
    """``--lms canvas|moodle`` and ``--lms-csv FILE``, declared once for ``grade run`` and ``grade report``."""
    command = click.option(
        "--lms-csv",
        "lms_csv",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write a grade CSV that Canvas or Moodle imports (with --lms).",
    )(command)
    command = click.option(
        "--lms",
        type=click.Choice(LMS_FORMATS),
        default=None,
        help="The layout of --lms-csv: Canvas's or Moodle's grade import.",
    )(command)
    return command


def lms_destination(lms: str | None, path: Path | None) -> dict[str, Path]:
    """``{lms: path}`` for the reports to write (empty without the options), checked before any grading.

    Raises ``LmsCsvError`` (exit 2, one line) when only one of the two options is given or ``path`` holds
    something this module did not write: nothing of the user's is written over.
    """
    if lms is None and path is None:
        return {}
    if lms is None or path is None:
        raise LmsCsvError("--lms and --lms-csv go together: e.g. --lms canvas --lms-csv grades-canvas.csv")
    if path.exists():
        try:
            with path.open(encoding="utf-8", errors="replace", newline="") as handle:
                first = handle.readline().rstrip("\r\n")
        except OSError as exc:
            raise LmsCsvError(f"{path} cannot be read ({exc.strerror}): choose a new file") from exc
        if first not in _headers():
            raise LmsCsvError(f"{path} exists and was not written by grade: choose a new file")
    return {lms: path}


def write_lms_reports(
    submissions: list[StoredSubmission], questions: tuple[Question, ...], reports: dict[str, Path | None]
) -> None:
    """Write the LMS CSV named in ``reports`` (by ``lms_destination``), atomically: the old file or the new."""
    for lms in LMS_FORMATS:
        path = reports.get(lms)
        if path is None:
            continue
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(render_lms_csv(lms, submissions, questions).encode("utf-8"))
        partial.replace(path)
