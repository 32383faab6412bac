"""``grade assignment``: what a gradebook remembers of an assignment, shown, and changed where asked.

Everything here can also be given to ``grade`` or ``grade report`` (and the questions to ``grade pack`` or the
first grading); this command is where a teacher reads it back, or changes an assignment's questions after
its first grading (its students are then graded on the new ones by the next run, and shown ``incomplete``
until then).
"""

from __future__ import annotations

from pathlib import Path

import click

from grader.book.assignments import (
    AssignmentError,
    AssignmentExtras,
    RosterEntry,
    assignment_options,
    describe_assignment,
    extra_assignment_options,
    record_questions,
    remember_deadline,
    remember_extras,
)
from grader.book.gradebook import Gradebook, GradebookError
from grader.cli.options import gradebook_option, selection_options
from grader.cli.shared import as_unusable_input
from grader.kit.catalogue import CatalogueError, select_questions

__all__ = ["assignment_command"]


@click.command("assignment", short_help="Show or change what an assignment remembers.")
@gradebook_option()
@selection_options("Its questions: this one.", "Its questions: those of a level.")
@assignment_options
@extra_assignment_options
def assignment_command(
    gradebook_path: Path,
    question_keys: tuple[str, ...],
    levels: tuple[str, ...],
    assignment: str,
    due: str | None,
    late_policy: str | None,
    roster: list[RosterEntry] | None,
    extras: AssignmentExtras,
) -> None:
    """Show what the gradebook remembers of --assignment: its questions and points, due date and late policy,
    roster, submission times and LMS column. Any option given changes it first; -q or --level replace its
    questions (students graded before are graded on the new ones by the next `grade`, and shown incomplete
    until then; results of questions kept are kept).

    \b
    Examples:
      grade assignment --gradebook fall.sqlite3 --assignment week3
      grade assignment --gradebook fall.sqlite3 --assignment week3 -q 6 -q 7 --points q07=3
    """
    with (
        as_unusable_input(GradebookError, AssignmentError, CatalogueError),
        Gradebook(gradebook_path, assignment) as book,
    ):
        remember_deadline(book, due, late_policy)
        remember_extras(book, extras, roster)
        if question_keys or levels:
            chosen = select_questions(question_keys, levels, book.settings().catalogue())
            if not chosen:
                raise AssignmentError("the selection matches no question")
            record_questions(book, chosen, "grade assignment", replace_graded=True)
        settings = book.settings()
        students = book.assignments().get(assignment, 0)
    for line in describe_assignment(settings, students):
        click.echo(line)
