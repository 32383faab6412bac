"""The similarity report as an HTML fragment, for the class page of the HTML report.

A fragment (a ``<section>``), not a page: the class page places it and brings the CSS; its classes are those
of the rest of the report (``summary``, ``num``). Submission names and skip reasons come from candidates
(folder and archive names), so every one of them is escaped with ``html.escape``; links to the students'
pages are built by the caller, who knows their file names, and escaped here too.
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.safetext import html_text
from grader.similarity import REFERENCE, SimilarityReport

__all__ = ["render_similarity_section"]


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def _name(name: str, links: Mapping[str, str]) -> str:
    if name == REFERENCE:
        return f"<em>{html_text(name)}</em>"
    href = links.get(name)
    return f'<a href="{html_text(href, quote=True)}">{html_text(name)}</a>' if href else html_text(name)


def render_similarity_section(report: SimilarityReport, links: Mapping[str, str] | None = None) -> str:
    """``<section id="similarity">``: one table row per pair at or above the report's threshold.

    ``links`` maps a submission's name to the href of its page (e.g. ``students/alice.html``); names without a
    link are shown as text. The section says that scores are unchanged and which submissions were not compared.
    """
    links = links or {}
    count = len(report.pairs)
    summary = (
        f"{count} pair{'' if count == 1 else 's'} of answers share {_percent(report.threshold)} or more of their"
        " own text (the stub's text excluded; names and strings do not hide a copy). This is for a person to"
        " read: no score was changed."
    )
    parts = [
        '<section id="similarity">',
        "<h2>Similar submissions</h2>",
        f'<p class="summary">{html_text(summary)}</p>',
    ]
    if report.pairs:
        parts.append(
            "<table><thead><tr><th>Question</th><th>Submission</th><th>Similar to</th>"
            '<th class="num">Similarity</th><th class="num">Shares</th><th></th></tr></thead><tbody>'
        )
        for p in report.pairs:
            shares = f"{_percent(p.first_share)} / {_percent(p.second_share)}"
            parts.append(
                f"<tr><td>{html_text(p.question_id)}</td><td>{_name(p.first, links)}</td>"
                f'<td>{_name(p.second, links)}</td><td class="num">{_percent(p.similarity)}</td>'
                f'<td class="num">{shares}</td><td>{"identical" if p.identical else ""}</td></tr>'
            )
        parts.append("</tbody></table>")
    if report.skipped:
        parts.append('<p class="summary">Notes on submissions:</p><ul>')
        parts.extend(f"<li>{_name(name, links)}: {html_text(reason)}</li>" for name, reason in report.skipped)
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)
