"""The machine-readable report: one JSON object, the same shape for one submission or a whole class.

One submission is a class of one, so a script that reads ``grade --json`` never branches on how many were
graded. ``schema_version`` changes only when a key is renamed or removed (adding keys keeps it); the
shape is documented by the JSON Schema in ``grader/report.schema.json``, which the kit's tests check
against real output.
"""

from __future__ import annotations

import json
from typing import Any

from grader import __version__
from grader.gradebook import StoredSubmission
from grader.reports.review_parts import review_json
from grader.safetext import printable

__all__ = ["SCHEMA_VERSION", "render_report_json", "report_dict", "submission_to_dict"]

SCHEMA_VERSION = 1


def submission_to_dict(sub: StoredSubmission) -> dict[str, Any]:
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
    )
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


def report_dict(submissions: list[StoredSubmission], gradebook: str | None) -> dict[str, Any]:
    """The report as data; ``gradebook`` is None when the results were kept only for this run."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kit_version": __version__,
        "gradebook": None if gradebook is None else printable(gradebook),
        "submissions": [_printable(submission_to_dict(s)) for s in submissions],
    }


def render_report_json(submissions: list[StoredSubmission], gradebook: str | None) -> str:
    return json.dumps(report_dict(submissions, gradebook), indent=2, ensure_ascii=False)
