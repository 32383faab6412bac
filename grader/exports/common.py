"""What both platform exports share: their error, how they read ``grade --json`` and how they write files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.kit.catalogue import Question, load_catalogue, select_questions

__all__ = [
    "ExportError",
    "assignment_args",
    "assignment_questions",
    "load_report",
    "one_submission",
    "refuse_existing",
    "truncate",
]


class ExportError(Exception):
    """The export cannot be written; the message (one line) says why."""


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis: enough to act on, not a wall of tracebacks."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def one_submission(report: dict[str, Any]) -> dict[str, Any]:
    """The per-submission part of a ``grade --json`` report, whichever of its two shapes it has.

    Older kits print one submission's dict (``questions`` at the top); newer ones print the class shape
    (``schema_version`` and a list of ``submissions``) even for one. Both platforms grade one submission at a
    time, so they take the first. Raises ``KeyError`` or ``TypeError`` for anything else.
    """
    if "submissions" in report:
        submissions = report["submissions"]
        if not isinstance(submissions, list) or not submissions:
            raise KeyError("the report holds no submission")
        report = submissions[0]
    if not isinstance(report, dict) or not isinstance(report.get("questions"), list):
        raise KeyError("the report has no questions")
    if report.get("incomplete"):  # a grading that did not finish has no score to hand a platform
        raise ValueError(f"the grading did not finish: {', '.join(map(str, report.get('ungraded') or []))} not graded")
    return report


def load_report(path: Path) -> dict[str, Any]:
    """The submission in the ``grade --json`` report at ``path`` (OSError, ValueError or KeyError if unusable)."""
    return one_submission(json.loads(path.read_text(encoding="utf-8")))


def assignment_args(questions: tuple[Question, ...] | None) -> str:
    """The `grade` options that grade an assignment's questions at its points (``-q q02 -q q03 --points q03=2``);
    '' for every question at the catalogue's points."""
    if questions is None:
        return ""
    catalogue = {q.id: q for q in load_catalogue()}
    args = [f"-q {q.id}" for q in questions] if len(questions) != len(catalogue) else []
    args += [f"--points {q.id}={q.points:g}" for q in questions if q.points != catalogue[q.id].points]
    return " ".join(args)


def assignment_questions(keys: list[str] | None, points: list[str] | None) -> tuple[Question, ...]:
    """The inverse of ``assignment_args``, for the platforms' steps: the questions at their points."""
    given = {}
    for entry in points or []:
        qid, _, value = entry.partition("=")
        given[qid] = float(value)
    chosen = select_questions(tuple(keys or ()))
    return tuple(replace(q, points=given[q.id]) if q.id in given else q for q in chosen)


def refuse_existing(out: Path) -> None:
    if out.exists():
        raise ExportError(f"{out} already exists: exports are never written over existing files")
