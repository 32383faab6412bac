"""The human-readable report: one row per question, then the score, per level and overall."""

from __future__ import annotations

import click

from grader.book.results import QuestionResult, Status, SubmissionResult
from grader.text.safetext import printable

__all__ = ["STATUS_COLOURS", "elapsed_text", "render_table", "status_label"]

STATUS_COLOURS: dict[Status, str] = {
    "passed": "green",
    "failed": "red",
    "error": "magenta",
    "timeout": "yellow",
    "missing": "bright_black",
    "not_attempted": "bright_black",
}
_HEADERS = ("id", "title", "level", "status", "tests", "points")


def _fmt_points(value: float) -> str:
    return f"{value:g}"


def status_label(status: str) -> str:
    """A status as people read it: ``not attempted`` rather than the JSON's ``not_attempted``."""
    return status.replace("_", " ")


def _cells(q: QuestionResult) -> tuple[str, ...]:
    ran = q.tests_total and q.status not in ("missing", "not_attempted")
    tests = f"{q.tests_passed}/{q.tests_total - q.tests_skipped}" if ran else "-"
    if q.tests_skipped:
        tests += f" (+{q.tests_skipped} skipped)"
    status = status_label(q.status) + ("*" if q.flags else "")
    return (q.id, q.title, q.level, status, tests, f"{_fmt_points(q.points)}/{_fmt_points(q.max_points)}")


def _problems(q: QuestionResult) -> list[str]:
    """Every reason the question lost points, one line each: all its failures, not only the first."""
    if q.status == "missing":
        return [q.reason.removeprefix("missing: ")]
    if q.status == "not_attempted":
        return []
    lines = [f"{f.test}: {f.message}" if f.message else f.test for f in q.failures if f.test != "(timeout)"]
    if q.status in ("error", "timeout") and q.message:
        lines.insert(0, q.message)
    return [printable(line) for line in lines]


def sandbox_text(sandbox: dict[str, list[str]]) -> str:
    """One plain sentence on the sandbox a result was graded under, for the reports that are not terminals."""
    active, missing = sandbox["active"], sandbox["missing"]
    if not active and not missing:
        return "Sandbox: no candidate code ran."
    text = f"Sandbox layers active: {', '.join(active) or 'none'}."
    return text + (f" Missing: {', '.join(missing)} (see grade doctor)." if missing else "")


def render_sandbox(sandbox: dict[str, list[str]]) -> str:
    """``sandbox       all 8 layers`` or the active ones and, in yellow, those missing (``grade doctor`` says why)."""
    active, missing = sandbox["active"], sandbox["missing"]
    if not active and not missing:
        return ""
    if not missing:
        return f"sandbox       all {len(active)} layers ({', '.join(active)})"
    text = f"sandbox       {', '.join(active) or 'none'}; missing {', '.join(missing)} (run `grade doctor`)"
    return click.style(text, fg="yellow")


def elapsed_text(seconds: float) -> str:
    """A run's wall-clock time as people read it: ``11.2 s``, ``1 min 42 s``, ``1 h 3 min``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def render_table(
    result: SubmissionResult,
    verbose: bool = False,
    notes: tuple[str, ...] = (),
    *,
    elapsed_s: float | None = None,
    ungraded: tuple[str, ...] = (),
    final: tuple[float, float] | None = None,
) -> str:
    """Plain text with ANSI styles; click.echo strips the styles when colour is off.

    ``-v`` lists every failure of every question that did not pass, one line each, and the integrity flags;
    ``notes`` are the submission's own warnings (files changed after submit, files not taken in).
    ``elapsed_s`` is the run's wall-clock time (None for a report from the gradebook); ``ungraded`` the
    questions with no result yet (the score is then not given: it would not be the submission's); ``final``
    the (score, percent) after a late penalty, when there is one.
    """
    rows = [_cells(q) for q in result.questions]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(_HEADERS)]
    lines = [
        click.style("  ".join(h.ljust(w) for h, w in zip(_HEADERS, widths, strict=True)).rstrip(), bold=True),
    ]
    for q, row in zip(result.questions, rows, strict=True):
        padded = [cell.ljust(w) for cell, w in zip(row, widths, strict=True)]
        padded[3] = click.style(padded[3], fg=STATUS_COLOURS[q.status])
        lines.append("  ".join(padded).rstrip())
        if verbose and q.status != "passed":
            lines.extend(click.style(f"      -> {problem}", dim=True) for problem in _problems(q))
        if verbose:
            lines.extend(click.style(f"      * {printable(flag)}", fg="yellow") for flag in q.flags)
    lines.append("")
    lines.extend(click.style(f"note: {printable(note)}", fg="yellow") for note in notes)
    if any(q.flags for q in result.questions):
        lines.append(
            click.style("* the code reaches for the grading machinery: read it before trusting the score", fg="yellow")
            + ("" if verbose else " (-v says why)")
        )
    for level, totals in result.levels.items():
        lines.append(f"{level:<13} {_fmt_points(totals['score'])}/{_fmt_points(totals['max_score'])} points")
    sandbox_line = render_sandbox(result.sandbox)
    if sandbox_line:
        lines.append(sandbox_line)
    passed = sum(q.passed for q in result.questions)
    if ungraded:
        asked = len(result.questions) + len(ungraded)
        text = (
            f"score         incomplete: {', '.join(ungraded)} not graded yet ({len(result.questions)} of {asked}"
            " questions graded); run the same grading again to finish"
        )
        lines.append(click.style(text, bold=True, fg="yellow"))
    else:
        lines.append(
            click.style(
                f"score         {_fmt_points(result.score)}/{_fmt_points(result.max_score)} points "
                f"({result.percent:g}%), {passed}/{len(result.questions)} questions passed",
                bold=True,
            )
        )
        if final is not None:
            lines.append(
                click.style(
                    f"final         {_fmt_points(final[0])}/{_fmt_points(result.max_score)} points ({final[1]:g}%)"
                    " after the late penalty",
                    bold=True,
                )
            )
    if elapsed_s is not None:
        lines.append(f"time          {elapsed_text(elapsed_s)} elapsed")
    return "\n".join(lines)
