"""The HTML report of a graded class: a class page and one page per student, openable from disk.

Why static HTML: a teacher can open it from a folder, mail it or put it on any web server, and it works
offline: no JavaScript, no external resource (CSS is inline, charts are inline SVG). A Content-Security-Policy
meta tag forbids scripts outright as defence in depth.

Why the care with strings: everything a candidate controls (their name, their assertion messages, their code,
the problem text of an unusable archive) is HTML-escaped, since candidate code can put ``<script>`` in a
failure message; and student page file names are reduced to ``[A-Za-z0-9._-]`` (collisions disambiguated), so
a student called ``../../etc`` cannot write outside the report folder.

The class page (this module): a student x question grid coloured by status, each cell linking to the
student's page at that question (``students/<page>#q03``); unusable submissions listed apart with their
reason and left out of every number; the statistics (``html_stats``: median, spread, quartiles, and per
question the pass rate, the mean points and the corrected item-total correlation that says which questions
separate strong from weak students; drawn, with their charts, by ``html_statistics``); the similar answers
(``grader.scan.similarity``). The student pages are ``html_student``'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from grader.book.gradebook import StoredSubmission
from grader.book.results import STATUS_SYMBOLS, STATUSES
from grader.kit.catalogue import Question
from grader.reports.classlist import class_sandbox, submission_notes
from grader.reports.html_page import cell, fmt, num, page, row, status_class
from grader.reports.html_statistics import percent, statistics_section
from grader.reports.html_stats import pass_rates, score_buckets, score_spread, usable
from grader.reports.html_student import render_student
from grader.reports.summary import class_mean
from grader.reports.table import sandbox_text, status_label
from grader.text.safetext import html_text

if TYPE_CHECKING:
    from grader.scan.similarity import SimilarityReport

__all__ = [
    "ReportFolderError",
    "check_report_folder",
    "page_names",
    "pass_rates",
    "render_index",
    "render_student",
    "score_buckets",
    "write_html_report",
]

STUDENTS_DIR = "students"
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_MAX_STEM = 80


# ------------------------------------------------------------------------------------------- file names


def _safe_stem(name: str) -> str:
    stem = _UNSAFE_CHARS.sub("_", name).lstrip(".")[:_MAX_STEM]
    return stem or "student"


def page_names(names: Iterable[str]) -> list[str]:
    """A distinct, path-safe ``.html`` file name per student (case-insensitively distinct, for macOS/Windows)."""
    used: set[str] = set()
    pages = []
    for name in names:
        stem = candidate = _safe_stem(name)
        suffix = 2
        while candidate.lower() in used:
            candidate = f"{stem}-{suffix}"
            suffix += 1
        used.add(candidate.lower())
        pages.append(f"{candidate}.html")
    return pages


# ------------------------------------------------------------------------------------------------- grid


def _grid_cell(sub: StoredSubmission, question: Question, page_name: str) -> str:
    """One coloured symbol linking to the question on the student's page (plain when nothing is stored)."""
    result = next((q for q in sub.result.questions if q.id == question.id), None)
    if result is None and question.id in sub.ungraded:
        tip = html_text(f"{question.id}: not graded yet (the submission is incomplete)")
        return f'<td class="cell ungraded" data-status="ungraded" title="{tip}">?</td>'
    status = result.status if result else "missing"
    flagged = bool(result and result.flags)
    symbol = html_text(STATUS_SYMBOLS.get(status, "?") + ("*" if flagged else ""))
    classes = f'class="cell {status_class(status)}" data-status="{html_text(status)}"'
    if result is None:
        return f'<td {classes} title="{html_text(question.id)}: not in the gradebook">{symbol}</td>'
    tip = f"{question.id} {question.title}: {status_label(status)}, {fmt(result.points)}/{fmt(result.max_points)}"
    tip += " (integrity flag: read the code)" if flagged else ""
    href = f"{STUDENTS_DIR}/{page_name}#{question.id}"
    return f'<td {classes}><a href="{html_text(href)}" title="{html_text(tip)}">{symbol}</a></td>'


def _notes(sub: StoredSubmission) -> str:
    """The same notes as the class table (an unusable submission, whose problem is one, is listed apart)."""
    return "; ".join(submission_notes(sub))


def _grid(graded: list[tuple[StoredSubmission, str]], questions: tuple[Question, ...]) -> str:
    heads = [cell("Student", "th"), num("Score", "th"), num("%", "th")]
    heads += [f'<th class="q" title="{html_text(f"{q.id} {q.title}")}">{q.number:02d}</th>' for q in questions]
    heads.append(cell("Warnings and flags", "th"))
    rows = []
    for sub, page_name in graded:
        r = sub.result
        rows.append(
            row(
                [
                    cell(f'<a href="{STUDENTS_DIR}/{html_text(page_name)}">{html_text(sub.name)}</a>'),
                    num("incomplete" if sub.incomplete else f"{fmt(sub.final_score)}/{fmt(r.max_score)}"),
                    num("–" if sub.incomplete else f"{sub.final_percent:g}%"),
                    *(_grid_cell(sub, q, page_name) for q in questions),
                    cell(html_text(_notes(sub)), cls="note"),
                ]
            )
        )
    body = "\n".join(rows)
    table = f'<table id="grid">\n<thead>{row(heads)}</thead>\n<tbody>\n{body}\n</tbody>\n</table>'
    return f'<div class="wide">{table}</div>'


def _legend(ungraded: bool = False) -> str:
    items = "".join(
        f'<li><span class="{status_class(s)}">{html_text(STATUS_SYMBOLS[s])}</span>{html_text(status_label(s))}</li>'
        for s in STATUSES
    )
    if ungraded:
        items += "<li><span>?</span>not graded yet (the submission is incomplete)</li>"
    return (
        f'<ul class="legend" id="legend">{items}<li><span>*</span>integrity flag: read the code</li></ul>\n'
        '<p class="note">Each cell opens the student\'s page at that question.</p>'
    )


def _unusable(apart: list[tuple[StoredSubmission, str]]) -> str:
    if not apart:
        return ""
    rows = "\n".join(
        row(
            [
                cell(f'<a href="{STUDENTS_DIR}/{html_text(page_name)}">{html_text(sub.name)}</a>'),
                cell(html_text(sub.problem), cls="note problem"),
            ]
        )
        for sub, page_name in apart
    )
    return (
        "<h2>Unusable submissions</h2>\n"
        '<p class="summary">Nothing could be graded in these: they are left out of the grid, the charts and the'
        " statistics.</p>\n"
        f'<table id="unusable">\n<thead>{row([cell("Student", "th"), cell("Why", "th")])}</thead>\n'
        f"<tbody>\n{rows}\n</tbody>\n</table>"
    )


# ------------------------------------------------------------------------------------------- class page


def _class_summary(submissions: list[StoredSubmission], graded: list[StoredSubmission]) -> str:
    if not submissions:
        return "No submissions."
    text = f"{len(submissions)} submission{'' if len(submissions) == 1 else 's'}"
    apart = sum(1 for s in submissions if s.problem)
    if apart:
        text += f" ({apart} unusable, listed apart)"
    text += f"; {class_mean(submissions).sentence()}"
    spread = score_spread([s.final_percent for s in graded])
    if spread is not None:
        text += f"; median {percent(spread.median)}, lowest {spread.lowest:g}%, best {spread.highest:g}%"
    return text


def render_index(
    submissions: list[StoredSubmission],
    questions: tuple[Question, ...],
    pages: list[str],
    similarity_section: str = "",
) -> str:
    """The class page; ``pages`` are the students' page file names, ``similarity_section`` trusted HTML."""
    paired = list(zip(submissions, pages, strict=True))
    graded = [(s, p) for s, p in paired if not s.problem]
    apart = [(s, p) for s, p in paired if s.problem]
    counted = usable(submissions)
    body = [
        "<h1>Class report</h1>",
        f'<p class="summary">{html_text(_class_summary(submissions, counted))}</p>',
        f'<p class="sandbox">{html_text(sandbox_text(class_sandbox(submissions)))}</p>',
        "<h2>Students</h2>",
        _grid(graded, questions) if graded else "<p>No graded submission.</p>",
        _legend(any(s.incomplete for s in submissions)),
        _unusable(apart),
        statistics_section(counted, questions, class_mean(submissions).left_out()),
        similarity_section,
    ]
    noun = "student" if len(submissions) == 1 else "students"
    return page(f"Class report: {len(submissions)} {noun}", "\n".join(part for part in body if part) + "\n")


# ------------------------------------------------------------------------------------------------ writer


class ReportFolderError(Exception):
    """The output folder holds files this report did not write; nothing of the user's is overwritten."""


REPORT_MARKER = ".grade-html-report"


def check_report_folder(out_dir: Path) -> None:
    """Accept a new or empty folder, or one an earlier report wrote; refuse anything else, before grading."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportFolderError(f"{out_dir} is a file: --html needs a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / REPORT_MARKER).is_file():
        raise ReportFolderError(f"{out_dir} holds other files: give --html a new or empty folder")


def _prepare_folder(out_dir: Path) -> Path:
    """Make the report folder ready; the student pages of an earlier report are replaced, not left stale."""
    check_report_folder(out_dir)
    students_dir = out_dir / STUDENTS_DIR
    if students_dir.is_dir():
        for stale in students_dir.glob("*.html"):  # pages of students no longer in the class
            stale.unlink()
    students_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / REPORT_MARKER).write_text("written by `grade --html`; safe to replace\n", encoding="utf-8")
    return students_dir


def _similarity(graded: list[StoredSubmission], questions: tuple[Question, ...]) -> SimilarityReport:
    """The similar answers among the graded submissions and with the reference solution.

    Imported here: copydetect brings numpy and matplotlib (about a second), paid only when HTML is written.
    """
    from grader.scan.similarity import DEFAULT_THRESHOLD, SimilarityReport, SimilarityUnavailable, find_similar

    if not graded:
        return SimilarityReport(DEFAULT_THRESHOLD, ())
    try:
        return find_similar(graded, questions, threshold=DEFAULT_THRESHOLD, reference=True)
    except SimilarityUnavailable as exc:  # the report is still written, saying why it compared nothing
        return SimilarityReport(DEFAULT_THRESHOLD, (), unavailable=str(exc))


def write_html_report(submissions: list[StoredSubmission], questions: tuple[Question, ...], out_dir: Path) -> Path:
    """Write ``index.html`` and ``students/<name>.html`` under ``out_dir``; return the index path."""
    from grader.reports.similarity_html import render_similarity_section

    students_dir = _prepare_folder(out_dir)
    pages = page_names(s.name for s in submissions)
    similarity = _similarity([s for s in submissions if not s.problem], questions)  # incomplete ones too
    by_name: Mapping[str, str] = {sub.name: page_name for sub, page_name in zip(submissions, pages, strict=True)}
    for sub, page_name in zip(submissions, pages, strict=True):
        (students_dir / page_name).write_text(render_student(sub, similarity.clusters), encoding="utf-8")
    links = {name: f"{STUDENTS_DIR}/{page_name}" for name, page_name in by_name.items()}
    index = out_dir / "index.html"
    index.write_text(
        render_index(submissions, questions, pages, render_similarity_section(similarity, links)), encoding="utf-8"
    )
    return index
