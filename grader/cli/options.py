"""Option decorators that several `grade` commands declare alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from grader.book.gradebook import DEFAULT_GRADEBOOK
from grader.kit.catalogue import LEVELS

__all__ = ["selection_options", "stored_gradebook_option"]


stored_gradebook_option = click.option(
    "--gradebook",
    "gradebook_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_GRADEBOOK,
    show_default=True,
    help="The gradebook earlier batches wrote.",
)


def selection_options(verb: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-q`` and ``--level``, worded for the command (``Report on``, ``Compare``)."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "--level", "levels", multiple=True, type=click.Choice(LEVELS), help=f"{verb} only questions of a level."
        )(command)
        return click.option(
            "-q", "--question", "question_keys", multiple=True, metavar="Q", help=f"{verb} only this question."
        )(command)

    return decorate
