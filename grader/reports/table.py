"""The human-readable report: one row per question, then the score, per level and overall."""

from __future__ import annotations

import click

from grader.results import QuestionResult, Status, SubmissionResult

__all__ = ["render_table"]

_STATUS_COLOURS: dict[Status, str] = {
    "passed": "green",
    "failed": "red",
    "error": "magenta",
    "timeout": "yellow",
    "missing": "bright_black",
}
_HEADERS = ("id", "title", "level", "status", "tests", "points")


def _fmt_points(value: float) -> str:
    return f"{value:g}"


def _cells(q: QuestionResult) -> tuple[str, ...]:
    tests = f"{q.tests_passed}/{q.tests_total - q.tests_skipped}"
    if q.tests_skipped:
        tests += f" (+{q.tests_skipped} skipped)"
    status = f"{q.status}*" if q.flags else q.status
    return (q.id, q.title, q.level, status, tests, f"{_fmt_points(q.points)}/{_fmt_points(q.max_points)}")


def _first_problem(q: QuestionResult) -> str:
    if q.status == "missing":
        return q.message or "no file: create it from the stub"
    if q.failures:
        first = q.failures[0]
        return f"{first.test}: {first.message}" if first.message else first.test
    return q.message


def sandbox_text(sandbox: dict[str, list[str]]) -> str:
    """One plain sentence on the sandbox a result was graded under, for the reports that are not terminals."""
    active, missing = sandbox["active"], sandbox["missing"]
    if not active and not missing:
        return "Sandbox: no candidate code ran."
    text = f"Sandbox layers active: {', '.join(active) or 'none'}."
    return text + (f" Missing: {', '.join(missing)} (see grade doctor)." if missing else "")


def render_sandbox(sandbox: dict[str, list[str]]) -> str:
    """``sandbox       all 7 layers`` or the active ones and, in yellow, those missing (``grade doctor`` says why)."""
    active, missing = sandbox["active"], sandbox["missing"]
    if not active and not missing:
        return ""
    if not missing:
        return f"sandbox       all {len(active)} layers ({', '.join(active)})"
    text = f"sandbox       {', '.join(active) or 'none'}; missing {', '.join(missing)} (run `grade doctor`)"
    return click.style(text, fg="yellow")


def render_table(result: SubmissionResult, verbose: bool = False) -> str:
    """Plain text with ANSI styles; click.echo strips the styles when colour is off."""
    rows = [_cells(q) for q in result.questions]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(_HEADERS)]
    lines = [
        click.style("  ".join(h.ljust(w) for h, w in zip(_HEADERS, widths, strict=True)).rstrip(), bold=True),
    ]
    for q, row in zip(result.questions, rows, strict=True):
        padded = [cell.ljust(w) for cell, w in zip(row, widths, strict=True)]
        padded[3] = click.style(padded[3], fg=_STATUS_COLOURS[q.status])
        lines.append("  ".join(padded).rstrip())
        if verbose and q.status != "passed":
            problem = _first_problem(q)
            if problem:
                lines.append(click.style(f"      -> {problem}", dim=True))
        if verbose:
            lines.extend(click.style(f"      * {flag}", fg="yellow") for flag in q.flags)
    lines.append("")
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
    lines.append(
        click.style(
            f"score         {_fmt_points(result.score)}/{_fmt_points(result.max_score)} points "
            f"({result.percent:g}%), {passed}/{len(result.questions)} questions passed "
            f"in {result.duration_s:.1f}s",
            bold=True,
        )
    )
    return "\n".join(lines)
