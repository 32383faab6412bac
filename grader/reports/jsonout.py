"""The machine-readable report: one JSON object, the same shape for one submission or a whole class.

One submission is a class of one, so a script that reads ``grade --json`` never branches on how many were
graded. ``schema_version`` changes when a key is renamed or removed or a value may take a new type (adding
keys keeps it); the shape is documented by the JSON Schema in ``grader/reports/report.schema.json``, which the kit's
tests check against real output.

Version 2: a submission whose grading is not finished has ``incomplete: true``, the questions not graded yet
in ``ungraded``, and ``null`` for ``score``, ``percent``, ``final_score`` and ``final_percent`` (a half-graded
total is no score); ``submitted_at_source`` says where its time comes from; the report names its
``assignment`` (questions and maximum), the ``class`` mean with its definition, and the run's wall-clock
``elapsed_s`` (``null`` for a report from the gradebook).
"""

from __future__ import annotations

import json
from typing import Any

from grader import __version__
from grader.book.gradebook import StoredSubmission
from grader.kit.catalogue import Question
from grader.reports.review_parts import review_json
from grader.reports.summary import class_mean
from grader.text.safetext import printable

__all__ = ["SCHEMA_VERSION", "render_report_json", "report_dict", "submission_to_dict"]

SCHEMA_VERSION = 2


def submission_to_dict(sub: StoredSubmission, max_score: float | None = None) -> dict[str, Any]:
    """One submission; ``max_score`` is the assignment's maximum, which an incomplete submission is out of."""
    data = sub.result.to_dict()
    data.update(
        name=sub.name,
        source=sub.source,
        content_hash=sub.content_hash,
        kit_version=sub.kit_version,
        graded_at=sub.graded_at,
        problem=sub.problem,
        warnings=list(sub.warnings),
        submitted_at=sub.submitted_at,
        late=sub.lateness.to_dict() if sub.lateness else None,
        final_score=sub.final_score,
        final_percent=sub.final_percent,
        submitted_at_source=sub.time_source if sub.submitted_at else "",
        incomplete=sub.incomplete,
        ungraded=list(sub.ungraded),
    )
    if sub.incomplete:
        data.update(score=None, percent=None, final_score=None, final_percent=None)
        if max_score is not None:
            data["max_score"] = max_score
    review = review_json(sub)
    if review is not None:  # the human review (issue 22): only on a reviewed submission
        data["review"] = review
    return data


def _printable(value: Any) -> Any:
    """Every string of ``value`` (dicts, lists, strings; keys included) made ``printable``: the JSON holds
    nothing a terminal obeys or UTF-8 cannot encode, whatever the results' origin."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {_printable(key): _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    return value


def report_dict(
    submissions: list[StoredSubmission],
    gradebook: str | None,
    *,
    questions: tuple[Question, ...] | None = None,
    assignment: str = "default",
    elapsed_s: float | None = None,
) -> dict[str, Any]:
    """The report as data; ``gradebook`` is None when the results were kept only for this run; ``questions`` the
    assignment's questions at its points (by default, those of the submissions' results)."""
    if questions is None:
        seen = {q.id: q.max_points for s in submissions for q in s.result.questions}
        ids, max_score = sorted(seen), round(sum(seen.values()), 2)
    else:
        ids, max_score = [q.id for q in questions], round(sum(q.points for q in questions), 2)
    return {
        "schema_version": SCHEMA_VERSION,
        "kit_version": __version__,
        "gradebook": None if gradebook is None else printable(gradebook),
        "assignment": {"name": printable(assignment), "questions": ids, "max_score": max_score},
        "class": class_mean(submissions).to_dict(),
        "elapsed_s": None if elapsed_s is None else round(elapsed_s, 2),
        "submissions": [_printable(submission_to_dict(s, max_score)) for s in submissions],
    }


def render_report_json(
    submissions: list[StoredSubmission],
    gradebook: str | None,
    *,
    questions: tuple[Question, ...] | None = None,
    assignment: str = "default",
    elapsed_s: float | None = None,
) -> str:
    data = report_dict(submissions, gradebook, questions=questions, assignment=assignment, elapsed_s=elapsed_s)
    return json.dumps(data, indent=2, ensure_ascii=False)
