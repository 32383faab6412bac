"""What every report shows of the human review (grader.book.review), in one place.

The scores themselves need nothing here: ``Gradebook.load`` already gives each question its final points, so the
totals of every report are final. These helpers add what the reviewer wrote: a reviewed column, JSON fields, the
comments meant for the student (Moodle's feedback), JUnit properties and a section of the HTML student page.
An unreviewed submission adds nothing, so reports of a class nobody reviewed are unchanged.
"""

from __future__ import annotations

from typing import Any

from grader.book.gradebook import StoredSubmission
from grader.book.review import reviewed_count
from grader.reports.html_page import fmt
from grader.text.safetext import html_text, printable

__all__ = ["any_reviewed", "review_html", "review_json", "review_properties", "reviewed_text", "student_comments"]


def _reviewed(sub: StoredSubmission) -> bool:
    return sub.review is not None and not sub.review.empty


def any_reviewed(submissions: list[StoredSubmission]) -> bool:
    return any(_reviewed(s) for s in submissions)


def reviewed_text(sub: StoredSubmission) -> str:
    """The table's reviewed cell: questions reviewed of those to review, and the recommendation if any."""
    done, wanted = reviewed_count(sub)
    recommendation = sub.review.recommendation if sub.review else ""
    return f"{done}/{wanted}" + (f" {printable(recommendation)}" if recommendation else "")


def review_json(sub: StoredSubmission) -> dict[str, Any] | None:
    """The review as JSON (null when nobody reviewed the submission)."""
    if not _reviewed(sub):
        return None
    assert sub.review is not None
    done, wanted = reviewed_count(sub)
    return {**sub.review.to_dict(), "reviewed": done, "to_review": wanted}


def student_comments(sub: StoredSubmission) -> list[str]:
    """The comments meant for the student, one line each (``q03: ...`` for a question's)."""
    if sub.review is None:
        return []
    return [printable(f"{c.question_id}: {c.text}" if c.question_id else c.text) for c in sub.review.student_comments()]


def review_properties(sub: StoredSubmission) -> list[tuple[str, str]]:
    """JUnit properties of a reviewed submission: progress, rubric and adjustment totals per question."""
    if not _reviewed(sub):
        return []
    assert sub.review is not None
    review = sub.review
    done, wanted = reviewed_count(sub)
    props = [("review.reviewed", f"{done}/{wanted}"), ("review.version", str(review.version))]
    if review.recommendation:
        props.append(("review.recommendation", review.recommendation))
    for q in sub.result.questions:
        if review.changes_points(q.id):
            auto = review.auto_points.get(q.id, q.points)
            props.append((f"review.{q.id}", f"auto {fmt(auto)}, rubric {review.rubric_points(q.id):+g}, "
                          f"adjustments {review.adjustment_points(q.id):+g}, final {fmt(q.points)}"))  # fmt: skip
    return [(name, printable(value)) for name, value in props]


def review_html(sub: StoredSubmission) -> str:
    """The student page's review section (staff's view: private comments are marked)."""
    if not _reviewed(sub):
        return ""
    assert sub.review is not None
    review = sub.review
    done, wanted = reviewed_count(sub)
    rows = []
    for q in sub.result.questions:
        items = [f"{i.points:+g} {i.text}" for i in review.applied if i.question_id == q.id]
        items += [
            f"{a.points:+g} adjusted: {a.reason} ({a.author})" for a in review.adjustments if a.question_id == q.id
        ]
        items += [
            ("" if c.to_student else "[private] ") + f"comment: {c.text} ({c.author})"
            for c in review.comments
            if c.question_id == q.id
        ]
        if q.id in review.flags_reviewed:
            note, by, _ = review.flags_reviewed[q.id]
            items.append(f"flags reviewed by {by}" + (f": {note}" if note else ""))
        if not items:
            continue
        auto = review.auto_points.get(q.id, q.points)
        lines = "".join(f"<li>{html_text(item)}</li>" for item in items)
        rows.append(
            f'<tr><td>{html_text(q.id)}</td><td class="num">{fmt(auto)}</td><td class="num">{fmt(q.points)}</td>'
            f"<td><ul>{lines}</ul></td></tr>"
        )
    parts = [
        '<h2 id="review">Review</h2>',
        f'<p class="summary">{done} of {wanted} questions reviewed; version {review.version}'
        f"{html_text(', last saved by ' + review.changed_by + ' at ' + review.changed_at) if review.changed_by else ''}"
        ".</p>",
    ]
    if review.recommendation or review.note:
        parts.append(
            f'<p class="overall"><strong>{html_text(review.recommendation or "no recommendation")}</strong>'
            f"{': ' + html_text(review.note) if review.note else ''}</p>"
        )
    if rows:
        parts.append(
            '<table id="review-table"><thead><tr><th>question</th><th class="num">auto</th>'
            '<th class="num">final</th><th>rubric, adjustments, comments</th></tr></thead><tbody>'
            + "".join(rows)
            + "</tbody></table>"
        )
    return "\n".join(parts)
