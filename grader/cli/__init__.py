"""The ``grade`` command line: a thin click layer over the catalogue, the runner, scoring and the renderers.

This module holds only the top-level group and ``main``; each command lives in a module of its own below
(``grading``: run, ``reporting``: report and remove, ``pack``, ``exports``, ``similarity``, ``devcheck``,
``doctor``, ``assignment``, ``review``: review and feedback), sharing ``options`` and ``shared``.
"""

from __future__ import annotations

import sys

import click

from grader import __version__
from grader.book.diskfull import EXIT_DISK_FULL, describe, is_disk_full
from grader.cli.assignment import assignment_command
from grader.cli.devcheck import dev_check_command
from grader.cli.doctor import doctor_command
from grader.cli.exports import export_group
from grader.cli.grading import EXIT_CODES_HELP, RUN_STATE, run_command
from grader.cli.pack import pack_command
from grader.cli.reporting import remove_command, report_command
from grader.cli.review import feedback_command, review_command
from grader.cli.similarity import similarity_command
from grader.judge.interrupts import EXIT_INTERRUPTED, Terminated, exit_code_for, stop_on_signals
from grader.text.safetext import printable

__all__ = ["cli", "main", "run_click_command"]


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


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grade")
def cli() -> None:
    """Grade FastAPI interview exercises against the kit's hidden tests.

    \b
    grade [SUBMISSION...]     grade folders or archives of qNN_<slug>.py files, or a class (`grade run`)
    grade dev-check           maintainer check of the kit itself
    grade doctor              which sandbox layers this machine offers
    grade report              the classes a gradebook holds, as a table, JSON, CSV, JUnit or HTML
    grade similarity          answers that stand out as alike, grouped and ranked (scores unchanged)
    grade remove STUDENT      take a student's submissions out of an assignment
    grade assignment          what an assignment remembers (questions, points, roster, ...)
    grade pack OUT            write the candidate pack (stubs, public checks, fastlings)
    grade export ...          grading for Gradescope or GitHub Classroom (`grade export --help`)

    Run `grade run --help` for the grading options.
    """


cli.epilog = EXIT_CODES_HELP

cli.add_command(run_command)
cli.add_command(report_command)
cli.add_command(remove_command)
cli.add_command(dev_check_command)
cli.add_command(doctor_command)
cli.add_command(pack_command)
cli.add_command(export_group)
cli.add_command(similarity_command)
cli.add_command(assignment_command)

# The human half (issue 22): the review app and the students' feedback pages (grader/review/).
cli.add_command(review_command)
cli.add_command(feedback_command)


def main() -> None:
    """``grade``: click's own handling, except that Ctrl-C exits 130 (the shell's code for SIGINT), not 1."""
    run_click_command(cli, "grade")


def run_click_command(command: click.Command, name: str) -> None:
    """Run ``command`` as click would, except for how a run is stopped.

    Ctrl-C exits 130; SIGTERM and SIGHUP (``Terminated``) exit 143 and 129. Either way the exception unwinds
    through the runner first, whose ``finally`` kills every process the run started.
    """
    stop_on_signals()
    try:
        code = command.main(prog_name=name, standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt) as interrupt:
        cause = interrupt.__cause__ if isinstance(interrupt, click.exceptions.Abort) else interrupt
        how = f"stopped by {cause}" if isinstance(cause, Terminated) else "interrupted"
        if RUN_STATE.get("kept") is False:  # one submission graded into a gradebook of its own run
            click.echo(
                f"{name}: {how}; nothing was kept (without --gradebook, one submission is graded into a temporary"
                " gradebook): the same command starts again from the beginning; give --gradebook to make it resume",
                err=True,
            )
        else:
            click.echo(
                f"{name}: {how}; finished results are kept, nothing half-made was stored: the same command resumes",
                err=True,
            )
        sys.exit(exit_code_for(cause) if cause is not None else EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        # The gradebook rolled back what it was writing; results committed before are kept for the rerun.
        click.echo(
            f"{name}: {printable(describe(exc))}; finished results are kept, nothing half-made was stored:"
            " free some space and run the same command again",
            err=True,
        )
        sys.exit(EXIT_DISK_FULL)
    sys.exit(code if isinstance(code, int) else 0)
