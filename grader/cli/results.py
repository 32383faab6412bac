"""What `grade run` and `grade report` make of graded submissions: the report files (CSV, JUnit, HTML, LMS),
written whole or not at all, and the table or JSON on the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from grader.book.assignments import apply_roster, lms_item
from grader.book.gradebook import StoredSubmission
from grader.cli.shared import UnusableInput, as_unusable_input
from grader.judge.interrupts import checkpoint
from grader.kit.catalogue import Question
from grader.reports.classlist import (
    CSV_SIGNATURE,
    JUNIT_SIGNATURE,
    render_class_csv,
    render_class_table,
    render_junit,
    submission_notes,
)
from grader.reports.jsonout import render_report_json
from grader.reports.lms import DEFAULT_ITEM, lms_destination, write_lms_reports
from grader.reports.table import render_table
from grader.text.terminal import use_colour

if TYPE_CHECKING:
    from grader.book.assignments import Settled

__all__ = ["emit", "report_destinations"]


def report_destinations(
    csv_path: Path | None, junit_path: Path | None, html_dir: Path | None, lms: str | None, lms_csv: Path | None
) -> dict[str, Path | None]:
    """The report files asked for, checked now, not after a long batch: ``{kind: path}``."""
    reports = {"csv": csv_path, "junit": junit_path, "html": html_dir}
    _check_report_destinations(reports)
    reports.update(lms_destination(lms, lms_csv))  # Canvas or Moodle grade import
    return reports


def _check_report_destinations(reports: dict[str, Path | None]) -> None:
    """Refuse report destinations that hold the user's own files: grade never writes over them."""
    if reports["html"] is not None:
        from grader.reports.html import ReportFolderError, check_report_folder

        with as_unusable_input(ReportFolderError):
            check_report_folder(reports["html"])
    for path, signature in ((reports["csv"], CSV_SIGNATURE), (reports["junit"], JUNIT_SIGNATURE)):
        if path is not None and path.exists() and not _written_by_us(path, signature):
            raise UnusableInput(f"{path} exists and was not written by grade: choose a new file")


def _written_by_us(path: Path, signature: str) -> bool:
    """Whether ``path`` is a report an earlier run wrote (and may be replaced)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return signature in handle.read(4096)
    except OSError:
        return False


def emit(
    stored: list[StoredSubmission],
    settled: Settled,
    reports: dict[str, Path | None],
    *,
    as_json: bool,
    verbose: bool,
    colour: bool | None,
    gradebook: str | None,
    lms_unusable: str,
    elapsed_s: float | None = None,
) -> list[StoredSubmission]:
    """The reports and the terminal output, the same for a fresh run and for `grade report` (``elapsed_s`` None:
    nothing was graded, so no time is shown): of ``stored`` and the students of the roster who sent nothing,
    the rows returned."""
    questions = settled.questions
    stored = apply_roster(stored, settled.roster, questions)
    assignment, item = settled.settings.name, lms_item(settled.settings, DEFAULT_ITEM)
    for note in _write_reports(stored, questions, reports, item, lms_unusable):
        click.echo(note, err=True)
    if as_json:
        click.echo(
            render_report_json(stored, gradebook, questions=questions, assignment=assignment, elapsed_s=elapsed_s)
        )
    elif len(stored) == 1:
        only = stored[0]
        notes = tuple(submission_notes(only))
        penalised = only.lateness is not None and only.lateness.penalty_percent > 0
        final = (only.final_score, only.final_percent) if penalised else None
        table = render_table(
            only.result, verbose=verbose, notes=notes, elapsed_s=elapsed_s, ungraded=only.ungraded, final=final
        )
        click.echo(table, color=use_colour(colour))
    else:
        table = render_class_table(stored, questions, verbose=verbose, elapsed_s=elapsed_s)
        click.echo(table, color=use_colour(colour))
    return stored


def _write_atomically(path: Path, text: str) -> None:
    """Write beside ``path`` and rename over it: an interrupt leaves the old report or the new, never half."""
    partial = path.with_name(f".{path.name}.partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        partial.write_text(text, encoding="utf-8")
    except OSError:  # a full disk: no half-written file is left beside the report
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


def _write_reports(
    stored: list, questions: tuple[Question, ...], reports: dict[str, Path | None], item: str, lms_unusable: str
) -> list[str]:
    """Write the report files asked for; what the LMS file's reader must know, one line each."""
    checkpoint("reports")
    notes = write_lms_reports(stored, questions, reports, item, lms_unusable)
    if reports["csv"]:
        _write_atomically(reports["csv"], render_class_csv(stored, questions))
    if reports["junit"]:
        _write_atomically(reports["junit"], render_junit(stored))
    if reports["html"]:
        from grader.reports.html import ReportFolderError, write_html_report

        with as_unusable_input(ReportFolderError):
            write_html_report(stored, questions, reports["html"])
    return notes
