"""Option decorators that several `grade` commands declare alike, each declared once here.

Where commands word an option differently (its help, its default), the decorator takes that as an argument;
the rest (the flag, the parameter's name, its type) is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from grader.book.gradebook import DEFAULT_ASSIGNMENT, DEFAULT_GRADEBOOK
from grader.judge.runner import DEFAULT_TIMEOUT_S
from grader.kit.catalogue import LEVELS

__all__ = [
    "assignment_option",
    "colour_option",
    "csv_option",
    "fail_under_option",
    "gradebook_option",
    "html_option",
    "json_option",
    "junit_option",
    "level_option",
    "out_argument",
    "question_option",
    "selection_options",
    "stack",
    "stored_gradebook_option",
    "timeout_option",
    "verbose_option",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def stack(*decorators: Decorator) -> Decorator:
    """Several decorators as one, applied as if written one above the other in this order."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return decorate


def _shown_default(default: Any) -> dict[str, Any]:
    """``default`` and, when there is one, ``show_default`` (the options below show every default they have)."""
    return {"default": default, "show_default": True} if default is not None else {"default": None}


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
csv_option = click.option(
    "--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the class CSV here."
)
junit_option = click.option(
    "--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here."
)
html_option = click.option(
    "--html", "html_dir", type=click.Path(file_okay=False, path_type=Path), help="Write the HTML report here."
)
colour_option = click.option(
    "--color/--no-color", "colour", default=None, help="Force colour on or off [default: on a terminal]."
)
out_argument = click.argument("out", type=click.Path(path_type=Path))


def gradebook_option(
    help: str | None = None, *, default: Path | None = DEFAULT_GRADEBOOK, exists: bool = False
) -> Decorator:
    """``--gradebook FILE`` as ``gradebook_path``; ``exists``: click refuses a file that is not there."""
    kind = click.Path(exists=exists, dir_okay=False, path_type=Path)
    return click.option("--gradebook", "gradebook_path", type=kind, help=help, **_shown_default(default))


stored_gradebook_option = gradebook_option("The gradebook earlier batches wrote.")


def assignment_option(help: str | None = None, *, default: str | None = DEFAULT_ASSIGNMENT) -> Decorator:
    """``--assignment NAME``: which of a gradebook's assignments the command works on."""
    return click.option("--assignment", help=help, **_shown_default(default))


def question_option(help: str, *, metavar: str | None = "Q") -> Decorator:
    """``-q`` / ``--question``, repeatable, as ``question_keys``."""
    return click.option("-q", "--question", "question_keys", multiple=True, metavar=metavar, help=help)


def level_option(help: str) -> Decorator:
    """``--level``, repeatable, as ``levels``."""
    return click.option("--level", "levels", multiple=True, type=click.Choice(LEVELS), help=help)


def selection_options(question_help: str, level_help: str, *, metavar: str | None = "Q") -> Decorator:
    """``-q`` and then ``--level``: the questions a command works on."""
    return stack(question_option(question_help, metavar=metavar), level_option(level_help))


def timeout_option(help: str | None = None) -> Decorator:
    """``--timeout SECONDS`` allowed per question."""
    return click.option("--timeout", type=click.FloatRange(min=1), help=help, **_shown_default(DEFAULT_TIMEOUT_S))


def verbose_option(help: str) -> Decorator:
    """``-v`` / ``--verbose``."""
    return click.option("-v", "--verbose", is_flag=True, help=help)


def fail_under_option(help: str, *, default: float | None = None) -> Decorator:
    """``--fail-under PERCENT``: below this score the command (or the workflow it writes) fails."""
    return click.option(
        "--fail-under", type=click.FloatRange(0, 100), metavar="PERCENT", help=help, **_shown_default(default)
    )
