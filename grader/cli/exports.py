"""`grade export`: the grading, packaged for Gradescope or GitHub Classroom."""

from __future__ import annotations

from pathlib import Path

import click

from grader.book.assignments import questions_in_force
from grader.book.gradebook import Gradebook, GradebookError
from grader.cli.options import assignment_option, fail_under_option, gradebook_option, out_argument, stack
from grader.cli.shared import UnusableInput, as_unusable_input
from grader.kit.catalogue import Question

__all__ = ["export_group"]


@click.group("export", short_help="Grading for Gradescope or GitHub Classroom.")
def export_group() -> None:
    """Write what a teaching platform needs to run this grading on every submission.

    \b
    grade export gradescope OUT.zip         a Gradescope autograder zip
    grade export github-classroom OUT       .github/ files for a GitHub Classroom template repository
    """


# ``--assignment`` and ``--gradebook``: export an assignment's questions and points, as a gradebook keeps them.
_export_assignment_options = stack(
    assignment_option(
        "Grade only this assignment's questions, at its points [default: every question, catalogue points].",
        default=None,
    ),
    gradebook_option("The gradebook that remembers --assignment."),
)


def _exported_questions(assignment: str | None, gradebook_path: Path) -> tuple[Question, ...] | None:
    """The questions of ``assignment`` at its points (None without one), or a usage error naming what is held."""
    if assignment is None:
        return None
    if not Gradebook.holds(gradebook_path, assignment):
        raise UnusableInput(f"{gradebook_path} holds no assignment {assignment!r}: grade pack or grade it first")
    with as_unusable_input(GradebookError), Gradebook(gradebook_path, assignment) as book:
        return questions_in_force(book, record=False)


@export_group.command("gradescope", short_help="A Gradescope autograder zip.")
@out_argument
@click.option(
    "--visibility",
    type=click.Choice(["visible", "after_due_date", "after_published", "hidden"]),
    default="after_due_date",
    show_default=True,
    help="When students see each question's result (its points and the names of the hidden tests it failed).",
)
@_export_assignment_options
def export_gradescope_command(out: Path, visibility: str, assignment: str | None, gradebook_path: Path) -> None:
    """Write a Gradescope autograder to OUT (a new .zip): setup.sh, run_autograder and a copy of the kit
    (grader, hidden tests, stubs, and constraints.txt: the library versions the kit was tested with; never the
    solutions). Upload it as a programming assignment's autograder; students submit their qNN_<slug>.py files
    or the zip from `fastlings submit`.

    \b
    Example:
      grade export gradescope fastapi-autograder.zip --visibility after_due_date
    """
    from grader.exports import ExportError, write_gradescope

    questions = _exported_questions(assignment, gradebook_path)
    with as_unusable_input(ExportError):
        written = write_gradescope(out, visibility=visibility, questions=questions)
    click.echo(f"wrote the Gradescope autograder to {written} (question results: {visibility})")
    click.echo("upload it in the assignment's Configure Autograder page (Zip file upload)")


@export_group.command("github-classroom", short_help="GitHub Classroom workflow reporting grade's score.")
@out_argument
@fail_under_option("The workflow run fails below this score.", default=100.0)
@_export_assignment_options
def export_github_classroom_command(out: Path, fail_under: float, assignment: str | None, gradebook_path: Path) -> None:
    """Write GitHub Classroom autograding to OUT (a new folder): a workflow that installs the kit, grades
    every push once and reports grade's own score (partial credit included) to Classroom, one result per
    question, and a README saying what to fill in.

    \b
    Example:
      grade export github-classroom classroom/ --fail-under 60
    """
    from grader.exports import ExportError, write_github_classroom

    questions = _exported_questions(assignment, gradebook_path)
    with as_unusable_input(ExportError):
        written = write_github_classroom(out, fail_under=fail_under, questions=questions)
    click.echo(f"wrote the GitHub Classroom files to {written}")
    click.echo(f"next: read {written / 'README.md'}, set KIT_SOURCE in .github/workflows/classroom.yml")
