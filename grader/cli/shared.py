"""What several `grade` commands share: the one-line usage error (exit 2), the question selection, and the
gradebook that earlier runs wrote, opened on an assignment it holds."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import click

from grader.book.assignments import AssignmentError
from grader.book.gradebook import Gradebook, GradebookError
from grader.kit.catalogue import CatalogueError, Question, explain_empty_selection, select_questions
from grader.text.words import counted

__all__ = [
    "UnusableInput",
    "as_unusable_input",
    "check_assignment",
    "open_assignment",
    "require_gradebook",
    "resolve_questions",
]


class UnusableInput(click.ClickException):
    """Input the grader cannot work with: a one-line message and exit code 2, never a traceback."""

    exit_code = 2


@contextlib.contextmanager
def as_unusable_input(*errors: type[Exception]) -> Iterator[None]:
    """Turn a module's own expected errors into the CLI's one-line, exit-code-2 message."""
    try:
        yield
    except errors as exc:
        raise UnusableInput(str(exc)) from exc


def resolve_questions(question_keys: tuple[str, ...], levels: tuple[str, ...]) -> tuple[Question, ...]:
    """The catalogue's questions that ``-q`` and ``--level`` select; a usage error when they select none."""
    try:
        chosen = select_questions(question_keys, levels)
    except CatalogueError as exc:
        raise click.BadParameter(str(exc), param_hint="'-q' / '--question'") from exc
    if not chosen:
        raise click.UsageError(explain_empty_selection(question_keys, levels))
    return chosen


def require_gradebook(path: Path) -> None:
    """A command that reads what earlier runs stored refuses a gradebook that is not there."""
    if not path.is_file():
        raise UnusableInput(f"{path} does not exist: grade a class first (grade CLASS --gradebook ...)")


@contextlib.contextmanager
def open_assignment(path: Path, assignment: str) -> Iterator[Gradebook]:
    """The gradebook at ``path``, open on an assignment it holds; its errors are one-line usage errors."""
    with as_unusable_input(GradebookError, AssignmentError), Gradebook(path, assignment) as book:
        check_assignment(book)
        yield book


def check_assignment(book: Gradebook) -> None:
    """A report of an assignment the gradebook does not hold is a usage error that names those it holds."""
    held = book.assignments()
    if held and book.assignment not in held:
        names = ", ".join(f"{name} ({counted(count, 'student')})" for name, count in held.items())
        raise UnusableInput(f"{book.path} holds no assignment {book.assignment!r}; it holds {names}")
