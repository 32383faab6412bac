"""`grade report` and `grade remove`: read or prune what a gradebook holds, without grading."""

from __future__ import annotations

from pathlib import Path

import click

from grader.book.assignments import (
    AssignmentExtras,
    RosterEntry,
    assignment_options,
    extra_assignment_options,
    settle,
)
from grader.book.gradebook import Gradebook, GradebookError
from grader.cli.options import (
    assignment_option,
    colour_option,
    csv_option,
    gradebook_option,
    html_option,
    json_option,
    junit_option,
    selection_options,
    stored_gradebook_option,
    verbose_option,
)
from grader.cli.results import emit, report_destinations
from grader.cli.shared import (
    UnusableInput,
    as_unusable_input,
    check_assignment,
    open_assignment,
    require_gradebook,
    resolve_questions,
)
from grader.reports.lms import lms_options
from grader.text.words import counted

__all__ = ["remove_command", "report_command"]


@click.command("report", short_help="Reports from a gradebook, without grading.")
@stored_gradebook_option
@selection_options("Report on only this question.", "Report on only questions of a level.")
@verbose_option("Show every student's questions and all their failures.")
@json_option
@csv_option
@junit_option
@html_option
@colour_option
@lms_options
@assignment_options
@extra_assignment_options
def report_command(
    gradebook_path: Path,
    question_keys: tuple[str, ...],
    levels: tuple[str, ...],
    verbose: bool,
    as_json: bool,
    csv_path: Path | None,
    junit_path: Path | None,
    html_dir: Path | None,
    lms: str | None,
    lms_csv: Path | None,
    lms_unusable: str,
    colour: bool | None,
    assignment: str,
    due: str | None,
    late_policy: str | None,
    roster: list[RosterEntry] | None,
    extras: AssignmentExtras,
) -> None:
    """Report on what a gradebook holds, without grading anything: each student's latest submission.

    The assignment's questions, points, roster, due date, late policy and LMS column are the ones it
    remembers; -q and --level narrow the report to some of its questions. A student whose grading is not
    finished is shown incomplete.

    \b
    Example:
      grade report --gradebook fall.sqlite3 --csv grades.csv --html report/
    """
    resolve_questions(question_keys, levels)  # a bad -q is a usage error before the gradebook is read
    require_gradebook(gradebook_path)
    reports = report_destinations(csv_path, junit_path, html_dir, lms, lms_csv)
    with open_assignment(gradebook_path, assignment) as book:
        settled = settle(book, question_keys, levels, due, late_policy, roster, extras, record=False)
        stored = book.latest({q.id for q in settled.questions})
    emit(
        stored,
        settled,
        reports,
        as_json=as_json,
        verbose=verbose,
        colour=colour,
        gradebook=str(gradebook_path),
        lms_unusable=lms_unusable,
    )


@click.command("remove", short_help="Remove a student's submissions from a gradebook.")
@click.argument("students", nargs=-1, required=True)
@gradebook_option(exists=True)
@assignment_option()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove_command(students: tuple[str, ...], gradebook_path: Path, assignment: str, yes: bool) -> None:
    """Remove every submission of STUDENTS (their ids) from one assignment of a gradebook, with their results.

    Other assignments and the other students are untouched; grading the student again adds them back.
    """
    with as_unusable_input(GradebookError), Gradebook(gradebook_path, assignment) as book:
        check_assignment(book)
        known = {sub.name for sub in book.latest()}
        unknown = [name for name in students if name not in known]
        if unknown:
            raise UnusableInput(f"no student {', '.join(map(repr, unknown))} in assignment {assignment!r}")
        if not yes:
            click.confirm(f"Remove {', '.join(students)} from {assignment!r} in {gradebook_path}?", abort=True)
        removed = sum(book.remove(name) for name in students)
    click.echo(f"removed {counted(removed, 'submission')} of {counted(len(students), 'student')} from {assignment!r}")
