"""``fastlings``: the candidate's practice loop over the kit's exercises.

It only ever runs the *public* checks (``checks/``), a few visible tests per question built from the
examples in each contract; the hidden tests that grade the final submission are not part of a candidate
pack. Each check runs in its own process with a time limit, like grading does.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from grader import __version__
from grader.candidate.state import Progress, load_progress, save_progress
from grader.candidate.workspace import WorkspaceError, backup_and_reset, write_submission
from grader.catalogue import CatalogueError, Question, find_question, load_catalogue
from grader.kit import checks_dir, exercises_dir, state_dir
from grader.results import RawRun
from grader.runner import run_questions
from grader.terminal import use_colour

__all__ = ["main"]

CHECK_TIMEOUT_S = 30.0
_SYMBOLS = {"done": ("✓", "green"), "failing": ("✗", "red"), "error": ("!", "magenta"), "unchecked": ("·", None)}


def _state_file() -> Path:
    return state_dir() / "state.json"


def _echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err, color=use_colour())


def _question(key: str) -> Question:
    try:
        return find_question(key)
    except CatalogueError as exc:
        raise click.BadParameter(str(exc), param_hint="Q") from exc


def _progress_line(progress: Progress) -> str:
    ids = [q.id for q in load_catalogue()]
    done = progress.done(ids)
    width = 30
    filled = round(width * done / len(ids))
    return f"progress [{'#' * filled}{'-' * (width - filled)}] {done}/{len(ids)}"


def _next_unfinished(progress: Progress, after: Question | None = None) -> Question | None:
    questions = load_catalogue()
    start = questions.index(after) + 1 if after else 0
    for question in (*questions[start:], *questions[:start]):
        if progress.get(question.id).status != "done":
            return question
    return None


def _status_of(run: RawRun) -> str:
    if run.outcome != "completed":
        return "error"
    return "done" if run.tests and all(t.outcome in ("passed", "skipped") for t in run.tests) else "failing"


def _run_check(question: Question) -> tuple[str, RawRun]:
    if not (exercises_dir() / question.filename).is_file():
        raise WorkspaceError(f"{exercises_dir() / question.filename} does not exist (`fastlings reset {question.id}`)")
    if not (checks_dir() / question.test_filename).is_file():
        raise WorkspaceError(f"no public checks for {question.id} in {checks_dir()}")
    (run,) = run_questions((question,), exercises_dir(), timeout_s=CHECK_TIMEOUT_S, tests_dir=checks_dir())
    return _status_of(run), run


def _report_check(question: Question, status: str, run: RawRun) -> None:
    _echo(click.style(f"{question.id} · {question.title}", bold=True) + f"  ({exercises_dir() / question.filename})")
    if run.outcome == "missing":
        _echo(click.style("  the file is missing", fg="red"))
    elif run.outcome != "completed":
        _echo(click.style(f"  {run.outcome.replace('_', ' ')}: {run.message}", fg="magenta"))
    for test in run.tests:
        symbol, colour = _SYMBOLS["done" if test.outcome == "passed" else "failing"]
        line = f"  {click.style(symbol, fg=colour)} {test.name.removeprefix('test_').replace('_', ' ')}"
        if test.outcome != "passed" and test.message:
            line += click.style(f"\n      {test.message}", dim=True)
        _echo(line)
    if status == "done":
        _echo(click.style("  all public checks pass.", fg="green") + " The hidden tests check the whole contract:")
        _echo("  reread the docstring before you move on.")
    elif run.outcome == "completed":
        _echo(f"  stuck? `fastlings hint {question.id}`")


def check_and_record(question: Question) -> str:
    status, run = _run_check(question)
    progress = load_progress(_state_file())
    progress.record_check(question.id, status)
    save_progress(_state_file(), progress)
    _report_check(question, status, run)
    return status


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, prog_name="fastlings")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Practise the FastAPI interview exercises: edit a stub, check it, move on.

    \b
    Start with `fastlings watch`: it checks each exercise when you save it.
    Exit codes: 0 success, 1 a check failed, 2 bad usage.
    """
    if ctx.invoked_subcommand is not None:
        return
    progress = load_progress(_state_file())
    upcoming = _next_unfinished(progress)
    _echo(
        click.style("fastlings", bold=True) + ": thirty FastAPI exercises, each a stub whose docstring is the contract."
    )
    _echo(_progress_line(progress))
    if upcoming is None:
        _echo("Every question passes its public checks: `fastlings submit` packs your answers.")
    else:
        _echo(f"next: {upcoming.id} · {upcoming.title} ({exercises_dir() / upcoming.filename})")
        _echo("run `fastlings watch` and save the file to check it; `fastlings --help` lists every command.")


@cli.command("list", short_help="Every question, its state, your progress.")
def list_command() -> None:
    """Every question with its level and its state at the last check, and your progress."""
    progress = load_progress(_state_file())
    for q in load_catalogue():
        symbol, colour = _SYMBOLS.get(progress.get(q.id).status, _SYMBOLS["unchecked"])
        _echo(f"{click.style(symbol, fg=colour)} {q.id}  {q.level:<12}  {q.title}")
    _echo()
    _echo(_progress_line(progress))


@cli.command("check", short_help="Run the public checks of a question.")
@click.argument("question_key", metavar="[Q]", required=False)
def check_command(question_key: str | None) -> None:
    """Run the public checks of question Q (3, q03 or a slug; default: the first unfinished one)."""
    progress = load_progress(_state_file())
    question = _question(question_key) if question_key else _next_unfinished(progress)
    if question is None:
        _echo("Every question passes its public checks. `fastlings submit` packs your answers.")
        return
    try:
        status = check_and_record(question)
    except WorkspaceError as exc:
        raise click.ClickException(str(exc)) from exc
    _echo(_progress_line(load_progress(_state_file())))
    if status != "done":
        sys.exit(1)


@cli.command("hint", short_help="One more hint for a question.")
@click.argument("question_key", metavar="Q")
def hint_command(question_key: str) -> None:
    """Show the hints of question Q, one more each time you ask."""
    question = _question(question_key)
    progress = load_progress(_state_file())
    state = progress.get(question.id)
    state.hints_shown = min(state.hints_shown + 1, len(question.hints))
    save_progress(_state_file(), progress)
    for number, hint in enumerate(question.hints[: state.hints_shown], start=1):
        _echo(f"hint {number}/{len(question.hints)}: {hint}")
    if state.hints_shown == len(question.hints):
        _echo(click.style("that was the last hint.", dim=True))


@cli.command("watch", short_help="Check each exercise when you save it.")
@click.option(
    "--interval", type=click.FloatRange(min=0.05), default=0.5, show_default=True, help="Seconds between looks."
)
def watch_command(interval: float) -> None:
    """Check each exercise when you save it; shows your progress and what to do next. Ctrl-C stops."""
    progress = load_progress(_state_file())
    current = _next_unfinished(progress)
    _echo(click.style("fastlings watch", bold=True))
    if current is not None:
        _safe_check(current)
    seen = _mtimes()
    _echo(f"watching {exercises_dir()} for changes: save a file to check it (Ctrl-C to stop)")
    try:
        while True:
            time.sleep(interval)
            now = _mtimes()
            changed = sorted(name for name, mtime in now.items() if seen.get(name) != mtime)
            seen = now
            for name in changed:
                question = next((q for q in load_catalogue() if q.filename == name), None)
                if question is None:
                    continue
                _echo()
                status = _safe_check(question)
                progress = load_progress(_state_file())
                _echo(_progress_line(progress))
                if status == "done":
                    upcoming = _next_unfinished(progress, after=question)
                    if upcoming is None:
                        _echo("All done! `fastlings submit` packs your answers.")
                    else:
                        _echo(f"next: {upcoming.id} · {upcoming.title} ({exercises_dir() / upcoming.filename})")
    except KeyboardInterrupt:
        _echo()
        _echo(f"stopped watching. {_progress_line(load_progress(_state_file()))}")


def _safe_check(question: Question) -> str:
    try:
        return check_and_record(question)
    except WorkspaceError as exc:
        _echo(click.style(str(exc), fg="red"))
        return "error"


def _mtimes() -> dict[str, float]:
    try:
        return {p.name: p.stat().st_mtime_ns for p in exercises_dir().glob("q*.py")}
    except OSError:
        return {}


@cli.command("serve", short_help="Run your app with uvicorn; open /docs.")
@click.argument("question_key", metavar="Q")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
def serve_command(question_key: str, port: int) -> None:
    """Run your app for question Q with uvicorn (reloading on save) and print the /docs URL."""
    import uvicorn

    question = _question(question_key)
    if not (exercises_dir() / question.filename).is_file():
        raise click.ClickException(f"{exercises_dir() / question.filename} does not exist")
    _echo(f"serving {question.filename}: open http://127.0.0.1:{port}/docs  (Ctrl-C to stop)")
    uvicorn.run(
        f"{question.module_name}:app",
        app_dir=str(exercises_dir()),
        host="127.0.0.1",
        port=port,
        reload=True,
        reload_dirs=[str(exercises_dir())],
    )


@cli.command("reset", short_help="Restore a stub (your version is backed up).")
@click.argument("question_key", metavar="Q")
@click.confirmation_option(prompt="Restore the original stub? Your file is backed up first.")
def reset_command(question_key: str) -> None:
    """Restore question Q's original stub, first saving your version as a timestamped backup."""
    question = _question(question_key)
    try:
        backup = backup_and_reset(question)
    except WorkspaceError as exc:
        raise click.ClickException(str(exc)) from exc
    if backup is not None:
        _echo(f"your version is saved as {backup}")
    _echo(f"{exercises_dir() / question.filename} is the original stub again")


@cli.command("submit", short_help="Pack your answers into a zip to send back.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Archive to write.")
def submit_command(output: Path | None) -> None:
    """Pack your exercises into one zip with a manifest, ready to send back."""
    try:
        archive = write_submission(load_catalogue(), output)
    except WorkspaceError as exc:
        raise click.ClickException(str(exc)) from exc
    progress = load_progress(_state_file())
    _echo(f"wrote {archive}")
    _echo(_progress_line(progress) + " (public checks; the hidden tests decide the grade)")


def main() -> None:
    """``fastlings``; SIGTERM and SIGHUP stop it like Ctrl-C, so a running check's processes are killed too."""
    from grader.interrupts import stop_on_signals

    stop_on_signals()
    cli(prog_name="fastlings")
