"""`grade run` (the default command): grade submissions, or a class of them, into a gradebook and report."""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import click

from grader.book.assignments import (
    AssignmentError,
    AssignmentExtras,
    RosterEntry,
    assignment_options,
    extra_assignment_options,
    manifest_mismatch,
    settle,
)
from grader.book.gradebook import DEFAULT_GRADEBOOK, Gradebook, GradebookError, StoredSubmission
from grader.book.submissions import Submission, resolve_submissions
from grader.cli.options import (
    colour_option,
    csv_option,
    fail_under_option,
    gradebook_option,
    html_option,
    json_option,
    junit_option,
    selection_options,
    timeout_option,
    verbose_option,
)
from grader.cli.results import emit, report_destinations
from grader.cli.shared import UnusableInput, as_unusable_input, resolve_questions
from grader.judge.batch import execute_batch, plan_batch
from grader.kit.catalogue import CatalogueError, Question, find_question
from grader.reports.lms import lms_options
from grader.text.words import counted

__all__ = ["EXIT_CODES_HELP", "RUN_STATE", "run_command"]


EXIT_CODES_HELP = """\b
Exit codes:
  0  grading finished (and the score reached --fail-under, if given)
  1  the score is below --fail-under
  2  bad usage or unusable input (no such folder, no exercise files, ...)
  3  the disk is full: finished results are kept, nothing half-made;
     free some space and run the same command again
  130  interrupted (Ctrl-C); 143 and 129 for SIGTERM and SIGHUP: finished
       results are kept, nothing half-made"""


@click.command("run", short_help="Grade submissions (the default command).")
@click.argument("submissions", nargs=-1, type=click.Path(exists=True, path_type=Path))
@selection_options("Grade only this question (3, q03 or a slug).", "Grade only questions of a level.")
@timeout_option("Seconds allowed per question.")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes graded at once [default: cores]."
)
@verbose_option("Show every failure of every unpassed question (each student's, in a class).")
@json_option
@fail_under_option("Exit 1 when a submission scores below this.")
@gradebook_option(f"SQLite gradebook for batches [default: ./{DEFAULT_GRADEBOOK}].", default=None)
@click.option("--regrade", is_flag=True, help="Grade again submissions the gradebook already holds.")
@click.option(
    "--map",
    "map_entries",
    multiple=True,
    metavar="Q=FILE",
    help="Grade FILE (a path inside each submission) as question Q, e.g. --map q03=q03.py.",
)
@csv_option
@junit_option
@html_option
@colour_option
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "require", "off"]),
    default="auto",
    show_default=True,
    help="Confine candidate code: every layer this machine offers (auto), all of them or refuse (require), "
    "none (off, for debugging). `grade doctor` lists the layers.",
)
@lms_options
@assignment_options
@extra_assignment_options
def run_command(
    submissions: tuple[Path, ...],
    question_keys: tuple[str, ...],
    levels: tuple[str, ...],
    timeout: float,
    jobs: int | None,
    verbose: bool,
    as_json: bool,
    fail_under: float | None,
    gradebook_path: Path | None,
    regrade: bool,
    map_entries: tuple[str, ...],
    csv_path: Path | None,
    junit_path: Path | None,
    html_dir: Path | None,
    lms: str | None,
    lms_csv: Path | None,
    lms_unusable: str,
    colour: bool | None,
    sandbox: str,
    assignment: str,
    due: str | None,
    late_policy: str | None,
    roster: list[RosterEntry] | None,
    extras: AssignmentExtras,
) -> None:
    """Grade SUBMISSIONS (default: ./exercises).

    A submission is a folder of qNN_<slug>.py files or an archive of one (zip or tar, e.g. from the
    candidate's `submit`). A class folder, whose every subfolder or archive is one student's submission
    named by the student's id, grades the whole class. Several submissions are graded as one batch in
    parallel, recorded in a gradebook (unchanged submissions are not graded twice; an interrupted batch
    resumes), and summarised one row per student.

    Each question is judged in its own process with a time limit; the candidate's module runs apart, in a
    sandboxed process that cannot reach the verdict, the machine or the other submissions, so a module that
    hangs, crashes, exits or attacks costs only its own question.

    \b
    Statuses: passed (all tests pass), failed (some fail), error (the module
    does not import or its process died), timeout, missing (no file),
    not_attempted (the file is the untouched stub: not run).

    \b
    Examples:
      grade                           # the exercises you are working on
      grade ~/candidate -v            # a candidate's folder, with failure messages
      grade alice.zip                 # a submitted archive
      grade class/ --csv grades.csv   # a whole class, with a spreadsheet
      grade solutions --json          # machine-readable
    """
    questions = resolve_questions(question_keys, levels)
    mapping = _parse_map(map_entries, questions)
    reports = report_destinations(csv_path, junit_path, html_dir, lms, lms_csv)
    paths = list(submissions) or [Path("exercises")]
    if not paths[0].exists():
        raise UnusableInput(f"{paths[0]} does not exist: name the folder to grade")
    _check_sandbox(sandbox, quiet=as_json)
    # Folders no candidate process may read, beside the kit, its own private copy and the home folder.
    protected = (*(p.resolve() for p in paths), (gradebook_path or DEFAULT_GRADEBOOK).resolve().parent, Path.cwd())
    options = _RunOptions(timeout, jobs, verbose, as_json, fail_under, colour, sandbox, protected)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grade-") as scratch:
        try:
            resolved = resolve_submissions(paths, Path(scratch), mapping)
        except ValueError as exc:
            raise UnusableInput(str(exc)) from exc
        single = len(paths) == 1 and len(resolved) == 1 and resolved[0].source == paths[0]
        if single and resolved[0].folder is None:
            raise UnusableInput(resolved[0].problem)
        # One submission is a class of one: the same grading, reports and JSON. Without --gradebook, it goes
        # into ./gradebook.sqlite3 when that gradebook knows the assignment (`grade pack` or a class graded
        # there); otherwise its results live in a gradebook that is gone when the run ends.
        temporary = Path(scratch) / "gradebook.sqlite3"
        implicit = single and Gradebook.holds(DEFAULT_GRADEBOOK, assignment)
        book = gradebook_path or (temporary if single and not implicit else DEFAULT_GRADEBOOK)
        keep = book != temporary
        RUN_STATE["kept"] = keep
        with as_unusable_input(GradebookError, AssignmentError), Gradebook(book, assignment) as opened:
            settled = settle(opened, question_keys, levels, due, late_policy, roster, extras, record=True)
            questions = settled.questions
            resolved = _with_manifest_warnings(resolved, questions)
            stored = _grade(resolved, questions, options, opened, regrade, keep)
            said = _assignment_line(opened, questions) if keep and not as_json else ""
    stored = emit(
        stored,
        settled,
        reports,
        as_json=as_json,
        verbose=verbose,
        colour=colour,
        gradebook=str(book) if keep else None,
        lms_unusable=lms_unusable,
        elapsed_s=time.monotonic() - started,
    )
    if said:
        click.echo(said, err=True)
    if fail_under is not None:
        # The unrounded percent: 39.17% is below --fail-under 39.2, though it is shown as 39.2%.
        below = [s for s in stored if s.incomplete or s.exact_final_percent < fail_under]
        if below:
            if not as_json:
                shown = ", ".join(f"{s.name} ({'incomplete' if s.incomplete else _percent(s)})" for s in below)
                click.echo(f"below --fail-under {fail_under:g}%: {shown}", err=True)
            sys.exit(1)


run_command.epilog = EXIT_CODES_HELP


# How the run in progress keeps its results, for what an interrupt can promise (see run_click_command).
RUN_STATE: dict[str, bool] = {}


def _percent(sub: StoredSubmission) -> str:
    """A percent as exact as it needs to be to explain a comparison: ``39.17%``."""
    return f"{round(sub.exact_final_percent, 2):g}%"


def _assignment_line(book: Gradebook, questions: tuple[Question, ...]) -> str:
    """The assignment this run graded against, in one line (for stderr, when a gradebook keeps it)."""
    settings = book.settings()
    total = round(sum(q.points for q in questions), 2)
    origin = f", given at {settings.origin}" if settings.origin else ""
    ids = ", ".join(q.id for q in questions) if len(questions) <= 10 else f"{questions[0].id} ... {questions[-1].id}"
    return (
        f"assignment {settings.name!r} in {book.path}: {len(questions)} question"
        f"{'' if len(questions) == 1 else 's'} ({ids}), {total:g} point{'' if total == 1 else 's'}{origin}"
    )


def _with_manifest_warnings(submissions: list[Submission], questions: tuple[Question, ...]) -> list[Submission]:
    """Each submission whose submit manifest lists other questions than the assignment's, with a warning."""
    from dataclasses import replace

    warned = []
    for sub in submissions:
        note = manifest_mismatch(sub.manifest.files, questions) if sub.manifest is not None else ""
        warned.append(replace(sub, warnings=(*sub.warnings, note)) if note else sub)
    return warned


def _parse_map(entries: tuple[str, ...], questions: tuple[Question, ...]) -> dict[str, str]:
    """``--map q03=q03.py`` as {expected file name: the file to grade instead}, checked before any work."""
    mapping: dict[str, str] = {}
    for entry in entries:
        key, sep, found = entry.partition("=")
        if not sep or not found.strip():
            raise click.BadParameter(f"{entry!r} is not Q=FILE (e.g. q03=q03.py)", param_hint="'--map'")
        try:
            question = find_question(key)
        except CatalogueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--map'") from exc
        relative = Path(found.strip())
        if relative.is_absolute() or ".." in relative.parts:
            raise click.BadParameter(f"{found!r} must be a path inside each submission", param_hint="'--map'")
        if question in questions:
            mapping[question.filename] = relative.as_posix()
    return mapping


@dataclass(frozen=True)
class _RunOptions:
    """The options of `grade run` that decide how grading runs."""

    timeout: float
    jobs: int | None
    verbose: bool
    as_json: bool
    fail_under: float | None
    colour: bool | None
    sandbox: str = "auto"
    protected: tuple[Path, ...] = ()


def _check_sandbox(mode: str, quiet: bool) -> None:
    """Refuse (``require``) or warn (``auto``, one line on stderr) when this machine lacks sandbox layers."""
    if mode == "off":
        if not quiet:
            click.echo("warning: --sandbox off: candidate code runs with your permissions", err=True)
        return
    from grader.sandbox import probe

    missing = {layer: why for layer, why in probe().items() if why}
    if not missing:
        return
    summary = ", ".join(f"{layer} ({why})" for layer, why in missing.items())
    if mode == "require":
        raise UnusableInput(f"--sandbox require: this machine lacks {summary}; `grade doctor` explains")
    if not quiet:
        click.echo(f"warning: sandbox layers missing here: {summary}", err=True)


def _grade(
    submissions: list[Submission],
    questions: tuple[Question, ...],
    options: _RunOptions,
    book: Gradebook,
    regrade: bool,
    keep: bool,
) -> list[StoredSubmission]:
    """Grade every submission as one batch into the gradebook; ``keep`` says the gradebook outlives the run."""
    plan = plan_batch(submissions, questions, book, regrade)
    label = (
        f"grading {counted(len(submissions), 'submission')}"
        if len(submissions) > 1
        else f"grading {counted(len(plan.jobs), 'question')}"
    )
    show_bar = sys.stderr.isatty() and not options.as_json and bool(plan.jobs)
    with (
        click.progressbar(length=len(plan.jobs), label=label, file=sys.stderr)
        if show_bar
        else contextlib.nullcontext() as bar
    ):
        on_progress = (lambda _job, _run: bar.update(1)) if show_bar else None
        stored = execute_batch(
            plan,
            questions,
            book,
            timeout_s=options.timeout,
            workers=options.jobs,
            on_progress=on_progress,
            sandbox=options.sandbox,
            protected=options.protected,
        )
    if keep and plan.reused and not options.as_json:
        click.echo(f"{plan.reused} question results reused from {book.path} (--regrade to grade again)", err=True)
    return stored
