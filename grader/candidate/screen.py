"""What fastlings shows, as pure functions from state to text: the check report, the list, the watch screen.

Styles are always applied here (``click.style``); whether they reach the terminal is decided once, when the
text is written (``click.echo(color=...)``: colour only on a terminal, never with NO_COLOR). Keeping the screen
apart from the loop that drives it lets the watch redraw a whole screen on each event, and lets tests read a
screen without a terminal.
"""

from __future__ import annotations

import shutil

import click

from grader.candidate.failures import Failure, display_path
from grader.candidate.outcome import CheckResult
from grader.candidate.state import Progress
from grader.kit import exercises_dir
from grader.kit.catalogue import Question
from grader.kit.hints import reveal

__all__ = [
    "KEYS",
    "SYMBOLS",
    "clip",
    "legend",
    "progress_line",
    "render_check",
    "render_hints",
    "render_list",
    "render_watch",
]

# One symbol per state, each distinct, with its meaning (the list prints this legend).
SYMBOLS: dict[str, tuple[str, str | None, str]] = {
    "done": ("✓", "green", "its public checks pass"),
    "failing": ("✗", "red", "a check fails"),
    "error": ("!", "magenta", "the module does not import, or its check crashed"),
    "timeout": ("∞", "yellow", "the checks did not finish in time"),
    "unchecked": ("·", None, "not checked yet"),
}
KEYS = "h hint · l list · n next · r re-run · q quit"
_BAR_WIDTH = 30


def symbol(status: str) -> str:
    mark, colour, _ = SYMBOLS.get(status, SYMBOLS["unchecked"])
    return click.style(mark, fg=colour)


def legend() -> str:
    return "  ".join(f"{symbol(status)} {meaning}" for status, (_, _, meaning) in SYMBOLS.items())


def progress_line(progress: Progress, questions: tuple[Question, ...]) -> str:
    done = progress.done([q.id for q in questions])
    total = len(questions) or 1
    filled = round(_BAR_WIDTH * done / total)
    return f"progress [{'#' * filled}{'-' * (_BAR_WIDTH - filled)}] {done}/{len(questions)}"


def question_line(question: Question) -> str:
    """``q06 · Request body  (exercises/q06_request_body.py)``."""
    path = display_path(exercises_dir() / question.filename)
    return click.style(f"{question.id} · {question.title}", bold=True) + f"  ({path})"


def _failure_block(failure: Failure, indent: str = "    ") -> list[str]:
    """A failure in full: where, the code there (with a caret for syntax errors), why, and pytest's diff."""
    lines = []
    if failure.where():
        lines.append(indent + click.style(failure.where(), fg="cyan"))
        if failure.source:
            lines.append(indent + "  " + failure.source)
            if failure.caret:
                lines.append(indent + "  " + click.style(failure.caret, fg="red", bold=True))
    lines.append(indent + click.style(failure.summary, fg="red" if failure.kind != "timeout" else "yellow"))
    lines.extend(indent + "  " + detail for detail in failure.details)
    return lines


def clip(text: str, room: int) -> str:
    """``text`` cut to ``room`` characters (at least 20), with an ellipsis when cut."""
    return text if len(text) <= room else text[: max(room - 1, 20)] + "…"


def render_check(
    question: Question, result: CheckResult, *, in_watch: bool = False, width: int | None = None
) -> list[str]:
    """A question's check: the first failure in full, the other failures one line each (cut to the terminal's
    width), then what to do."""
    width = width or terminal_width()
    lines = [question_line(question)]
    problem = result.problem
    if problem is not None:
        label = {"syntax": "the module does not compile", "import": "the module does not import"}.get(
            problem.kind, {"timeout": "timeout", "crash": "error"}.get(problem.kind, "error")
        )
        lines.append(f"  {symbol(result.status)} {label}")
        lines.extend(_failure_block(problem))
    shown_in_full = problem is not None
    for test in result.tests:
        if test.outcome in ("passed", "skipped"):
            lines.append(f"  {symbol('done')} {test.label}" + (" (skipped)" if test.outcome == "skipped" else ""))
            continue
        if not shown_in_full and test.failure is not None:
            lines.append(f"  {symbol('failing')} {test.label}")
            lines.extend(_failure_block(test.failure))
            shown_in_full = True
        else:
            room = width - len(test.label) - 8
            summary = f"  {click.style('—', dim=True)} {clip(test.failure.summary, room)}" if test.failure else ""
            lines.append(f"  {symbol('failing')} {test.label}{summary}")
    not_run = [name for name in result.collected if name not in {t.name for t in result.tests}]
    if result.status == "failing" and not_run:
        lines.append(click.style(f"  ({len(not_run)} more not run)", dim=True))
    if result.status == "done":
        passed = click.style("  all public checks pass.", fg="green")
        lines.append(passed + " The hidden tests check the whole contract:")
        lines.append("  reread the docstring before you move on.")
    else:
        lines.append("  stuck? " + ("press h for a hint" if in_watch else f"`fastlings hint {question.id}`"))
    return lines


def render_hints(question: Question, shown: int) -> list[str]:
    """The first ``shown`` hints of ``question``, opened (a pack ships them sealed: ``grader.kit.hints``)."""
    lines = [
        f"hint {number}/{len(question.hints)}: {reveal(question.id, number - 1, hint)}"
        for number, hint in enumerate(question.hints[:shown], 1)
    ]
    if shown >= len(question.hints):
        lines.append(click.style("that was the last hint.", dim=True))
    return lines


def render_list(
    questions: tuple[Question, ...], progress: Progress, current: Question | None = None, *, with_progress: bool = True
) -> list[str]:
    """Every question with its state, the current one marked, a legend and (unless told not to) the progress bar."""
    lines = []
    for q in questions:
        marker = click.style(">", bold=True) if current is not None and q.id == current.id else " "
        lines.append(f"{marker}{symbol(progress.get(q.id).status)} {q.id}  {q.level:<12}  {q.title}")
    lines += ["", legend()]
    return [*lines, progress_line(progress, questions)] if with_progress else lines


def render_watch(
    *,
    questions: tuple[Question, ...],
    progress: Progress,
    current: Question | None,
    result: CheckResult | None,
    running: bool,
    upcoming: Question | None,
    message: list[str],
    interactive: bool,
) -> list[str]:
    """The whole watch screen: title, progress, the current exercise and its state, what next, the keys."""
    lines = [click.style("fastlings watch", bold=True), ""]
    if current is None:
        lines.append("Every question passes its public checks: `fastlings submit` packs your answers.")
    elif running:
        lines.append(question_line(current))
        lines.append(click.style(f"  ⋯ checking {current.id}…", fg="cyan"))
    elif result is not None:
        lines.extend(render_check(current, result, in_watch=interactive))
    else:
        lines.append(question_line(current))
    if message:
        lines += ["", *message]
    lines += ["", progress_line(progress, questions)]
    if result is not None and result.status == "done" and not running:
        if upcoming is None:
            lines.append(click.style("All done!", fg="green") + " `fastlings submit` packs your answers.")
        elif current is None or upcoming.id != current.id:
            lines.append(f"next: {upcoming.id} · {upcoming.title}" + ("  (press n)" if interactive else ""))
    folder = display_path(exercises_dir())
    lines.append(f"watching {folder} for changes: save a file to check it")
    lines.append(click.style(KEYS, dim=True) if interactive else click.style("Ctrl-C to stop", dim=True))
    return lines


def terminal_width() -> int:
    return shutil.get_terminal_size((100, 30)).columns
