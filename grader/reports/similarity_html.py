"""The similarity report as an HTML fragment, for the class page of the HTML report.

A fragment (a ``<section>``), not a page: the class page places it and brings the CSS; its classes are those
of the rest of the report (``summary``, ``num``). It lists the clusters that stand out from their question's
baseline, ranked, each with its members linked to their pages, then each compared question's baseline. This is
the teacher's page: the students' own pages never name a classmate (``html_student``).

Submission names and skip reasons come from candidates (folder and archive names), so every one of them is
escaped with ``html.escape``; links to the students' pages are built by the caller, who knows their file
names, and escaped here too.
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.scan.similarity import REFERENCE, SimilarityReport, explain
from grader.text.safetext import html_text

__all__ = ["render_similarity_section"]


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.0f}%"


def _name(name: str, links: Mapping[str, str]) -> str:
    if name == REFERENCE:
        return f"<em>{html_text(name)}</em>"
    href = links.get(name)
    return f'<a href="{html_text(href, quote=True)}">{html_text(name)}</a>' if href else html_text(name)


def _clusters(report: SimilarityReport, links: Mapping[str, str]) -> list[str]:
    parts = [
        '<table class="clusters"><thead><tr><th class="num">Rank</th><th>Question</th><th>Submissions</th>'
        '<th class="num">Similarity</th><th class="num">Baseline</th><th class="num">Above it</th><th></th>'
        "</tr></thead><tbody>"
    ]
    for c in report.clusters:
        members = ", ".join(_name(m, links) for m in c.members)
        parts.append(
            f'<tr id="cluster-{c.rank}"><td class="num">{c.rank}</td><td>{html_text(c.question_id)}</td>'
            f'<td>{members}</td><td class="num">{_percent(c.similarity)}</td>'
            f'<td class="num">{_percent(c.baseline)}</td>'
            f'<td class="num">{100 * c.excess:+.0f}</td><td>{"identical" if c.identical else ""}</td></tr>'
        )
    parts.append("</tbody></table>")
    return parts


def _baselines(report: SimilarityReport) -> list[str]:
    rows = [(qid, b) for qid, b in report.baselines.items() if report.compared.get(qid)]
    if not rows:
        return []
    parts = [
        "<details><summary>Each question's baseline</summary>",
        '<p class="summary">How alike independent correct answers to the question are: the kit\'s reference'
        " solution against its blind alternative, and the class's typical similarity (the median of each answer's"
        " closest classmate, from five answers on); the higher one is the baseline.</p>",
        '<table class="baselines"><thead><tr><th>Question</th><th class="num">Answers compared</th>'
        '<th class="num">Kit</th><th class="num">Class</th><th class="num">Baseline</th>'
        '<th class="num">Clusters</th></tr></thead><tbody>',
    ]
    for qid, b in rows:
        clusters = sum(1 for c in report.clusters if c.question_id == qid)
        parts.append(
            f'<tr><td>{html_text(qid)}</td><td class="num">{report.compared[qid]}</td>'
            f'<td class="num">{_percent(b.kit)}</td><td class="num">{_percent(b.typical)}</td>'
            f'<td class="num">{_percent(b.value)}</td><td class="num">{clusters}</td></tr>'
        )
    parts.append("</tbody></table></details>")
    return parts


def render_similarity_section(report: SimilarityReport, links: Mapping[str, str] | None = None) -> str:
    """``<section id="similarity">``: the ranked clusters, each question's baseline, and the notes.

    ``links`` maps a submission's name to the href of its page (e.g. ``students/alice.html``); names without a
    link are shown as text. The section says what stands out, why the rest does not, and that scores are
    unchanged.
    """
    links = links or {}
    parts = ['<section id="similarity">', "<h2>Similar submissions</h2>"]
    if report.unavailable:
        parts.append(f'<p class="summary">Not compared: {html_text(report.unavailable)}</p>')
        parts.append("</section>")
        return "\n".join(parts)
    summary = explain(report) + " Names and strings do not hide a copy. This is for a person to read."
    parts.append(f'<p class="summary">{html_text(summary)}</p>')
    if report.clusters:
        parts.extend(_clusters(report, links))
    parts.extend(_baselines(report))
    if report.skipped:
        parts.append('<p class="summary">Notes on submissions:</p><ul>')
        parts.extend(f"<li>{_name(name, links)}: {html_text(reason)}</li>" for name, reason in report.skipped)
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)
