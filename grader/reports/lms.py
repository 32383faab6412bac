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

The column is the assignment's (``--lms-column``, else the assignment's name), so importing week 4 never
overwrites week 3. A submission whose grading is not finished is left out (the LMS keeps what it had), and the
run says so. A submission that earned nothing of its own (an unusable archive, an empty folder, a roster
student who handed in nothing) is written as the teacher chooses (``--lms-unusable``): ``zero``, or ``blank``
(the LMS keeps what it had); Moodle's feedback carries the reason either way, and for Canvas, which has no
feedback column, the run lists each one with its reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import click

from grader.book.gradebook import StoredSubmission
from grader.kit.catalogue import Question
from grader.reports.review_parts import student_comments
from grader.text.safetext import printable, spreadsheet_cell

__all__ = [
    "DEFAULT_ITEM",
    "LMS_FORMATS",
    "UNUSABLE_CHOICES",
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
UNUSABLE_CHOICES = ("zero", "blank")
_BOM = "\ufeff"
_CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
_MOODLE_HEADER = ["ID number"]
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
        if sub.time_source == "file":  # no manifest, no time given: a copy of the files dates them anew
            parts.append(f"dated by a file time on the grader's disk ({sub.submitted_at}), not a record of handing in")
    if sub.problem:
        parts.append(f"not graded: {sub.problem}")
    parts.extend(sub.warnings)
    flagged = [q.id for q in result.questions if q.flags]
    if flagged:
        parts.append(f"integrity flags (a person reads the code; scores unchanged): {', '.join(flagged)}")
    parts.extend(student_comments(sub))  # what the reviewer wrote to the student (issue 22)
    return "; ".join(parts)


def _grade(sub: StoredSubmission, unusable: str) -> str:
    """The grade cell: the final score, or nothing for a submission that earned nothing of its own when asked."""
    return "" if sub.problem and unusable == "blank" else _number(sub.final_score)


def render_canvas_csv(
    submissions: list[StoredSubmission],
    questions: tuple[Question, ...] | None = None,
    item: str = DEFAULT_ITEM,
    unusable: str = "zero",
) -> str:
    """Canvas's gradebook import: identity columns, one assignment column, a Points Possible row.

    Incomplete submissions are left out; ``unusable`` is ``zero`` or ``blank`` for those with a problem."""
    rows = [
        [*_CANVAS_HEADER, _text(item)],
        ["Points Possible", "", "", "", "", _number(_max_points(submissions, questions))],
    ]
    for sub in submissions:
        if sub.incomplete:
            continue
        name = _text(sub.name)
        rows.append([name, "", "", name, "", _grade(sub, unusable)])
    return _csv(rows)


def render_moodle_csv(
    submissions: list[StoredSubmission],
    questions: tuple[Question, ...] | None = None,
    item: str = DEFAULT_ITEM,
    unusable: str = "zero",
) -> str:
    """Moodle's grade import: an ID number column to map to users, the grade and its feedback.

    Incomplete submissions are left out; ``unusable`` is ``zero`` or ``blank`` for those with a problem, whose
    feedback says why either way."""
    del questions  # Moodle takes the maximum from its grade item; the feedback states ours
    rows = [[*_MOODLE_HEADER, _text(f"{item} (Real)"), _text(f"{item} (Feedback)")]]
    for sub in submissions:
        if sub.incomplete:
            continue
        rows.append([_text(sub.name), _grade(sub, unusable), _text(_feedback(sub))])
    return _csv(rows)


_RENDERERS: dict[str, Callable[..., str]] = {"canvas": render_canvas_csv, "moodle": render_moodle_csv}


def render_lms_csv(
    lms: str,
    submissions: list[StoredSubmission],
    questions: tuple[Question, ...] | None = None,
    item: str = DEFAULT_ITEM,
    unusable: str = "zero",
) -> str:
    """The CSV for ``lms`` (``canvas`` or ``moodle``)."""
    return _RENDERERS[lms](submissions, questions, item, unusable)


def _written_by_us(first_line: str) -> bool:
    """Whether a CSV's first line is one this module writes, whatever its column's name: a file it may replace."""
    if not first_line.startswith(_BOM):  # every file this module writes starts with one
        return False
    try:
        cells = next(csv.reader([first_line.removeprefix(_BOM)]))
    except (csv.Error, StopIteration):
        return False
    if len(cells) == len(_CANVAS_HEADER) + 1 and cells[:-1] == _CANVAS_HEADER:
        return _a_column_name(cells[-1])
    if len(cells) == 3 and cells[0] == _MOODLE_HEADER[0] and cells[1].endswith(" (Real)"):
        item = cells[1].removesuffix(" (Real)")
        return _a_column_name(item) and cells[2] == f"{item} (Feedback)"
    return False


def _a_column_name(name: str) -> bool:
    return bool(name) and name == name.strip()


class LmsCsvError(click.ClickException):
    """The LMS options cannot be honoured: one line (``Error: ...``) and exit code 2, like any unusable input."""

    exit_code = 2


def lms_options(command: _F) -> _F:
    """``--lms canvas|moodle`` and ``--lms-csv FILE``, declared once for ``grade run`` and ``grade report``."""
    command = click.option(
        "--lms-unusable",
        "lms_unusable",
        type=click.Choice(UNUSABLE_CHOICES),
        default="zero",
        show_default=True,
        help="In the LMS CSV, a submission that earned nothing of its own (unusable, empty, nothing handed in):"
        " zero, or blank (the LMS keeps what it had). Moodle's feedback says why; for Canvas the run lists them.",
    )(command)
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
        if not _written_by_us(first):
            raise LmsCsvError(f"{path} exists and was not written by grade: choose a new file")
    return {lms: path}


def write_lms_reports(
    submissions: list[StoredSubmission],
    questions: tuple[Question, ...],
    reports: dict[str, Path | None],
    item: str = DEFAULT_ITEM,
    unusable: str = "zero",
) -> list[str]:
    """Write the LMS CSV named in ``reports`` (by ``lms_destination``), atomically: the old file or the new.

    Returns what the teacher must know about it, one line each: the rows left out (incomplete), and each
    submission without a grade of its own with its reason (zero or blank, as ``unusable`` says).
    """
    notes: list[str] = []
    for lms in LMS_FORMATS:
        path = reports.get(lms)
        if path is None:
            continue
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(render_lms_csv(lms, submissions, questions, item, unusable).encode("utf-8"))
        partial.replace(path)
        notes += _notes(lms, path, submissions, item, unusable)
    return notes


def _notes(lms: str, path: Path, submissions: list[StoredSubmission], item: str, unusable: str) -> list[str]:
    label = {"canvas": "Canvas", "moodle": "Moodle"}[lms]
    notes = [f"{path}: column {item!r} ({label})"]
    left_out = [s.name for s in submissions if s.incomplete]
    if left_out:
        notes.append(
            f"{path}: left out, not graded completely yet: {', '.join(map(printable, left_out))}"
            " (run the same grading again, then write the file again)"
        )
    nothing = [s for s in submissions if s.problem and not s.incomplete]
    if nothing:
        how = "blank (the LMS keeps what it had)" if unusable == "blank" else "0"
        where = " (the reason is in its feedback column)" if lms == "moodle" else ""
        notes.append(f"{path}: written as {how}, no grade of their own{where}:")
        notes.extend(f"  {printable(s.name)}: {printable(s.problem)}" for s in nothing)
    return notes
