"""`grade dev-check`: the maintainers' proof that the kit is consistent."""

from __future__ import annotations

import sys

import click

from grader.cli.options import question_option, timeout_option
from grader.cli.shared import resolve_questions
from grader.text.words import counted

__all__ = ["dev_check_command"]


@click.command("dev-check", short_help="Prove the kit consistent (maintainers).")
@timeout_option()
@click.option("--no-mutants", is_flag=True, help="Skip grading the mutants (the slowest part).")
@question_option("Check only this question.")
def dev_check_command(timeout: float, no_mutants: bool, question_keys: tuple[str, ...]) -> None:
    """Maintainer check: every question has a stub, a solution and hidden tests, and they agree.

    Fails (exit 1) when a file is missing or orphaned, a stub has no TODO or drifts from its solution,
    a hidden test passes on an untouched stub or fails on the reference solution, a contract bullet has
    no test or no mutant, a test names no bullet, or a mutant (tests/mutants/) is not caught by a test
    naming its bullet. Prints the contract coverage table: tests and mutants per bullet.
    """
    from grader.kit.devcheck import run_dev_check

    only = resolve_questions(question_keys, ()) if question_keys else None
    result = run_dev_check(
        timeout_s=timeout, progress=lambda text: click.echo(text, err=True), mutants=not no_mutants, only=only
    )
    click.echo(result.table)
    for problem in result.problems:
        click.echo(f"- {problem}")
    if result.problems:
        click.echo(f"dev-check: {counted(len(result.problems), 'problem')}", err=True)
        sys.exit(1)
    click.echo("dev-check: all questions consistent, every bullet tested, every mutant caught")
