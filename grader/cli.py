"""The ``grade`` command line: a thin click layer over the catalogue, the runner, scoring and the renderers."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from grader import __version__
from grader.catalogue import LEVELS, CatalogueError, Question, select_questions
from grader.reports.jsonout import render_json
from grader.reports.table import render_table
from grader.runner import DEFAULT_TIMEOUT_S, default_jobs, run_questions
from grader.scoring import score_submission

__all__ = ["main"]

EXIT_CODES_HELP = """\b
Exit codes:
  0  grading finished (and the score reached --fail-under, if given)
  1  the score is below --fail-under
  2  bad usage or unusable input (no such folder, no exercise files, ...)"""


class UnusableInput(click.ClickException):
    """Input the grader cannot work with: a one-line message and exit code 2, never a traceback."""

    exit_code = 2


class DefaultCommandGroup(click.Group):
    """A group whose first argument may be a command name; anything else runs the default command.

    ``grade``, ``grade solutions`` and ``grade --json -q 3`` all mean ``grade run ...``, while
    ``grade dev-check`` still reaches its own command.
    """

    default_command = "run"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help", "--version")):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def use_colour(explicit: bool | None) -> bool:
    """Colour only on a terminal, never when NO_COLOR is set, unless --color/--no-color says otherwise."""
    if explicit is not None:
        return explicit
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _resolve_questions(question_keys: tuple[str, ...], levels: tuple[str, ...]) -> tuple[Question, ...]:
    try:
        chosen = select_questions(question_keys, levels)
    except CatalogueError as exc:
        raise click.BadParameter(str(exc), param_hint="'-q' / '--question'") from exc
    if not chosen:
        raise click.UsageError("the selection matches no question")
    return chosen


def _check_submission_folder(folder: Path, questions: tuple[Question, ...]) -> None:
    if not any((folder / q.filename).exists() for q in select_questions()):
        example = questions[0].filename
        raise UnusableInput(f"{folder} holds none of the kit's exercise files (expected names like {example})")


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grade")
def cli() -> None:
    """Grade FastAPI interview exercises against the kit's hidden tests.

    \b
    grade [SUBMISSION]        grade a folder of qNN_<slug>.py files (same as `grade run`)
    grade dev-check           maintainer check of the kit itself

    Run `grade run --help` for the grading options.
    """


@cli.command("run")
@click.argument(
    "submission",
    required=False,
    default="exercises",
    type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path),
)
@click.option(
    "-q", "--question", "question_keys", multiple=True, metavar="Q", help="Grade only this question (3, q03 or a slug)."
)
@click.option("--level", "levels", multiple=True, type=click.Choice(LEVELS), help="Grade only questions of a level.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    help="Seconds allowed per question.",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Questions graded at once [default: cores]."
)
@click.option("-v", "--verbose", is_flag=True, help="Show the first failure of every question that did not pass.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@click.option(
    "--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PERCENT", help="Exit 1 below this score."
)
@click.option("--color/--no-color", "colour", default=None, help="Force colour on or off [default: on a terminal].")
def run_command(
    submission: Path,
    question_keys: tuple[str, ...],
    levels: tuple[str, ...],
    timeout: float,
    jobs: int | None,
    verbose: bool,
    as_json: bool,
    fail_under: float | None,
    colour: bool | None,
) -> None:
    """Grade SUBMISSION, a folder of qNN_<slug>.py files (default: ./exercises).

    Each question runs in its own process with a time limit, so a module that hangs, crashes or exits
    costs only its own question.

    \b
    Statuses: passed (all tests pass), failed (some fail), error (the module
    does not import or its process died), timeout, missing (no file).

    \b
    Examples:
      grade                      # the exercises you are working on
      grade ~/candidate -v       # a candidate's folder, with failure messages
      grade solutions --json     # machine-readable

    """
    questions = _resolve_questions(question_keys, levels)
    _check_submission_folder(submission, questions)
    started = time.perf_counter()
    runs = run_questions(questions, submission, timeout_s=timeout, jobs=jobs or default_jobs())
    result = score_submission(str(submission), questions, runs, time.perf_counter() - started)
    if as_json:
        click.echo(render_json(result))
    else:
        click.echo(render_table(result, verbose=verbose), color=use_colour(colour))
    if fail_under is not None and result.percent < fail_under:
        if not as_json:
            click.echo(f"score {result.percent:g}% is below --fail-under {fail_under:g}%", err=True)
        sys.exit(1)


run_command.epilog = EXIT_CODES_HELP
cli.epilog = EXIT_CODES_HELP


@cli.command("dev-check")
@click.option("--timeout", type=click.FloatRange(min=1), default=DEFAULT_TIMEOUT_S, show_default=True)
def dev_check_command(timeout: float) -> None:
    """Maintainer check: every question has a stub, a solution and hidden tests, and they agree.

    Fails (exit 1) when a file is missing or orphaned, a stub has no TODO or drifts from its solution,
    a hidden test passes on an untouched stub, or fails on the reference solution.
    """
    from grader.devcheck import run_dev_check

    problems = run_dev_check(timeout_s=timeout, progress=lambda text: click.echo(text, err=True))
    for problem in problems:
        click.echo(f"- {problem}")
    if problems:
        click.echo(f"dev-check: {len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo("dev-check: all questions consistent")


def main() -> None:
    cli(prog_name="grade")
