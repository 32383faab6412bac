"""The class page's statistics section: the score spread, two inline SVG charts and the per-question table.

The numbers are ``html_stats``'s (pure, no HTML); this module only draws them: a histogram of the scores in
10% buckets, a pass rate per question on a 0-100% track, and the table whose "Separation" column is the
corrected item-total correlation, explained under it. The charts are inline SVG so that the report stays one
folder that works offline with no script (see ``grader.reports.html``); every text in them is escaped.
"""

from __future__ import annotations

from grader.book.gradebook import StoredSubmission
from grader.kit.catalogue import Question
from grader.reports.html_page import cell, fmt, num, row
from grader.reports.html_stats import (
    MIN_STUDENTS_FOR_DISCRIMINATION,
    QuestionStats,
    ScoreSpread,
    pass_rates,
    question_stats,
    score_buckets,
    score_spread,
)
from grader.reports.summary import MEAN_DEFINITION
from grader.text.safetext import html_text

__all__ = ["percent", "statistics_section"]


def _histogram_svg(counts: list[int]) -> str:
    """Vertical bars, one per 10% bucket, with the count above each bar and the range below."""
    width, height, left, top, bottom = 520, 230, 12, 22, 40
    plot_w, plot_h = width - 2 * left, height - top - bottom
    slot = plot_w / len(counts)
    peak = max(counts) or 1
    parts = [
        f'<svg id="score-histogram" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-labelledby="score-histogram-title">',
        '<title id="score-histogram-title">Graded students per score bucket</title>',
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
        '<title id="pass-rates-title">Share of graded students passing each question</title>',
    ]
    for i, (question, rate) in enumerate(zip(questions, rates, strict=True)):
        y = top + i * row_h
        label = html_text(_shorten(f"{question.id} {question.title}", 36))
        tip = html_text(f"{question.id} {question.title}: {rate:.0%} passed")
        parts.append(f'<text x="0" y="{y + 15}">{label}<title>{tip}</title></text>')
        parts.append(f'<rect class="track" x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 6}"/>')
        parts.append(
            f'<rect class="bar {_rate_class(rate)}" data-question="{html_text(question.id)}" data-rate="{rate:.4f}"'
            f' x="{label_w}" y="{y + 3}" width="{bar_w * rate:.1f}" height="{row_h - 6}"><title>{tip}</title></rect>'
        )
        parts.append(f'<text x="{width - 4}" y="{y + 15}" text-anchor="end">{rate:.0%}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def percent(value: float) -> str:
    """A score in percent as every number of the class page shows it: ``72.5%``."""
    return f"{value:.1f}%"


def _spread_table(spread: ScoreSpread | None) -> str:
    if spread is None:
        return '<p class="note">No graded submission: no statistics.</p>'
    facts = [
        ("Graded submissions", str(spread.count)),
        ("Mean", percent(spread.mean)),
        ("Median", percent(spread.median)),
        ("Standard deviation", percent(spread.stdev)),
        ("Lowest", percent(spread.lowest)),
        ("Lower quartile", percent(spread.lower_quartile)),
        ("Upper quartile", percent(spread.upper_quartile)),
        ("Highest", percent(spread.highest)),
    ]
    rows = "".join(row([cell(html_text(term), "th"), num(html_text(value))]) for term, value in facts)
    return f'<table id="score-stats"><tbody>{rows}</tbody></table>'


def _discrimination(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def _question_stats_table(questions: tuple[Question, ...], stats: list[QuestionStats]) -> str:
    head = row(
        [
            cell("Question", "th"),
            cell("Title", "th"),
            num("Passed", "th"),
            num("Pass rate", "th"),
            num("Mean points", "th"),
            num("Separation", "th"),
        ]
    )
    rows = "\n".join(
        row(
            [
                cell(html_text(q.id)),
                cell(html_text(q.title)),
                num(f"{s.passed}/{s.students}"),
                num(f"{100 * s.pass_rate:.0f}%"),
                num(f"{s.mean_points:.2f}/{fmt(s.max_points)}"),
                num(_discrimination(s.discrimination)),
            ],
            f' data-question="{html_text(q.id)}"',
        )
        for q, s in zip(questions, stats, strict=True)
    )
    explanation = (
        "Separation is the corrected item-total correlation: over the graded submissions, the correlation between"
        " the points on this question and the points on all the other questions (the question itself left out of"
        " the total). From -1 to +1: +0.30 or more, the students who did well overall did well here (the question"
        " separates strong from weak students); near 0, it does not; below 0, weaker students did better here (read"
        f" the question again). – : fewer than {MIN_STUDENTS_FOR_DISCRIMINATION} graded students, or everyone"
        " scored the same on it."
    )
    return (
        f'<table id="question-stats">\n<thead>{head}</thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n'
        f'<p class="note" id="separation-note">{html_text(explanation)}</p>'
    )


def statistics_section(graded: list[StoredSubmission], questions: tuple[Question, ...], left_out: str) -> str:
    """The section over the ``graded`` submissions; ``left_out`` says which were not counted ('' for none)."""
    spread = score_spread([s.final_percent for s in graded])
    scope = f"Over the {len(graded)} graded submission{'' if len(graded) == 1 else 's'}"
    if left_out:
        scope += f" (not counted: {left_out})"
    scope += f". The class mean is {MEAN_DEFINITION}."
    note = (
        "Spread: the standard deviation is the population one (this class); quartiles interpolate between the"
        " sorted scores (the lowest is the 0th percentile, the highest the 100th)."
    )
    histogram = _histogram_svg(score_buckets(s.final_percent for s in graded))
    rates = _pass_rate_svg(questions, pass_rates(graded, questions))
    return (
        '<h2>Statistics</h2>\n<div id="statistics">\n'
        f'<p class="summary">{html_text(scope)}</p>\n{_spread_table(spread)}\n<p class="note">{html_text(note)}</p>\n'
        '<div class="charts">\n'
        f'<figure class="chart"><figcaption>Graded students per score bucket</figcaption>{histogram}</figure>\n'
        f'<figure class="chart"><figcaption>Share of graded students passing each question</figcaption>{rates}'
        "</figure>\n</div>\n"
        f"<h3>Per question</h3>\n{_question_stats_table(questions, question_stats(graded, questions))}\n</div>\n"
    )
