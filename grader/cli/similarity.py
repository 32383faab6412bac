"""`grade similarity`: answers in a gradebook that stand out as alike, for a person to read."""

from __future__ import annotations

from pathlib import Path

import click

from grader.book.assignments import questions_in_force
from grader.cli.options import Decorator, assignment_option, json_option, selection_options, stored_gradebook_option
from grader.cli.shared import as_unusable_input, open_assignment, require_gradebook, resolve_questions

__all__ = ["similarity_command"]


def _part_option(flag: str, default: float, help: str) -> Decorator:
    """An option that is a part of a whole, 0 to 1."""
    return click.option(flag, type=click.FloatRange(0, 1), default=default, show_default=True, help=help)


@click.command("similarity", short_help="Answers that stand out as alike, grouped and ranked (scores unchanged).")
@stored_gradebook_option
@selection_options("Compare only this question.", "Compare only questions of a level.")
@assignment_option("The assignment to compare within.")
@_part_option("--threshold", 0.8, "Consider pairs that share at least this part (0 to 1) of one side's own text.")
@_part_option("--margin", 0.1, "Flag a pair only this much (0 to 1) above its question's baseline.")
@click.option(
    "--min-shared",
    type=click.IntRange(min=0),
    default=400,
    show_default=True,
    help="Flag a pair only when it shares this many characters of code (names and spaces aside).",
)
@click.option("--reference/--no-reference", default=True, show_default=True, help="Compare with the solutions too.")
@click.option("--all", "every_pair", is_flag=True, help="List every pair at the threshold, flagged or not.")
@json_option
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

    resolve_questions(question_keys, levels)  # a bad -q is a usage error before the gradebook is read
    require_gradebook(gradebook_path)
    with open_assignment(gradebook_path, assignment) as book:
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
