"""`grade pack`: write the candidate pack and record the assignment it hands out."""

from __future__ import annotations

from pathlib import Path

import click

from grader.book.assignments import AssignmentError, check_points, record_pack
from grader.book.gradebook import DEFAULT_GRADEBOOK, GradebookError
from grader.cli.options import assignment_option, gradebook_option, out_argument, selection_options, stack
from grader.cli.shared import UnusableInput, as_unusable_input
from grader.kit.catalogue import CatalogueError, explain_empty_selection, select_questions
from grader.text.words import counted

__all__ = ["pack_command"]


# Where `grade pack` records the assignment it hands out, and its points and LMS column.
_pack_assignment_options = stack(
    assignment_option("The assignment this pack is: its questions and points are recorded for `grade`."),
    gradebook_option(
        f"The gradebook the assignment is recorded in [default: {DEFAULT_GRADEBOOK} beside OUT].", default=None
    ),
    click.option(
        "--points",
        multiple=True,
        metavar="Q=POINTS",
        callback=check_points,
        help="A question's points in this assignment (e.g. q03=5), instead of the catalogue's.",
    ),
    click.option(
        "--lms-column", metavar="NAME", help="The assignment's column in Canvas or Moodle [default: its name]."
    ),
)


@click.command("pack", short_help="Write the candidate pack.")
@out_argument
@selection_options("Only this question (repeatable): 3, q03 or a slug.", "Only this level (repeatable).", metavar=None)
@click.option("--title", help="The assignment's title: the heading of the pack's README.")
@click.option(
    "--instructions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A text or Markdown file of instructions, put at the top of the pack's README.",
)
@click.option("--force", is_flag=True, help="Replace OUT if it is an earlier pack (never anything else).")
@_pack_assignment_options
def pack_command(
    out: Path,
    question_keys: tuple[str, ...],
    levels: tuple[str, ...],
    title: str | None,
    instructions: Path | None,
    force: bool,
    assignment: str,
    gradebook_path: Path | None,
    points: dict[str, float],
    lms_column: str | None,
) -> None:
    """Write the candidate pack to OUT (a new folder, or a .zip, .tar.gz or .tar holding one folder named like OUT
    without its suffix): stubs, public checks, the `fastlings`
    practice tool, a candidate README and the kit's constraints.txt (the exact versions grading runs), and
    nothing of the solutions or the hidden tests.

    The pack's questions (and --points) are recorded as an assignment in a gradebook beside OUT: `grade`
    run there (or given that --gradebook) grades its submissions on those questions, out of their points.

    \b
    grade pack candidate.zip
    grade pack week3/ -q 6 -q 7 --title "Week 3: request bodies" --instructions week3.md
    grade pack basics.zip --level basic --force
    """
    from grader.kit.pack import PackError, write_pack

    with as_unusable_input(PackError, CatalogueError, OSError, UnicodeDecodeError):
        questions = select_questions(question_keys, levels)
        if not questions:
            raise UnusableInput(explain_empty_selection(question_keys, levels))
        text = instructions.read_text(encoding="utf-8") if instructions is not None else None
        book = gradebook_path or out.parent / DEFAULT_GRADEBOOK  # the assignment is recorded beside the pack
        with as_unusable_input(AssignmentError, GradebookError):
            record_pack(book, assignment, questions, points, lms_column, check_only=True)
        written = write_pack(out, questions=questions, title=title, instructions=text, force=force)
    click.echo(f"wrote the candidate pack to {written} ({counted(len(questions), 'question')})")
    with as_unusable_input(AssignmentError, GradebookError):
        for line in record_pack(book, assignment, questions, points, lms_column):
            click.echo(line)
    click.echo("candidates: pip install -e . -c constraints.txt inside it, then `fastlings watch`")
