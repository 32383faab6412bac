"""The ``grade`` command line: a thin click layer over the catalogue, the runner, scoring and the renderers."""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from grader import __version__
from grader.book.assignments import (
    AssignmentError,
    AssignmentExtras,
    RosterEntry,
    apply_roster,
    assignment_options,
    check_points,
    extra_assignment_options,
    lms_item,
    manifest_mismatch,
    questions_in_force,
    record_pack,
    settle,
)
from grader.book.diskfull import EXIT_DISK_FULL, describe, is_disk_full
from grader.book.gradebook import DEFAULT_ASSIGNMENT, DEFAULT_GRADEBOOK, Gradebook, GradebookError, StoredSubmission
from grader.book.submissions import Submission, resolve_submissions
from grader.cli.assignment import assignment_command
from grader.cli.review import feedback_command, review_command
from grader.judge.batch import execute_batch, plan_batch
from grader.judge.interrupts import EXIT_INTERRUPTED, Terminated, checkpoint, exit_code_for, stop_on_signals
from grader.judge.runner import DEFAULT_TIMEOUT_S
from grader.kit.catalogue import (
    LEVELS,
    CatalogueError,
    Question,
    explain_empty_selection,
    find_question,
    select_questions,
)
from grader.reports.classlist import (
    CSV_SIGNATURE,
    JUNIT_SIGNATURE,
    render_class_csv,
    render_class_table,
    render_junit,
    submission_notes,
)
from grader.reports.jsonout import render_report_json
from grader.reports.lms import DEFAULT_ITEM, lms_destination, lms_options, write_lms_reports
from grader.reports.table import render_table
from grader.text.safetext import printable
from grader.text.terminal import use_colour
from grader.text.words import counted

__all__ = ["main"]

EXIT_CODES_HELP = """\b
Exit codes:
  0  grading finished (and the score reached --fail-under, if given)
  1  the score is below --fail-under
  2  bad usage or unusable input (no such folder, no exercise files, ...)
  3  the disk is full: finished results are kept, nothing half-made;
     free some space and run the same command again
  130  interrupted (Ctrl-C); 143 and 129 for SIGTERM and SIGHUP: finished
       results are kept, nothing half-made"""


class UnusableInput(click.ClickException):
    """Input the grader cannot work with: a one-line message and exit code 2, never a traceback."""

    exit_code = 2


@contextlib.contextmanager
def _as_unusable_input(*errors: type[Exception]) -> Iterator[None]:
    """Turn a module's own expected errors into the CLI's one-line, exit-code-2 message."""
    try:
        yield
    except errors as exc:
        raise UnusableInput(str(exc)) from exc


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


def _resolve_questions(question_keys: tuple[str, ...], levels: tuple[str, ...]) -> tuple[Question, ...]:
    try:
        chosen = select_questions(question_keys, levels)
    except CatalogueError as exc:
        raise click.BadParameter(str(exc), param_hint="'-q' / '--question'") from exc
    if not chosen:
        raise click.UsageError(explain_empty_selection(question_keys, levels))
    return chosen


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


@cli.command("run", short_help="Grade submissions (the default command).")
@click.argument("submissions", nargs=-1, type=click.Path(exists=True, path_type=Path))
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
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes graded at once [default: cores]."
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Show every failure of every unpassed question (each student's, in a class)."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help="Exit 1 when a submission scores below this.",
)
@click.option(
    "--gradebook",
    "gradebook_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"SQLite gradebook for batches [default: ./{DEFAULT_GRADEBOOK}].",
)
@click.option("--regrade", is_flag=True, help="Grade again submissions the gradebook already holds.")
@click.option(
    "--map",
    "map_entries",
    multiple=True,
    metavar="Q=FILE",
    help="Grade FILE (a path inside each submission) as question Q, e.g. --map q03=q03.py.",
)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the class CSV here.")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here.")
@click.option(
    "--html", "html_dir", type=click.Path(file_okay=False, path_type=Path), help="Write the HTML report here."
)
@click.option("--color/--no-color", "colour", default=None, help="Force colour on or off [default: on a terminal].")
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
    questions = _resolve_questions(question_keys, levels)
    mapping = _parse_map(map_entries, questions)
    reports = {"csv": csv_path, "junit": junit_path, "html": html_dir}
    _check_report_destinations(reports)  # now, not after a long batch
    reports.update(lms_destination(lms, lms_csv))  # Canvas or Moodle grade import
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
        _RUN_STATE["kept"] = keep
        with _as_unusable_input(GradebookError, AssignmentError), Gradebook(book, assignment) as opened:
            settled = settle(opened, question_keys, levels, due, late_policy, roster, extras, record=True)
            questions = settled.questions
            resolved = _with_manifest_warnings(resolved, questions)
            stored = _grade(resolved, questions, options, opened, regrade, keep)
            said = _assignment_line(opened, questions) if keep and not as_json else ""
    stored = apply_roster(stored, settled.roster, questions)
    _emit(
        stored,
        questions,
        reports,
        as_json=as_json,
        verbose=verbose,
        colour=colour,
        gradebook=str(book) if keep else None,
        assignment=settled.settings.name,
        item=lms_item(settled.settings, DEFAULT_ITEM),
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


# How the run in progress keeps its results, for what an interrupt can promise (see run_click_command).
_RUN_STATE: dict[str, bool] = {}


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


def _check_report_destinations(reports: dict[str, Path | None]) -> None:
    """Refuse report destinations that hold the user's own files: grade never writes over them."""
    if reports["html"] is not None:
        from grader.reports.html import ReportFolderError, check_report_folder

        with _as_unusable_input(ReportFolderError):
            check_report_folder(reports["html"])
    for path, signature in ((reports["csv"], CSV_SIGNATURE), (reports["junit"], JUNIT_SIGNATURE)):
        if path is not None and path.exists() and not _written_by_us(path, signature):
            raise UnusableInput(f"{path} exists and was not written by grade: choose a new file")


def _written_by_us(path: Path, signature: str) -> bool:
    """Whether ``path`` is a report an earlier run wrote (and may be replaced)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return signature in handle.read(4096)
    except OSError:
        return False


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


def _emit(
    stored: list[StoredSubmission],
    questions: tuple[Question, ...],
    reports: dict[str, Path | None],
    *,
    as_json: bool,
    verbose: bool,
    colour: bool | None,
    gradebook: str | None,
    assignment: str = DEFAULT_ASSIGNMENT,
    item: str = DEFAULT_ITEM,
    lms_unusable: str = "zero",
    elapsed_s: float | None = None,
) -> None:
    """The reports and the terminal output, the same for a fresh run and for `grade report` (``elapsed_s`` None:
    nothing was graded, so no time is shown)."""
    for note in _write_reports(stored, questions, reports, item, lms_unusable):
        click.echo(note, err=True)
    if as_json:
        click.echo(
            render_report_json(stored, gradebook, questions=questions, assignment=assignment, elapsed_s=elapsed_s)
        )
    elif len(stored) == 1:
        only = stored[0]
        notes = tuple(submission_notes(only))
        penalised = only.lateness is not None and only.lateness.penalty_percent > 0
        final = (only.final_score, only.final_percent) if penalised else None
        table = render_table(
            only.result, verbose=verbose, notes=notes, elapsed_s=elapsed_s, ungraded=only.ungraded, final=final
        )
        click.echo(table, color=use_colour(colour))
    else:
        table = render_class_table(stored, questions, verbose=verbose, elapsed_s=elapsed_s)
        click.echo(table, color=use_colour(colour))


def _write_atomically(path: Path, text: str) -> None:
    """Write beside ``path`` and rename over it: an interrupt leaves the old report or the new, never half."""
    partial = path.with_name(f".{path.name}.partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        partial.write_text(text, encoding="utf-8")
    except OSError:  # a full disk: no half-written file is left beside the report
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


def _write_reports(
    stored: list, questions: tuple[Question, ...], reports: dict[str, Path | None], item: str, lms_unusable: str
) -> list[str]:
    """Write the report files asked for; what the LMS file's reader must know, one line each."""
    checkpoint("reports")
    notes = write_lms_reports(stored, questions, reports, item, lms_unusable)
    if reports["csv"]:
        _write_atomically(reports["csv"], render_class_csv(stored, questions))
    if reports["junit"]:
        _write_atomically(reports["junit"], render_junit(stored))
    if reports["html"]:
        from grader.reports.html import ReportFolderError, write_html_report

        with _as_unusable_input(ReportFolderError):
            write_html_report(stored, questions, reports["html"])
    return notes


run_command.epilog = EXIT_CODES_HELP
cli.epilog = EXIT_CODES_HELP


_stored_gradebook_option = click.option(
    "--gradebook",
    "gradebook_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_GRADEBOOK,
    show_default=True,
    help="The gradebook earlier batches wrote.",
)


def _selection_options(verb: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-q`` and ``--level``, worded for the command (``Report on``, ``Compare``)."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "--level", "levels", multiple=True, type=click.Choice(LEVELS), help=f"{verb} only questions of a level."
        )(command)
        return click.option(
            "-q", "--question", "question_keys", multiple=True, metavar="Q", help=f"{verb} only this question."
        )(command)

    return decorate


@cli.command("report", short_help="Reports from a gradebook, without grading.")
@_stored_gradebook_option
@_selection_options("Report on")
@click.option("-v", "--verbose", is_flag=True, help="Show every student's questions and all their failures.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the class CSV here.")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here.")
@click.option(
    "--html", "html_dir", type=click.Path(file_okay=False, path_type=Path), help="Write the HTML report here."
)
@click.option("--color/--no-color", "colour", default=None, help="Force colour on or off [default: on a terminal].")
@lms_options
@assignment_options
@extra_assignment_options
def report_command(
    gradebook_path: Path,
    question_keys: tuple[str, ...],
    levels: tuple[str, ...],
    verbose: bool,
    as_json: bool,
    csv_path: Path | None,
    junit_path: Path | None,
    html_dir: Path | None,
    lms: str | None,
    lms_csv: Path | None,
    lms_unusable: str,
    colour: bool | None,
    assignment: str,
    due: str | None,
    late_policy: str | None,
    roster: list[RosterEntry] | None,
    extras: AssignmentExtras,
) -> None:
    """Report on what a gradebook holds, without grading anything: each student's latest submission.

    The assignment's questions, points, roster, due date, late policy and LMS column are the ones it
    remembers; -q and --level narrow the report to some of its questions. A student whose grading is not
    finished is shown incomplete.

    \b
    Example:
      grade report --gradebook fall.sqlite3 --csv grades.csv --html report/
    """
    questions = _resolve_questions(question_keys, levels)
    if not gradebook_path.is_file():
        raise UnusableInput(f"{gradebook_path} does not exist: grade a class first (grade CLASS --gradebook ...)")
    reports = {"csv": csv_path, "junit": junit_path, "html": html_dir}
    _check_report_destinations(reports)
    reports.update(lms_destination(lms, lms_csv))  # Canvas or Moodle grade import
    with _as_unusable_input(GradebookError, AssignmentError), Gradebook(gradebook_path, assignment) as book:
        _check_assignment(book)
        settled = settle(book, question_keys, levels, due, late_policy, roster, extras, record=False)
        questions = settled.questions
        stored = book.latest({q.id for q in questions})
    stored = apply_roster(stored, settled.roster, questions)
    _emit(
        stored,
        questions,
        reports,
        as_json=as_json,
        verbose=verbose,
        colour=colour,
        gradebook=str(gradebook_path),
        assignment=settled.settings.name,
        item=lms_item(settled.settings, DEFAULT_ITEM),
        lms_unusable=lms_unusable,
    )


def _check_assignment(book: Gradebook) -> None:
    """A report of an assignment the gradebook does not hold is a usage error that names those it holds."""
    held = book.assignments()
    if held and book.assignment not in held:
        names = ", ".join(f"{name} ({counted(count, 'student')})" for name, count in held.items())
        raise UnusableInput(f"{book.path} holds no assignment {book.assignment!r}; it holds {names}")


@cli.command("remove", short_help="Remove a student's submissions from a gradebook.")
@click.argument("students", nargs=-1, required=True)
@click.option(
    "--gradebook",
    "gradebook_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_GRADEBOOK,
    show_default=True,
)
@click.option("--assignment", default=DEFAULT_ASSIGNMENT, show_default=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove_command(students: tuple[str, ...], gradebook_path: Path, assignment: str, yes: bool) -> None:
    """Remove every submission of STUDENTS (their ids) from one assignment of a gradebook, with their results.

    Other assignments and the other students are untouched; grading the student again adds them back.
    """
    with _as_unusable_input(GradebookError), Gradebook(gradebook_path, assignment) as book:
        _check_assignment(book)
        known = {sub.name for sub in book.latest()}
        unknown = [name for name in students if name not in known]
        if unknown:
            raise UnusableInput(f"no student {', '.join(map(repr, unknown))} in assignment {assignment!r}")
        if not yes:
            click.confirm(f"Remove {', '.join(students)} from {assignment!r} in {gradebook_path}?", abort=True)
        removed = sum(book.remove(name) for name in students)
    click.echo(f"removed {counted(removed, 'submission')} of {counted(len(students), 'student')} from {assignment!r}")


@cli.command("dev-check", short_help="Prove the kit consistent (maintainers).")
@click.option("--timeout", type=click.FloatRange(min=1), default=DEFAULT_TIMEOUT_S, show_default=True)
@click.option("--no-mutants", is_flag=True, help="Skip grading the mutants (the slowest part).")
@click.option("-q", "--question", "question_keys", multiple=True, metavar="Q", help="Check only this question.")
def dev_check_command(timeout: float, no_mutants: bool, question_keys: tuple[str, ...]) -> None:
    """Maintainer check: every question has a stub, a solution and hidden tests, and they agree.

    Fails (exit 1) when a file is missing or orphaned, a stub has no TODO or drifts from its solution,
    a hidden test passes on an untouched stub or fails on the reference solution, a contract bullet has
    no test or no mutant, a test names no bullet, or a mutant (tests/mutants/) is not caught by a test
    naming its bullet. Prints the contract coverage table: tests and mutants per bullet.
    """
    from grader.kit.devcheck import run_dev_check

    only = _resolve_questions(question_keys, ()) if question_keys else None
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


_LAYER_HELP = {
    "landlock": "files: only Python's runtime and the module's private copy (read), one scratch folder (write); "
    "TCP only to ports a test names; no signals or abstract sockets out",
    "seccomp": "no UDP, raw, netlink or named Unix sockets; no io_uring, ptrace, namespaces, BPF, keyring",
    "pidns": "a PID namespace: every process the candidate starts dies with its question",
    "cgroup": "memory and process count capped for the whole process tree",
    "disk": "the scratch folder is a size-limited tmpfs: 256 MiB for everything the app writes",
    "nocaps": "no capabilities, even when grading as root; no_new_privs",
    "rlimits": "per-process memory, file size, CPU time, open files; no core dumps",
    "env": "started from a fresh interpreter with a fixed minimal environment; no inherited file descriptors",
}


@cli.command("doctor", short_help="Which sandbox layers this machine offers.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
def doctor_command(as_json: bool) -> None:
    """Probe, in a throw-away process, which layers of the candidate sandbox work on this machine.

    Exit 0 when every layer works (`grade --sandbox require` will grade), 1 when some are missing
    (`--sandbox auto` grades with the others and says so in every report).
    """
    import json
    import platform

    from grader.sandbox import LAYERS, probe

    report = probe() if hasattr(__import__("os"), "fork") else {layer: "needs fork (POSIX)" for layer in LAYERS}
    if as_json:
        data = {"platform": f"{platform.system()} {platform.release()}", "layers": report}
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(f"{platform.system()} {platform.release()}, Python {platform.python_version()}")
        for layer in LAYERS:
            why = report[layer]
            mark = click.style("ok     ", fg="green") if not why else click.style("missing", fg="yellow")
            click.echo(f"  {layer:<9} {mark}  {_LAYER_HELP[layer]}" + (f"\n            why: {why}" if why else ""))
    sys.exit(1 if any(report.values()) else 0)


def _pack_assignment_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Where `grade pack` records the assignment it hands out, and its points and LMS column."""
    command = click.option(
        "--lms-column", metavar="NAME", help="The assignment's column in Canvas or Moodle [default: its name]."
    )(command)
    command = click.option(
        "--points",
        multiple=True,
        metavar="Q=POINTS",
        callback=check_points,
        help="A question's points in this assignment (e.g. q03=5), instead of the catalogue's.",
    )(command)
    command = click.option(
        "--gradebook",
        "gradebook_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"The gradebook the assignment is recorded in [default: {DEFAULT_GRADEBOOK} beside OUT].",
    )(command)
    return click.option(
        "--assignment",
        default=DEFAULT_ASSIGNMENT,
        show_default=True,
        help="The assignment this pack is: its questions and points are recorded for `grade`.",
    )(command)


@cli.command("pack", short_help="Write the candidate pack.")
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "-q", "--question", "question_keys", multiple=True, help="Only this question (repeatable): 3, q03 or a slug."
)
@click.option("--level", "levels", multiple=True, type=click.Choice(LEVELS), help="Only this level (repeatable).")
@click.option("--title", help="The assignment's title: the heading of the pack's README.")
@click.option(
    "--instructions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A text or Markdown file of instructions, put at the top of the pack's README.",
)
@click.option("--force", is_flag=True, help="Replace OUT if it is an earlier pack (never anything else).")
@_pack_assignment_options
def pack_command(
    out: Path,
    question_keys: tuple[str, ...],
    levels: tuple[str, ...],
    title: str | None,
    instructions: Path | None,
    force: bool,
    assignment: str,
    gradebook_path: Path | None,
    points: dict[str, float],
    lms_column: str | None,
) -> None:
    """Write the candidate pack to OUT (a new folder, or a .zip, .tar.gz or .tar holding one folder named like OUT
    without its suffix): stubs, public checks, the `fastlings`
    practice tool, a candidate README and the kit's constraints.txt (the exact versions grading runs), and
    nothing of the solutions or the hidden tests.

    The pack's questions (and --points) are recorded as an assignment in a gradebook beside OUT: `grade`
    run there (or given that --gradebook) grades its submissions on those questions, out of their points.

    \b
    grade pack candidate.zip
    grade pack week3/ -q 6 -q 7 --title "Week 3: request bodies" --instructions week3.md
    grade pack basics.zip --level basic --force
    """
    from grader.kit.pack import PackError, write_pack

    with _as_unusable_input(PackError, CatalogueError, OSError, UnicodeDecodeError):
        questions = select_questions(question_keys, levels)
        if not questions:
            raise UnusableInput(explain_empty_selection(question_keys, levels))
        text = instructions.read_text(encoding="utf-8") if instructions is not None else None
        book = gradebook_path or out.parent / DEFAULT_GRADEBOOK  # the assignment is recorded beside the pack
        with _as_unusable_input(AssignmentError, GradebookError):
            record_pack(book, assignment, questions, points, lms_column, check_only=True)
        written = write_pack(out, questions=questions, title=title, instructions=text, force=force)
    click.echo(f"wrote the candidate pack to {written} ({counted(len(questions), 'question')})")
    with _as_unusable_input(AssignmentError, GradebookError):
        for line in record_pack(book, assignment, questions, points, lms_column):
            click.echo(line)
    click.echo("candidates: pip install -e . -c constraints.txt inside it, then `fastlings watch`")


@cli.group("export", short_help="Grading for Gradescope or GitHub Classroom.")
def export_group() -> None:
    """Write what a teaching platform needs to run this grading on every submission.

    \b
    grade export gradescope OUT.zip         a Gradescope autograder zip
    grade export github-classroom OUT       .github/ files for a GitHub Classroom template repository
    """


def _export_assignment_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--assignment`` and ``--gradebook``: export an assignment's questions and points, as a gradebook keeps them."""
    command = click.option(
        "--gradebook",
        "gradebook_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_GRADEBOOK,
        show_default=True,
        help="The gradebook that remembers --assignment.",
    )(command)
    return click.option(
        "--assignment",
        default=None,
        help="Grade only this assignment's questions, at its points [default: every question, catalogue points].",
    )(command)


def _exported_questions(assignment: str | None, gradebook_path: Path) -> tuple[Question, ...] | None:
    """The questions of ``assignment`` at its points (None without one), or a usage error naming what is held."""
    if assignment is None:
        return None
    if not Gradebook.holds(gradebook_path, assignment):
        raise UnusableInput(f"{gradebook_path} holds no assignment {assignment!r}: grade pack or grade it first")
    with _as_unusable_input(GradebookError), Gradebook(gradebook_path, assignment) as book:
        return questions_in_force(book, record=False)


@export_group.command("gradescope", short_help="A Gradescope autograder zip.")
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--visibility",
    type=click.Choice(["visible", "after_due_date", "after_published", "hidden"]),
    default="after_due_date",
    show_default=True,
    help="When students see each question's result (its points and the names of the hidden tests it failed).",
)
@_export_assignment_options
def export_gradescope_command(out: Path, visibility: str, assignment: str | None, gradebook_path: Path) -> None:
    """Write a Gradescope autograder to OUT (a new .zip): setup.sh, run_autograder and a copy of the kit
    (grader, hidden tests, stubs, and constraints.txt: the library versions the kit was tested with; never the
    solutions). Upload it as a programming assignment's autograder; students submit their qNN_<slug>.py files
    or the zip from `fastlings submit`.

    \b
    Example:
      grade export gradescope fastapi-autograder.zip --visibility after_due_date
    """
    from grader.exports import ExportError, write_gradescope

    questions = _exported_questions(assignment, gradebook_path)
    with _as_unusable_input(ExportError):
        written = write_gradescope(out, visibility=visibility, questions=questions)
    click.echo(f"wrote the Gradescope autograder to {written} (question results: {visibility})")
    click.echo("upload it in the assignment's Configure Autograder page (Zip file upload)")


@export_group.command("github-classroom", short_help="GitHub Classroom workflow reporting grade's score.")
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=100.0,
    show_default=True,
    metavar="PERCENT",
    help="The workflow run fails below this score.",
)
@_export_assignment_options
def export_github_classroom_command(out: Path, fail_under: float, assignment: str | None, gradebook_path: Path) -> None:
    """Write GitHub Classroom autograding to OUT (a new folder): a workflow that installs the kit, grades
    every push once and reports grade's own score (partial credit included) to Classroom, one result per
    question, and a README saying what to fill in.

    \b
    Example:
      grade export github-classroom classroom/ --fail-under 60
    """
    from grader.exports import ExportError, write_github_classroom

    questions = _exported_questions(assignment, gradebook_path)
    with _as_unusable_input(ExportError):
        written = write_github_classroom(out, fail_under=fail_under, questions=questions)
    click.echo(f"wrote the GitHub Classroom files to {written}")
    click.echo(f"next: read {written / 'README.md'}, set KIT_SOURCE in .github/workflows/classroom.yml")


@cli.command("similarity", short_help="Answers that stand out as alike, grouped and ranked (scores unchanged).")
@_stored_gradebook_option
@_selection_options("Compare")
@click.option("--assignment", default=DEFAULT_ASSIGNMENT, show_default=True, help="The assignment to compare within.")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.8,
    show_default=True,
    help="Consider pairs that share at least this part (0 to 1) of one side's own text.",
)
@click.option(
    "--margin",
    type=click.FloatRange(0, 1),
    default=0.1,
    show_default=True,
    help="Flag a pair only this much (0 to 1) above its question's baseline.",
)
@click.option(
    "--min-shared",
    type=click.IntRange(min=0),
    default=400,
    show_default=True,
    help="Flag a pair only when it shares this many characters of code (names and spaces aside).",
)
@click.option("--reference/--no-reference", default=True, show_default=True, help="Compare with the solutions too.")
@click.option("--all", "every_pair", is_flag=True, help="List every pair at the threshold, flagged or not.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
def similarity_command(
    gradebook_path: Path,
    question_keys: tuple[str, ...],
    levels: tuple[str, ...],
    assignment: str,
    threshold: float,
    margin: float,
    min_shared: int,
    reference: bool,
    every_pair: bool,
    as_json: bool,
) -> None:
    """Clusters of submissions in a gradebook whose answers to a question are more alike than independent
    answers to it are, ranked by how far they stand out. Each question's baseline is how alike the kit's
    reference solution and its blind alternative are, raised to the class's typical similarity; a pair is
    flagged at --threshold or more, --margin above the baseline, sharing --min-shared characters. The stub's
    own text does not count, an untouched stub is not compared, and renamed variables do not hide a copy
    (copydetect's winnowed fingerprints, the `grader` extra). It is for a person to read: it never changes a
    score.

    \b
    Example:
      grade similarity --gradebook fall.sqlite3
      grade similarity --gradebook fall.sqlite3 -q 7 --all
    """
    import json

    from grader.scan.similarity import SimilarityUnavailable, find_similar, render_similarity_table, similarity_to_dict

    questions = _resolve_questions(question_keys, levels)
    if not gradebook_path.is_file():
        raise UnusableInput(f"{gradebook_path} does not exist: grade a class first (grade CLASS --gradebook ...)")
    with _as_unusable_input(GradebookError, AssignmentError), Gradebook(gradebook_path, assignment) as book:
        _check_assignment(book)
        questions = questions_in_force(book, question_keys, levels, record=False)  # the assignment's
        stored = book.latest({q.id for q in questions})
    with _as_unusable_input(SimilarityUnavailable):
        report = find_similar(
            stored, questions, threshold=threshold, reference=reference, margin=margin, min_shared=min_shared
        )
    if as_json:
        click.echo(json.dumps(similarity_to_dict(report), indent=2, ensure_ascii=False))
    else:
        click.echo(render_similarity_table(report, every_pair=every_pair))


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
        if _RUN_STATE.get("kept") is False:  # one submission graded into a gradebook of its own run
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
