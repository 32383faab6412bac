"""``fastlings``: the candidate's practice loop over the kit's exercises.

It only ever runs the *public* checks (``checks/``), a few visible tests per question built from the
examples in each contract; the hidden tests that grade the final submission are not part of a candidate
pack. Each check runs in its own process with a time limit (``grader.candidate.checker``). This module is the
thin click layer: the screen is drawn by ``screen``, the watch loop lives in ``watch``, files in ``workspace``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader import __version__
from grader.candidate import screen
from grader.candidate.presubmit import warnings_before_submit
from grader.candidate.state import Progress, load_progress, next_question, save_progress, state_file
from grader.candidate.workspace import WorkspaceError, backup_and_reset, is_untouched, restore_backup
from grader.kit import exercises_dir, state_dir
from grader.kit.catalogue import CatalogueError, Question, find_question, load_catalogue
from grader.text.terminal import use_colour

__all__ = ["cli", "main"]

EXIT_FAILED = 1

_timeout_option = click.option(
    "--timeout",
    "limit_s",
    type=click.FloatRange(min=0.5),
    default=30.0,
    show_default=True,
    help="Seconds a question's checks may run before they are stopped.",
)


def _echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err, color=use_colour())


def _lines(lines: list[str]) -> None:
    _echo("\n".join(lines))


def _left_out_of_pack(key: str) -> str | None:
    """The id of the kit's question ``key`` names when this pack left it out (None: in the pack, or no such question).

    A pack records every question of the kit it was written from (``.fastlings/pack.json``), by id and slug.
    """
    import json

    try:
        kit = json.loads((state_dir() / "pack.json").read_text(encoding="utf-8")).get("kit_questions", {})
    except (OSError, ValueError, AttributeError):
        return None
    wanted = key.strip().lower().removesuffix(".py")
    if wanted.isdigit():
        wanted = f"q{int(wanted):02d}"
    return next((qid for qid, slug in kit.items() if wanted in (qid, slug, f"{qid}_{slug}")), None)


def _question(key: str) -> Question:
    try:
        return find_question(key)
    except CatalogueError as exc:
        left_out = _left_out_of_pack(key) if isinstance(exc, CatalogueError) else None
        if left_out is not None:  # a pack of some questions: q16 exists, just not here
            held = ", ".join(q.id for q in load_catalogue())
            message = f"{left_out} is not in this pack: it holds {held} (`fastlings list` shows them)"
            raise click.BadParameter(message, param_hint="Q") from exc
        raise click.BadParameter(str(exc), param_hint="Q") from exc


def _question_or_current(key: str | None, command: str) -> Question:
    """Q as given, else the question being worked on (the one `fastlings check` would check)."""
    if key:
        return _question(key)
    progress = _progress()
    questions = load_catalogue()
    upcoming = next_question(progress, questions)
    if upcoming is not None:
        return upcoming
    current = next((q for q in questions if q.id == progress.current), None)
    if current is not None:
        return current
    raise click.UsageError(f"every question passes its public checks: name one (`fastlings {command} 3`)")


def _progress() -> Progress:
    return load_progress(state_file())


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, prog_name="fastlings")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Practise the FastAPI interview exercises: edit a stub, check it, move on.

    \b
    Start with `fastlings watch`: it checks each exercise when you save it.
    Exit codes: 0 success, 1 a check failed (or the command could not do its job),
    2 bad usage, 130 interrupted (Ctrl-C), 143 / 129 stopped by SIGTERM / SIGHUP.
    """
    if ctx.invoked_subcommand is not None:
        return
    progress = _progress()
    questions = load_catalogue()
    upcoming = next_question(progress, questions)
    _echo(
        click.style("fastlings", bold=True)
        + f": {len(questions)} FastAPI exercises, each a stub whose docstring is the contract."
    )
    _echo(screen.progress_line(progress, questions))
    if upcoming is None:
        _echo("Every question passes its public checks: `fastlings submit` packs your answers.")
    else:
        _echo(f"next: {upcoming.id} · {upcoming.title} ({exercises_dir() / upcoming.filename})")
        _echo("run `fastlings watch` and save the file to check it; `fastlings --help` lists every command.")


@cli.command("list", short_help="Every question, its state, your progress.")
def list_command() -> None:
    """Every question with its level and its state at the last check (a legend says which symbol is which),
    the question you are on (>), and your progress."""
    progress = _progress()
    questions = load_catalogue()
    _lines(screen.render_list(questions, progress, next_question(progress, questions)))


def _check_one(question: Question, limit_s: float) -> str:
    from grader.candidate.checker import CheckError, run_check, warm_up
    from grader.candidate.watch import record_result

    warm_up(full=False)
    try:
        result = run_check(question, limit_s)
    except CheckError as exc:
        raise click.ClickException(str(exc)) from exc
    progress = record_result(question, result)
    _lines(screen.render_check(question, result))
    _echo(screen.progress_line(progress, load_catalogue()))
    return result.status


def _check_all(questions: tuple[Question, ...], limit_s: float) -> bool:
    """Every question's checks, two at a time on two cores; one line each. True when all pass."""
    from grader.candidate.checker import CheckError, run_checks, warm_up
    from grader.candidate.outcome import CheckResult
    from grader.candidate.watch import record_result

    warm_up(full=True)

    def report(question: Question, outcome: CheckResult | CheckError) -> None:
        if isinstance(outcome, CheckError):
            _echo(f"{screen.symbol('error')} {question.id}  {outcome}")
            return
        record_result(question, outcome)
        first = outcome.problem or next((t.failure for t in outcome.failures if t.failure), None)
        room = screen.terminal_width() - len(question.title) - 12
        why = f"  {click.style('—', dim=True)} {screen.clip(first.summary, room)}" if first is not None else ""
        _echo(f"{screen.symbol(outcome.status)} {question.id}  {question.title}{why}")

    results = run_checks(questions, limit_s=limit_s, on_result=report)
    _echo()
    _echo(screen.progress_line(_progress(), load_catalogue()))
    return all(not isinstance(r, Exception) and r.status == "done" for _q, r in results)


@cli.command("check", short_help="Run the public checks of a question (or of all).")
@click.argument("question_key", metavar="[Q]", required=False)
@click.option("--all", "check_all", is_flag=True, help="Check every question, one line each.")
@_timeout_option
def check_command(question_key: str | None, check_all: bool, limit_s: float) -> None:
    """Run the public checks of question Q (3, q03 or a slug; default: the question you are on, or the next
    unfinished one). The first failure is shown in full (file, line, the code there, and what differs), the
    others one line each. Exit code 1 when a check fails.
    """
    if check_all:
        if question_key:
            raise click.UsageError("give a question or --all, not both")
        if not _check_all(load_catalogue(), limit_s):
            sys.exit(EXIT_FAILED)
        return
    question = _question(question_key) if question_key else next_question(_progress(), load_catalogue())
    if question is None:
        _echo("Every question passes its public checks. `fastlings submit` packs your answers.")
        return
    if _check_one(question, limit_s) != "done":
        sys.exit(EXIT_FAILED)


@cli.command("hint", short_help="One more hint for a question.")
@click.argument("question_key", metavar="[Q]", required=False)
def hint_command(question_key: str | None) -> None:
    """Show the hints of question Q (default: the question you are on, as for `check`), one more each time you
    ask. The time each is first shown is recorded, and `fastlings submit` puts it in the manifest."""
    question = _question_or_current(question_key, "hint")
    progress = _progress()
    shown = progress.record_hint(question.id, len(question.hints))
    save_progress(state_file(), progress)
    _lines(screen.render_hints(question, shown))


@cli.command("watch", short_help="Check each exercise when you save it.")
@click.option(
    "--interval", type=click.FloatRange(min=0.02), default=0.1, show_default=True, help="Seconds between looks."
)
@_timeout_option
def watch_command(interval: float, limit_s: float) -> None:
    """Check each exercise when you save it, in a screen redrawn on each result.

    \b
    Keys: h a hint, l the list, n the next question, r re-run, q quit (Ctrl-C too).
    A save while a check runs stops it and checks the new version.
    Outside a terminal (an IDE's output pane) the results are printed one after the other.
    """
    from grader.candidate.watch import Watch, keys_available
    from grader.judge.interrupts import Terminated, exit_code_for

    interactive = keys_available()
    watch = Watch(interval, lambda text: _echo(text), interactive=interactive, limit_s=limit_s)
    stopped: BaseException | None = None
    try:
        watch.run()
    except KeyboardInterrupt as exc:
        stopped = exc
    try:
        _echo()
        _echo(f"stopped watching. {screen.progress_line(_progress(), load_catalogue())}")
    except OSError:  # the terminal is gone (SIGHUP): nothing to tell
        pass
    if isinstance(stopped, Terminated):
        sys.exit(exit_code_for(stopped))


@cli.command("serve", short_help="Run your app with uvicorn; open /docs.")
@click.argument("question_key", metavar="[Q]", required=False)
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port [default: 8000, or the next free one].")
def serve_command(question_key: str | None, port: int | None) -> None:
    """Run your app for question Q (default: the question you are on, as for `check`) with uvicorn on 127.0.0.1,
    reloading on save, and print its /docs URL.

    \b
    /docs and /redoc work offline (Swagger UI and ReDoc are served locally).
    When port 8000 is taken the next free port is used; a port given with --port must be free.
    Exit codes: 0 stopped with Ctrl-C, 143 stopped by SIGTERM (129 SIGHUP), 1 the app could not be served,
    2 bad usage.
    """
    import os
    import signal

    from grader.candidate.serving import FOLDER_VARIABLE, MODULE_VARIABLE, PortTaken, find_port, serve_reloading

    question = _question_or_current(question_key, "serve")
    if not (exercises_dir() / question.filename).is_file():
        raise click.ClickException(f"{exercises_dir() / question.filename} does not exist")
    host = "127.0.0.1"
    try:
        chosen = find_port(host, port or 8000, explicit=port is not None)
    except PortTaken as exc:
        raise click.ClickException(str(exc)) from exc
    if port is None and chosen != 8000:
        _echo(f"port 8000 is in use (another app?): serving on {chosen} instead")
    os.environ[FOLDER_VARIABLE] = str(exercises_dir())
    os.environ[MODULE_VARIABLE] = question.module_name
    _echo(f"serving {question.filename} at http://{host}:{chosen}  (Ctrl-C to stop)")
    _echo(f"open http://{host}:{chosen}/docs")
    try:
        stopped_by = serve_reloading(host, chosen, exercises_dir())
    except (SystemExit, OSError) as exc:
        if isinstance(exc, SystemExit) and exc.code in (0, None):
            return
        raise click.ClickException(f"uvicorn could not serve the app on port {chosen} ({exc})") from exc
    if stopped_by is not None and stopped_by != signal.SIGINT:
        sys.exit(128 + stopped_by)  # 143 for SIGTERM, 129 for SIGHUP, as the other commands


def _touched(question: Question) -> bool:
    return is_untouched(question) is False


@cli.command("reset", short_help="Restore a stub (your version is backed up).")
@click.argument("question_key", metavar="Q")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def reset_command(question_key: str, yes: bool) -> None:
    """Restore question Q's original stub, first saving your version as a timestamped backup
    (`fastlings restore Q` brings it back). A file that is still the stub is left alone."""
    question = _question(question_key)
    if is_untouched(question):
        _echo(f"{exercises_dir() / question.filename} is still the original stub: nothing to reset")
        return
    if not yes:
        click.confirm("Restore the original stub? Your file is backed up first.", abort=True)
    try:
        outcome = backup_and_reset(question)
    except WorkspaceError as exc:
        raise click.ClickException(str(exc)) from exc
    progress = _progress()
    progress.forget(question.id)
    save_progress(state_file(), progress)
    if outcome.backup is not None:
        _echo(f"your version is saved as {outcome.backup}  (`fastlings restore {question.id}` brings it back)")
    _echo(f"{exercises_dir() / question.filename} is the original stub again")


@cli.command("restore", short_help="Bring back your latest backup of a question.")
@click.argument("question_key", metavar="Q")
def restore_command(question_key: str) -> None:
    """Put your latest backup of question Q back in place (backups are made by `fastlings reset`). The file it
    replaces is backed up first, so nothing is ever lost."""
    question = _question(question_key)
    try:
        source, saved = restore_backup(question)
    except WorkspaceError as exc:
        raise click.ClickException(str(exc)) from exc
    progress = _progress()
    progress.forget(question.id)
    save_progress(state_file(), progress)
    if saved is not None:
        _echo(f"the file it replaces is saved as {saved}")
    _echo(f"{exercises_dir() / question.filename} is your version from {source.name} again")


@cli.command("submit", short_help="Pack your answers into a zip to send back.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Archive to write.")
@click.option("--name", help="Your name, for the zip's name and its manifest (asked for when not given).")
@click.option("-y", "--yes", is_flag=True, help="Submit without asking, even with untouched or failing questions.")
def submit_command(output: Path | None, name: str | None, yes: bool) -> None:
    """Pack your exercises into one zip with a manifest, ready to send back.

    Before writing, it checks the questions you changed since their last check, and says which questions are
    still untouched stubs or fail their public checks. The manifest records your name, the hash of each file,
    and per question: the last check's state, the hints shown and when, when the file was first and last
    changed; and the versions of Python, FastAPI, Starlette and Pydantic you used.
    """
    questions = load_catalogue()
    if name is None:
        name = click.prompt("Your name (for the zip's name and its manifest)")
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if not name:
        raise click.BadParameter("your name cannot be empty", param_hint="--name")
    warnings = warnings_before_submit(questions, _echo)
    if warnings:
        _echo(click.style("before you submit:", bold=True))
        for warning in warnings:
            _echo(f"  {warning}")
        if not yes:
            click.confirm("Submit anyway?", abort=True)
    from grader.candidate.workspace import write_submission

    try:
        archive = write_submission(questions, output, name=name, progress=_progress())
    except WorkspaceError as exc:
        raise click.ClickException(str(exc)) from exc
    _echo(f"wrote {archive}")
    _echo(screen.progress_line(_progress(), questions) + " (public checks; the hidden tests decide the grade)")


def main() -> None:
    """``fastlings``; SIGTERM and SIGHUP stop it like Ctrl-C (a running check's processes are killed too), and the
    exit code says which: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    from grader.judge.interrupts import exit_code_for, stop_on_signals

    stop_on_signals()
    try:
        code = cli.main(prog_name="fastlings", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort as exc:
        interrupt = exc.__cause__ or exc.__context__
        click.echo("Aborted!", err=True)
        sys.exit(exit_code_for(interrupt) if isinstance(interrupt, KeyboardInterrupt) else EXIT_FAILED)
    except KeyboardInterrupt as exc:
        sys.exit(exit_code_for(exc))
    sys.exit(code if isinstance(code, int) else 0)
