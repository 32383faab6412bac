"""A student's page of the HTML report: the interviewer's view of one submission.

The header says what to know before reading anything else (the score, the sandbox, an unusable submission,
warnings such as files changed after submit or other library versions, integrity flags, what the
candidate's manifest says). The questions table has one row per question; a question the candidate did not
attempt (the untouched stub) or whose file is missing is that one row and nothing more, so the page of an
untouched submission is short. Every other question gets a section, ``id="qNN"`` (the class grid links
there), with its status and reason, all its failures, the hints the candidate asked for and when, the first
and last change to the file and the time between them (when ``fastlings submit`` recorded them, said to be the
candidate's own record), whether it is in a cluster of similar answers (never naming a classmate: the page may
be handed to the student), and the diff of the graded file against the kit's stub.

The diff and the file are highlighted by Pygments, which escapes the code it formats; its CSS is inlined in
the page's ``<style>`` (the Content-Security-Policy allows inline styles, never scripts), and only on pages
that show code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import DiffLexer, PythonLexer

from grader.book.gradebook import StoredSubmission
from grader.book.manifest import QuestionActivity
from grader.book.results import QuestionResult
from grader.reports.classlist import flag_summary, late_note
from grader.reports.html_page import cell, fmt, num, page, row, status_html
from grader.reports.review_parts import review_html
from grader.reports.summary import incomplete_note
from grader.reports.table import sandbox_text
from grader.text.safetext import html_text, printable

if TYPE_CHECKING:
    from grader.scan.similarity import Cluster

__all__ = [
    "MAX_CODE_LINES",
    "NO_SECTION",
    "format_duration",
    "has_section",
    "highlight_diff",
    "highlight_python",
    "pygments_css",
    "render_student",
]

# Statuses that get one row and no section: nothing was graded, there is nothing to read.
NO_SECTION = ("not_attempted", "missing")
# An answer is a few hundred lines; intake allows a megabyte. Past this, the code shown is cut (and says so).
MAX_CODE_LINES = 3000
_REASON_IN_TABLE = 160


def has_section(q: QuestionResult) -> bool:
    """Whether the question gets its own section on the student page (it was attempted)."""
    return q.status not in NO_SECTION


# ------------------------------------------------------------------------------------------------- code


@lru_cache(maxsize=1)
def pygments_css() -> str:
    """Pygments' colours for ``.highlight``, without its rules for every ``pre`` and table line numbers."""
    rules = HtmlFormatter().get_style_defs(".highlight").splitlines()
    kept = [rule for rule in rules if rule.startswith((".highlight", "span.linenos"))]
    return "\n" + "\n".join(kept) + "\n.highlight { border-radius: 6px; }\n"


def _cut(text: str) -> tuple[str, str]:
    """``text`` cut to ``MAX_CODE_LINES`` lines, and a note saying so ('' when nothing was cut)."""
    lines = text.splitlines(keepends=True)
    if len(lines) <= MAX_CODE_LINES:
        return text, ""
    return "".join(lines[:MAX_CODE_LINES]), f"Only the first {MAX_CODE_LINES} of {len(lines)} lines are shown."


def _with_note(html: str, note: str) -> str:
    return html + (f'<p class="note">{html_text(note)}</p>' if note else "")


def highlight_diff(diff: str) -> str:
    """A unified diff as highlighted, escaped HTML (``<div class="highlight">``)."""
    text, note = _cut(printable(diff, keep_lines=True))  # a bidi control would make code read as other code
    return _with_note(highlight(text, DiffLexer(), HtmlFormatter()), note)


def highlight_python(source: str) -> str:
    """A Python file as highlighted, escaped HTML with line numbers (tracebacks cite them)."""
    text, note = _cut(printable(source, keep_lines=True))
    return _with_note(highlight(text, PythonLexer(), HtmlFormatter(linenos="inline")), note)


# ------------------------------------------------------------------------------------------------ times


def _parse(moment: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed


def _when(moment: str) -> str:
    """An ISO time as ``2025-03-01 10:02:13 UTC``; text that is no time is shown as written."""
    if not moment:
        return "unknown"
    parsed = _parse(moment)
    if parsed is None:
        return moment
    return parsed.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if parsed.tzinfo else "")


def format_duration(seconds: float) -> str:
    """``45 s``, ``12 min 5 s``, ``2 h 3 min``, ``3 d 4 h``."""
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def _between(first: str, last: str) -> str | None:
    """The time from ``first`` to ``last``, or None when either is not a comparable time."""
    start, end = _parse(first), _parse(last)
    if start is None or end is None or (start.tzinfo is None) != (end.tzinfo is None):
        return None
    seconds = (end - start).total_seconds()
    if seconds < 0:
        return "unknown: the last change is recorded before the first"
    return format_duration(seconds)


def _hint_time(moment: str, first_change: str) -> str:
    text = _when(moment)
    start, at = _parse(first_change), _parse(moment)
    if start is None or at is None or (start.tzinfo is None) != (at.tzinfo is None):
        return text
    seconds = (at - start).total_seconds()
    relation = "after" if seconds >= 0 else "before"
    return f"{text} ({format_duration(abs(seconds))} {relation} the first change)"


# ------------------------------------------------------------------------------------------------ header

# What the manifest's activity is worth, said once on every page that shows it.
OWN_RECORD = (
    "Hints asked for, change times and checks are the candidate's own record: fastlings wrote them on the"
    " candidate's machine and <code>fastlings submit</code> copied them into the manifest. The pack ships hints"
    " sealed, so that reading one takes <code>fastlings hint</code>, which records it; but nothing stops a"
    " determined candidate from reading one unrecorded or editing the record. Use it to start a conversation,"
    " not as evidence."
)


def _manifest_facts(sub: StoredSubmission) -> str:
    manifest = sub.manifest
    if manifest is None:
        return (
            '<p class="note" id="manifest">No manifest: the submission was not made with <code>fastlings submit</code>,'
            " so the hints asked for and the change times are unknown.</p>"
        )
    facts = [("Candidate (as entered at submit)", manifest.candidate or "not given")]
    facts.append(("Submitted", _when(manifest.created_at)))
    if manifest.versions:
        facts.append(("Practised on", ", ".join(f"{k} {v}" for k, v in sorted(manifest.versions.items()) if v)))
    items = "".join(f"<dt>{html_text(term)}</dt><dd>{html_text(value)}</dd>" for term, value in facts)
    return f'<dl class="facts" id="manifest">{items}</dl>\n<p class="note" id="own-record">{OWN_RECORD}</p>'


def _header(sub: StoredSubmission) -> str:
    r = sub.result
    passed = sum(q.passed for q in r.questions)
    summary = (
        f"{fmt(r.score)}/{fmt(r.max_score)} points ({r.percent:g}%), {passed}/{len(r.questions)} questions passed,"
        f" graded {sub.graded_at}"
    )
    if sub.incomplete:
        graded_count = len(r.questions)
        summary = f"incomplete: {graded_count} of {graded_count + len(sub.ungraded)} questions graded so far"
    parts = [
        '<nav><a href="../index.html">← Class report</a></nav>',
        f"<h1>{html_text(sub.name)}</h1>",
        f'<p class="summary">{html_text(summary)}</p>',
        f'<p class="sandbox">{html_text(sandbox_text(r.sandbox))}</p>',
    ]
    if sub.problem:
        parts.append(f'<p class="problem-box"><strong>Unusable submission:</strong> {html_text(sub.problem)}</p>')
    if sub.incomplete:
        parts.append(f'<p class="problem-box" id="incomplete">{html_text(incomplete_note(sub))}</p>')
    if late_note(sub):
        final = f"{fmt(sub.final_score)}/{fmt(r.max_score)} points ({sub.final_percent:g}%) after the late policy"
        parts.append(f'<p class="late" id="late"><strong>{html_text(late_note(sub))}</strong>: {html_text(final)}</p>')
    if sub.warnings:
        items = "".join(f"<li>{html_text(w)}</li>" for w in sub.warnings)
        parts.append(f'<ul class="warnings" id="warnings">{items}</ul>')
    flags = flag_summary(sub)
    if flags:
        parts.append(
            f'<p class="flags" id="flags">{html_text(flags)}: the code reaches for the grading machinery;'
            " read it before trusting the score.</p>"
        )
    parts.append(_manifest_facts(sub))
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------------ table


def _tests_text(q: QuestionResult) -> str:
    if q.status in NO_SECTION or not q.tests_total:
        return "-"
    text = f"{q.tests_passed}/{q.tests_total - q.tests_skipped}"
    return text + (f" (+{q.tests_skipped} skipped)" if q.tests_skipped else "")


def _short(text: str) -> str:
    return text if len(text) <= _REASON_IN_TABLE else text[: _REASON_IN_TABLE - 1] + "…"


def _question_row(q: QuestionResult, sectioned: bool) -> str:
    ident = html_text(q.id)
    if sectioned:
        first = cell(f'<a href="#{ident}">{ident}</a>')
        attrs = ""
    else:  # no section: the row itself is where the class grid's link lands
        first = cell(ident)
        attrs = f' id="{ident}"'
    return row(
        [
            first,
            cell(html_text(q.title)),
            cell(html_text(q.level)),
            cell(status_html(q.status, bool(q.flags))),
            num(html_text(_tests_text(q))),
            num(f"{fmt(q.points)}/{fmt(q.max_points)}"),
            cell(html_text(_short(q.reason)), cls="note"),
        ],
        attrs,
    )


def _questions_table(questions: Sequence[QuestionResult], sectioned: set[str]) -> str:
    heads = ("Id", "Title", "Level", "Status")
    head = row([*(cell(h, "th") for h in heads), num("Tests", "th"), num("Points", "th"), cell("Why", "th")])
    rows = "\n".join(_question_row(q, q.id in sectioned) for q in questions)
    return f'<table id="questions">\n<thead>{head}</thead>\n<tbody>\n{rows}\n</tbody>\n</table>'


# ---------------------------------------------------------------------------------------------- sections


def _reason(q: QuestionResult) -> str:
    """The one-line reason; a multi-line message (a traceback) is shown whole under "What happened"."""
    if not q.reason:
        return ""
    first, *more = q.reason.splitlines() or [""]
    return f'<p class="reason">{html_text(first)}{" (whole message below)" if more else ""}</p>'


def _failures(q: QuestionResult) -> str:
    parts = []
    # A one-line message is the reason already; a longer one (a traceback) is worth its own block.
    if q.message and ("\n" in q.message.strip() or q.message not in q.reason):
        parts.append(f'<h4>What happened</h4>\n<pre class="message">{html_text(q.message)}</pre>')
    if q.failures:
        parts.append(f"<h4>Failures ({len(q.failures)})</h4>")
        for failure in q.failures:
            parts.append(
                f'<div class="failure"><span class="test-name">{html_text(failure.test)}</span>'
                f"<pre>{html_text(failure.message or '(no message)')}</pre></div>"
            )
    return "\n".join(parts)


def _flags(q: QuestionResult) -> str:
    if not q.flags:
        return ""
    items = "".join(f"<li>{html_text(flag)}</li>" for flag in q.flags)
    return f'<h4>Integrity flags (read the code before trusting the score)</h4>\n<ul class="flags">{items}</ul>'


def _activity(sub: StoredSubmission, q: QuestionResult) -> str:
    if sub.manifest is None:
        return ""  # the header says once that there is no manifest
    activity = sub.manifest.activity.get(q.id)
    if activity is None:
        return '<h4>Activity</h4>\n<p class="note activity">The manifest records nothing for this question.</p>'
    return "<h4>Activity</h4>\n" + _activity_facts(activity)


def _activity_facts(a: QuestionActivity) -> str:
    if a.hints_shown:
        times = [_hint_time(t, a.first_modified) for t in a.hint_times]
        unknown = a.hints_shown - len(times)
        if unknown > 0:
            times.append(f"{unknown} at a time not recorded")
        hints = f"{a.hints_shown}: " + "; ".join(times)
    else:
        hints = "none"
    facts = [("Hints asked for", hints), ("First change", _when(a.first_modified))]
    facts.append(("Last change", _when(a.last_modified)))
    between = _between(a.first_modified, a.last_modified)
    if between is not None:
        facts.append(("From first to last change", between))
    if a.last_check:
        facts.append(("Last check run", _when(a.last_check)))
    items = "".join(f"<dt>{html_text(term)}</dt><dd>{html_text(value)}</dd>" for term, value in facts)
    return f'<dl class="facts activity">{items}</dl>'


def _similar(q: QuestionResult, name: str, clusters: Sequence[Cluster]) -> str:
    """Whether this answer is in a cluster of the class's similarity report, naming no classmate: a student's
    page may be handed to the student. The class page (the teacher's) says who is in the cluster."""
    cluster = next((c for c in clusters if c.question_id == q.id and name in c.members), None)
    if cluster is None:
        return ""
    others = len(cluster.students) - 1
    with_whom = [f"{others} other submission{'' if others == 1 else 's'}"] if others else []
    if cluster.with_reference:
        with_whom.append("the reference solution")
    text = (
        f"This answer is in similarity cluster {cluster.rank} of the class report, with {' and '.join(with_whom)}:"
        f" {100 * cluster.similarity:.0f}% alike{', identical' if cluster.identical else ''}, where independent"
        f" answers to this question are {100 * cluster.baseline:.0f}% alike. It asks for a conversation, not a"
        " verdict; the score is unchanged."
    )
    return f'<h4>Similar answers</h4>\n<p class="similar">{html_text(text)}</p>'


def _code(sub: StoredSubmission, q: QuestionResult) -> str:
    source = sub.sources.get(q.id)
    if source is None:
        return (
            '<h4>Code</h4>\n<p class="note">The graded file is not in the gradebook (it was graded before the'
            " gradebook kept files, or the file was not taken in).</p>"
        )
    diff = sub.diff_against_stub(q.id)
    parts = ["<h4>Changes from the stub</h4>"]
    if diff:
        parts.append(f'<div class="diff">{highlight_diff(diff)}</div>')
    else:
        parts.append('<p class="note">No change from the stub can be shown (the kit\'s stub is not here).</p>')
    lines = len(source.splitlines())
    parts.append(
        f'<details class="source"><summary>The whole file ({lines} line{"" if lines == 1 else "s"})</summary>'
        f"{highlight_python(source)}</details>"
    )
    return "\n".join(parts)


def _section(sub: StoredSubmission, q: QuestionResult, clusters: Sequence[Cluster]) -> str:
    ident = html_text(q.id)
    heading = (
        f"<h3>{ident} {html_text(q.title)} {status_html(q.status, bool(q.flags))}"
        f' <span class="points">{fmt(q.points)}/{fmt(q.max_points)} points,'
        f" {html_text(_tests_text(q))} tests</span></h3>"
    )
    parts = [f'<section class="question" id="{ident}">', heading]
    blocks = (_reason(q), _flags(q), _failures(q), _activity(sub, q), _similar(q, sub.name, clusters))
    parts.extend(block for block in (*blocks, _code(sub, q)) if block)
    parts.append("</section>")
    return "\n".join(parts)


def render_student(sub: StoredSubmission, clusters: Sequence[Cluster] = ()) -> str:
    """The student's page; ``clusters`` are the class's similarity clusters (the page names no classmate)."""
    questions = sub.result.questions
    # An unusable submission's questions all carry its one problem, which the header already says.
    attempted = [] if sub.problem else [q for q in questions if has_section(q)]
    parts = [_header(sub), "<h2>Questions</h2>"]
    table = _questions_table(questions, {q.id for q in attempted})
    parts.append(table if questions else "<p>No question was graded.</p>")
    if attempted:
        parts.append('<h2>Answers</h2>\n<div id="answers">')
        parts.extend(_section(sub, q, clusters) for q in attempted)
        parts.append("</div>")
    elif questions and not sub.problem:
        parts.append('<p class="note">No question was attempted: every file is missing or the untouched stub.</p>')
    shows_code = any(sub.sources.get(q.id) is not None for q in attempted)
    parts.extend(filter(None, [review_html(sub)]))  # the human review (issue 22), when there is one
    return page(f"{sub.name}: class report", "\n".join(parts) + "\n", pygments_css() if shows_code else "")
