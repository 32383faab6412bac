"""The command-line options that describe an assignment, shared by `grade`, `grade report` and `grade assignment`.

``assignment_options`` adds ``--assignment``, ``--due``, ``--late-policy`` and ``--roster``;
``extra_assignment_options`` adds ``--points``, ``--lms-column`` and ``--submission-times`` and hands them to the
command as one ``AssignmentExtras``. Every value is checked as click parses it (a bad date, policy, roster,
points or times table is a usage error: one line, exit 2), so a command only ever sees values it can remember.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from grader.book.gradebook import DEFAULT_ASSIGNMENT
from grader.book.lateness import LatePolicyError, parse_due, parse_policy
from grader.book.roster import RosterError, read_roster, read_submission_times
from grader.kit.catalogue import CatalogueError, find_question

T = TypeVar("T")
V = TypeVar("V")

__all__ = ["AssignmentExtras", "assignment_options", "check_points", "extra_assignment_options"]


@dataclass(frozen=True)
class AssignmentExtras:
    """The options of `grade`, `grade report` and `grade assignment` that describe the assignment further."""

    points: dict[str, float]
    lms_column: str | None = None
    times: dict[str, str] | None = None


def _checked(
    parse: Callable[[V], T], refusal: type[Exception] = LatePolicyError
) -> Callable[[click.Context, click.Parameter, V | None], T | None]:
    """A click callback that passes the value given to ``parse`` and turns its ``refusal`` into a usage error
    (exit 2, one line); no value stays None."""

    def callback(_ctx: click.Context, _param: click.Parameter, value: V | None) -> T | None:
        if value is None:
            return None
        try:
            return parse(value)
        except refusal as exc:
            raise click.BadParameter(str(exc)) from exc

    return callback


def _stacked(command: Callable[..., Any], decorators: list[Callable[..., Any]]) -> Callable[..., Any]:
    """``command`` under ``decorators``, the first one outermost (as if written above it in that order)."""
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def assignment_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--assignment``, ``--due``, ``--late-policy`` and ``--roster``, shared by `grade` and `grade report`."""
    decorators = [
        click.option(
            "--assignment",
            default=DEFAULT_ASSIGNMENT,
            show_default=True,
            help="The assignment in the gradebook these submissions belong to.",
        ),
        click.option(
            "--due",
            callback=_checked(parse_due),
            metavar="DATE",
            help="Due date (2026-12-01 or 2026-12-01T23:59, local time); remembered for the assignment.",
        ),
        click.option(
            "--late-policy",
            callback=_checked(parse_policy),
            metavar="POLICY",
            help="none (report only; the default), zero, or a rate such as 10%/day or 5%/hour.",
        ),
        click.option(
            "--roster",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            callback=_checked(read_roster, RosterError),
            help="CSV of the expected students (id[,name,email]): who sent nothing is listed as missing.",
        ),
    ]
    return _stacked(command, decorators)


def check_points(_ctx: object, _param: object, values: tuple[str, ...]) -> dict[str, float]:
    """``--points q03=5`` (repeatable) as {question id: points}, or a usage error."""
    points: dict[str, float] = {}
    for entry in values:
        key, sep, amount = entry.partition("=")
        try:
            question = find_question(key)
            value = float(amount) if sep else -1.0
        except (CatalogueError, ValueError) as exc:
            raise click.BadParameter(f"{entry!r} is not Q=POINTS (e.g. q03=5): {exc}") from exc
        if not value > 0 or value != value or value == float("inf"):
            raise click.BadParameter(f"{entry!r} is not Q=POINTS with a positive number (e.g. q03=5)")
        points[question.id] = value
    return points


def extra_assignment_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--points``, ``--lms-column`` and ``--submission-times``, remembered for the assignment once given; the
    command receives them as one ``extras`` argument (``AssignmentExtras``)."""

    @functools.wraps(command)
    def wrapper(*args: Any, points: dict[str, float], lms_column: str | None, submission_times: Any, **kwargs: Any):
        extras = AssignmentExtras(points, lms_column, submission_times)
        return command(*args, extras=extras, **kwargs)

    decorators = [
        click.option(
            "--points",
            multiple=True,
            metavar="Q=POINTS",
            callback=check_points,
            help="A question's points in this assignment (e.g. q03=5), instead of the catalogue's; remembered.",
        ),
        click.option(
            "--lms-column",
            metavar="NAME",
            help="The assignment's column in Canvas or Moodle [default: the assignment's name]; remembered.",
        ),
        click.option(
            "--submission-times",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            callback=_checked(read_submission_times, RosterError),
            help="CSV of when each student handed in (id,time), as your platform recorded it: these times win"
            " over the manifest's and the files'; remembered.",
        ),
    ]
    return _stacked(wrapper, decorators)
