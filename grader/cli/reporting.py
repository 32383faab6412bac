"""`grade report` and `grade remove`: read or prune what a gradebook holds, without grading."""

from __future__ import annotations

from pathlib import Path

import click

from grader.book.assignments import (
    AssignmentError,
    AssignmentExtras,
    RosterEntry,
    apply_roster,
    assignment_options,
    extra_assignment_options,
    lms_item,
    settle,
)
from grader.book.gradebook import DEFAULT_ASSIGNMENT, DEFAULT_GRADEBOOK, Gradebook, GradebookError
from grader.cli.options import selection_options, stored_gradebook_option
from grader.cli.results import check_report_destinations, emit
from grader.cli.shared import UnusableInput, as_unusable_input, check_assignment, resolve_questions
from grader.reports.lms import DEFAULT_ITEM, lms_destination, lms_options
from grader.text.words import counted

__all__ = ["remove_command", "report_command"]


@click.command("report", short_help="Reports from a gradebook, without grading.")
@stored_gradebook_option
@selection_options("Report on")
@click.option("-v", "--verbose", is_flag=True, help="Show every student's questions and all their failures.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the class CSV here.")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here.")
@click.option(
    "--html", "html_dir", type=click.Path(file_okay=False, path_type=Path), help="Write the HTML report here."
)
@click.option("--color/--no-color", "colour", default=None, help="Force colour on or off [default: on a terminal].")
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
    questions = resolve_questions(question_keys, levels)
    if not gradebook_path.is_file():
        raise UnusableInput(f"{gradebook_path} does not exist: grade a class first (grade CLASS --gradebook ...)")
    reports = {"csv": csv_path, "junit": junit_path, "html": html_dir}
    check_report_destinations(reports)
    reports.update(lms_destination(lms, lms_csv))  # Canvas or Moodle grade import
    with as_unusable_input(GradebookError, AssignmentError), Gradebook(gradebook_path, assignment) as book:
        check_assignment(book)
        settled = settle(book, question_keys, levels, due, late_policy, roster, extras, record=False)
        questions = settled.questions
        stored = book.latest({q.id for q in questions})
    stored = apply_roster(stored, settled.roster, questions)
    emit(
        stored,
        questions,
        reports,
        as_json=as_json,
        verbose=verbose,
        colour=colour,
        gradebook=str(gradebook_path),
        assignment=settled.settings.name,
        item=lms_item(settled.settings, DEFAULT_ITEM),
        lms_unusable=lms_unusable,
    )


@click.command("remove", short_help="Remove a student's submissions from a gradebook.")
@click.argument("students", nargs=-1, required=True)
@click.option(
    "--gradebook",
    "gradebook_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_GRADEBOOK,
    show_default=True,
)
@click.option("--assignment", default=DEFAULT_ASSIGNMENT, show_default=True)
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
