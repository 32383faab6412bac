"""`grade similarity`: answers in a gradebook that stand out as alike, for a person to read."""

from __future__ import annotations

from pathlib import Path

import click

from grader.book.assignments import AssignmentError, questions_in_force
from grader.book.gradebook import DEFAULT_ASSIGNMENT, Gradebook, GradebookError
from grader.cli.options import selection_options, stored_gradebook_option
from grader.cli.shared import UnusableInput, as_unusable_input, check_assignment, resolve_questions

__all__ = ["similarity_command"]


@click.command("similarity", short_help="Answers that stand out as alike, grouped and ranked (scores unchanged).")
@stored_gradebook_option
@selection_options("Compare")
@click.option("--assignment", default=DEFAULT_ASSIGNMENT, show_default=True, help="The assignment to compare within.")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.8,
    show_default=True,
    help="Consider pairs that share at least this part (0 to 1) of one side's own text.",
)
@click.option(
    "--margin",
    type=click.FloatRange(0, 1),
    default=0.1,
    show_default=True,
    help="Flag a pair only this much (0 to 1) above its question's baseline.",
)
@click.option(
    "--min-shared",
    type=click.IntRange(min=0),
    default=400,
    show_default=True,
    help="Flag a pair only when it shares this many characters of code (names and spaces aside).",
)
@click.option("--reference/--no-reference", default=True, show_default=True, help="Compare with the solutions too.")
@click.option("--all", "every_pair", is_flag=True, help="List every pair at the threshold, flagged or not.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
def similarity_command(
    gradebook_path: Path,
    question_keys: tuple[str, ...],
    levels: tuple[str, ...],
    assignment: str,
    threshold: float,
    margin: float,
    min_shared: int,
    reference: bool,
    every_pair: bool,
    as_json: bool,
) -> None:
    """Clusters of submissions in a gradebook whose answers to a question are more alike than independent
    answers to it are, ranked by how far they stand out. Each question's baseline is how alike the kit's
    reference solution and its blind alternative are, raised to the class's typical similarity; a pair is
    flagged at --threshold or more, --margin above the baseline, sharing --min-shared characters. The stub's
    own text does not count, an untouched stub is not compared, and renamed variables do not hide a copy
    (copydetect's winnowed fingerprints, the `grader` extra). It is for a person to read: it never changes a
    score.

    \b
    Example:
      grade similarity --gradebook fall.sqlite3
      grade similarity --gradebook fall.sqlite3 -q 7 --all
    """
    import json

    from grader.scan.similarity import SimilarityUnavailable, find_similar, render_similarity_table, similarity_to_dict

    questions = resolve_questions(question_keys, levels)
    if not gradebook_path.is_file():
        raise UnusableInput(f"{gradebook_path} does not exist: grade a class first (grade CLASS --gradebook ...)")
    with as_unusable_input(GradebookError, AssignmentError), Gradebook(gradebook_path, assignment) as book:
        check_assignment(book)
        questions = questions_in_force(book, question_keys, levels, record=False)  # the assignment's
        stored = book.latest({q.id for q in questions})
    with as_unusable_input(SimilarityUnavailable):
        report = find_similar(
            stored, questions, threshold=threshold, reference=reference, margin=margin, min_shared=min_shared
        )
    if as_json:
        click.echo(json.dumps(similarity_to_dict(report), indent=2, ensure_ascii=False))
    else:
        click.echo(render_similarity_table(report, every_pair=every_pair))
