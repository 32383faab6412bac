"""The HTML report of a graded class: an overview page and one page per student, openable from disk.

Why static HTML: a teacher can open it from a folder, mail it or put it on any web server, and it works
offline: no JavaScript, no external resource (CSS is inline, charts are inline SVG). A Content-Security-Policy
meta tag forbids scripts outright as defence in depth.

Why the care with strings: everything a candidate controls (their name, their assertion messages, the
problem text of an unusable archive) is HTML-escaped, since candidate code can put ``<script>`` in a failure
message; and student page file names are reduced to ``[A-Za-z0-9._-]`` (collisions disambiguated), so a
student called ``../../etc`` cannot write outside the report folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from pathlib import Path

from grader.catalogue import Question
from grader.gradebook import StoredSubmission
from grader.reports.classlist import class_sandbox
from grader.reports.table import sandbox_text
from grader.results import QuestionResult

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
BUCKETS = 10
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_MAX_STEM = 80

_CSS = """
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0969da;
  --passed: #1a7f37; --failed: #cf222e; --error: #8250df; --timeout: #9a6700; --missing: #59636e; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--fg); margin: 0 auto; padding: 24px 32px 48px; max-width: 1100px; background: #fff; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.05em; margin: 20px 0 6px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.summary { color: var(--muted); margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:hover { background: #f6f8fa; }
.status { font-weight: 600; }
.status-passed { color: var(--passed); } .status-failed { color: var(--failed); }
.status-error { color: var(--error); } .status-timeout { color: var(--timeout); }
.status-missing, .status-not-graded { color: var(--missing); }
.note { color: var(--muted); font-size: 0.92em; }
.note.problem, .problem-box { color: var(--error); }
.problem-box { border: 1px solid var(--error); border-radius: 6px; padding: 8px 12px; background: #fbefff; }
.charts { display: flex; flex-wrap: wrap; gap: 24px 40px; align-items: flex-start; }
.chart { margin: 0; }
.chart svg { max-width: 100%; height: auto; display: block; }
.chart figcaption { font-weight: 600; margin-bottom: 6px; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; fill: var(--fg); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .track { fill: #eef1f4; }
#score-histogram .bar { fill: var(--accent); }
#pass-rates .bar.high { fill: var(--passed); } #pass-rates .bar.mid { fill: #bf8700; }
#pass-rates .bar.low { fill: var(--failed); }
svg .bar:hover { opacity: 0.8; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; border: 1px solid var(--line);
  border-radius: 6px; padding: 8px 12px; margin: 4px 0 12px; font: 13px/1.45 ui-monospace, "DejaVu Sans Mono",
  monospace; }
.test-name { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
nav { margin-bottom: 12px; }
"""
# No script may run, whatever escaping mistake a future edit makes; styles are inline; the icon is empty.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


# ---------------------------------------------------------------------------------------------- numbers


def _fmt(value: float) -> str:
    return f"{value:g}"


def score_buckets(percents: Iterable[float]) -> list[int]:
    """How many percents fall in 0-10, 10-20, ... 90-100 (100 counts in the last bucket)."""
    counts = [0] * BUCKETS
    for percent in percents:
        index = int(max(0.0, min(percent, 100.0)) // (100 / BUCKETS))
        counts[min(index, BUCKETS - 1)] += 1
    return counts


def _status_of(sub: StoredSubmission, question_id: str) -> str | None:
    return next((q.status for q in sub.result.questions if q.id == question_id), None)


def pass_rates(submissions: list[StoredSubmission], questions: tuple[Question, ...]) -> list[float]:
    """Per question, the share of students whose status is ``passed`` (0.0 for an empty class)."""
    if not submissions:
        return [0.0] * len(questions)
    return [sum(_status_of(s, q.id) == "passed" for s in submissions) / len(submissions) for q in questions]


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


# -------------------------------------------------------------------------------------------- page shell


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _cell(html: str, tag: str = "td", cls: str = "") -> str:
    """A table cell around already-escaped ``html``."""
    attr = f' class="{cls}"' if cls else ""
    return f"<{tag}{attr}>{html}</{tag}>"


def _num(html: str, tag: str = "td") -> str:
    return _cell(html, tag, "num")


def _row(cells: Iterable[str]) -> str:
    return "<tr>" + "".join(cells) + "</tr>"


def _status_class(status: str) -> str:
    return "status status-" + escape(_UNSAFE_CHARS.sub("-", status))


# ------------------------------------------------------------------------------------------------ charts


def _histogram_svg(counts: list[int]) -> str:
    """Vertical bars, one per 10% bucket, with the count above each bar and the range below."""
    width, height, left, top, bottom = 520, 230, 12, 22, 40
    plot_w, plot_h = width - 2 * left, height - top - bottom
    slot = plot_w / len(counts)
    peak = max(counts) or 1
    parts = [
        f'<svg id="score-histogram" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-labelledby="score-histogram-title">',
        '<title id="score-histogram-title">Students per score bucket</title>',
    ]
    base = top + plot_h
    for i, count in enumerate(counts):
        low, high = i * 100 // len(counts), (i + 1) * 100 // len(counts)
        bar_h = plot_h * count / peak
        x = left + i * slot + 4
        noun = "student" if count == 1 else "students"
        parts.append(
            f'<rect class="bar" data-bucket="{low}-{high}" data-count="{count}" x="{x:.1f}" y="{base - bar_h:.1f}"'
            f' width="{slot - 8:.1f}" height="{bar_h:.1f}"><title>{low}-{high}%: {count} {noun}</title></rect>'
        )
        centre = x + (slot - 8) / 2
        parts.append(f'<text x="{centre:.1f}" y="{base - bar_h - 5:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{centre:.1f}" y="{base + 16:.1f}" text-anchor="middle">{low}-{high}</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{width - left}" y2="{base}"/>')
    parts.append(f'<text x="{width / 2:.0f}" y="{height - 4}" text-anchor="middle">score (%)</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rate_class(rate: float) -> str:
    return "high" if rate >= 0.7 else "mid" if rate >= 0.4 else "low"


def _pass_rate_svg(questions: tuple[Question, ...], rates: list[float]) -> str:
    """Horizontal bars, one per question, on a grey 0-100% track, labelled with the id and title."""
    width, label_w, value_w, row_h, top = 560, 250, 48, 22, 6
    bar_w = width - label_w - value_w
    height = top * 2 + row_h * max(len(questions), 1)
    parts = [
        f'<svg id="pass-rates" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-labelledby="pass-rates-title">',
        '<title id="pass-rates-title">Share of students passing each question</title>',
    ]
    for i, (question, rate) in enumerate(zip(questions, rates, strict=True)):
        y = top + i * row_h
        label = escape(_shorten(f"{question.id} {question.title}", 36))
        tip = escape(f"{question.id} {question.title}: {rate:.0%} passed")
        parts.append(f'<text x="0" y="{y + 15}">{label}<title>{tip}</title></text>')
        parts.append(f'<rect class="track" x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 6}"/>')
        parts.append(
            f'<rect class="bar {_rate_class(rate)}" data-question="{escape(question.id)}" data-rate="{rate:.4f}"'
            f' x="{label_w}" y="{y + 3}" width="{bar_w * rate:.1f}" height="{row_h - 6}"><title>{tip}</title></rect>'
        )
        parts.append(f'<text x="{width - 4}" y="{y + 15}" text-anchor="end">{rate:.0%}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------- index page


def _note_cell(sub: StoredSubmission) -> str:
    if sub.problem:
        return _cell(escape(sub.problem), cls="note problem")
    return _cell(escape("; ".join(sub.warnings)), cls="note")


def _student_row(sub: StoredSubmission, page: str) -> str:
    r = sub.result
    passed = sum(q.passed for q in r.questions)
    link = f'<a href="{STUDENTS_DIR}/{escape(page)}">{escape(sub.name)}</a>'
    return _row(
        [
            _cell(link),
            _num(f"{_fmt(r.score)}/{_fmt(r.max_score)}"),
            _num(f"{r.percent:g}%"),
            _num(f"{passed}/{len(r.questions)}"),
            _note_cell(sub),
        ]
    )


def _class_summary(submissions: list[StoredSubmission]) -> str:
    if not submissions:
        return "No submissions."
    percents = sorted(s.result.percent for s in submissions)
    mean = sum(percents) / len(percents)
    unusable = sum(bool(s.problem) for s in submissions)
    text = f"{len(submissions)} submissions, mean {mean:.1f}%, best {percents[-1]:g}%, lowest {percents[0]:g}%"
    return text + (f", {unusable} unusable" if unusable else "")


def render_index(submissions: list[StoredSubmission], questions: tuple[Question, ...], pages: list[str]) -> str:
    head = _row(
        [_cell("Student", "th"), _num("Score", "th"), _num("Percent", "th"), _num("Passed", "th"), _cell("Note", "th")]
    )
    rows = "\n".join(_student_row(sub, page) for sub, page in zip(submissions, pages, strict=True))
    histogram = _histogram_svg(score_buckets(s.result.percent for s in submissions))
    rates = _pass_rate_svg(questions, pass_rates(submissions, questions))
    body = (
        "<h1>Class report</h1>\n"
        f'<p class="summary">{escape(_class_summary(submissions))}</p>\n'
        f'<p class="sandbox">{escape(sandbox_text(class_sandbox(submissions)))}</p>\n'
        "<h2>Students</h2>\n"
        f'<table id="students">\n<thead>{head}</thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n'
        '<h2>Charts</h2>\n<div class="charts">\n'
        f'<figure class="chart"><figcaption>Students per score bucket</figcaption>{histogram}</figure>\n'
        f'<figure class="chart"><figcaption>Share of students passing each question</figcaption>{rates}</figure>\n'
        "</div>\n"
    )
    return _page(f"Class report: {len(submissions)} students", body)


# ----------------------------------------------------------------------------------------- student page


def _question_row(q: QuestionResult) -> str:
    counted = q.tests_total - q.tests_skipped
    tests = f"{q.tests_passed}/{counted}" + (f" (+{q.tests_skipped} skipped)" if q.tests_skipped else "")
    return _row(
        [
            _cell(escape(q.id)),
            _cell(escape(q.title)),
            _cell(escape(q.level)),
            _cell(escape(q.status), cls=_status_class(q.status)),
            _num(escape(tests)),
            _num(f"{_fmt(q.points)}/{_fmt(q.max_points)}"),
        ]
    )


def _question_details(q: QuestionResult) -> str:
    """The failure messages of one question (and its process message), or '' when there is nothing to say."""
    if not q.failures and not q.message:
        return ""
    status = f'<span class="{_status_class(q.status)}">({escape(q.status)})</span>'
    parts = [f'<h3 id="{escape(q.id)}">{escape(q.id)} {escape(q.title)} {status}</h3>']
    if q.message:
        parts.append(f"<pre>{escape(q.message)}</pre>")
    for failure in q.failures:
        parts.append(f'<div class="failure"><span class="test-name">{escape(failure.test)}</span>')
        parts.append(f"<pre>{escape(failure.message or '(no message)')}</pre></div>")
    return "\n".join(parts)


def _student_header(sub: StoredSubmission) -> str:
    r = sub.result
    summary = f"{_fmt(r.score)}/{_fmt(r.max_score)} points ({r.percent:g}%), graded {sub.graded_at}"
    parts = [
        '<nav><a href="../index.html">← Class report</a></nav>',
        f"<h1>{escape(sub.name)}</h1>",
        f'<p class="summary">{escape(summary)}</p>',
        f'<p class="sandbox">{escape(sandbox_text(r.sandbox))}</p>',
    ]
    if sub.problem:
        parts.append(f'<p class="problem-box"><strong>Unusable submission:</strong> {escape(sub.problem)}</p>')
    if sub.warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in sub.warnings)
        parts.append(f'<ul class="warnings">{items}</ul>')
    return "\n".join(parts)


def render_student(sub: StoredSubmission) -> str:
    questions = sub.result.questions
    parts = [_student_header(sub), "<h2>Questions</h2>"]
    if questions:
        head = _row(
            [*(_cell(h, "th") for h in ("Id", "Title", "Level", "Status")), _num("Tests", "th"), _num("Points", "th")]
        )
        rows = "\n".join(_question_row(q) for q in questions)
        parts.append(f'<table id="questions">\n<thead>{head}</thead>\n<tbody>\n{rows}\n</tbody>\n</table>')
    else:
        parts.append("<p>No question was graded.</p>")
    details = [d for d in map(_question_details, questions) if d]
    parts.append('<h2>Failures</h2>\n<div id="failures">')
    parts.append("\n".join(details) if details else "<p>None.</p>")
    parts.append("</div>")
    return _page(f"{sub.name}: class report", "\n".join(parts) + "\n")


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


def write_html_report(submissions: list[StoredSubmission], questions: tuple[Question, ...], out_dir: Path) -> Path:
    """Write ``index.html`` and ``students/<name>.html`` under ``out_dir``; return the index path."""
    students_dir = _prepare_folder(out_dir)
    pages = page_names(s.name for s in submissions)
    for sub, page in zip(submissions, pages, strict=True):
        (students_dir / page).write_text(render_student(sub), encoding="utf-8")
    index = out_dir / "index.html"
    index.write_text(render_index(submissions, questions, pages), encoding="utf-8")
    return index
