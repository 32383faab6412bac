"""``grade feedback OUT/``: one page per student, for the student.

A page holds the score (final: auto, rubric and adjustments, then the late penalty), each question's points, the
contract sentences the answer broke, the rubric items applied, the comments meant for the student, and the
graded code. Never: private comments, the overall note, the recommendation, the reasons of adjustments (staff's
words), integrity flags, or the hidden tests' names and messages (unless ``show_tests``, as Gradescope's
visibility allows). The pages are the review app's templates (autoescape) under the HTML report's policy.
"""

from __future__ import annotations

from pathlib import Path

from grader.book.gradebook import StoredSubmission
from grader.reports.html import page_names
from grader.reports.html_student import highlight_python
from grader.review.common import bullets_broken, environment

__all__ = ["FeedbackFolderError", "render_feedback", "write_feedback"]

MARKER = ".written-by-grade-feedback"


class FeedbackFolderError(Exception):
    """The folder holds files `grade feedback` did not write: nothing is written over."""


def render_feedback(sub: StoredSubmission, show_tests: bool = False) -> str:
    from markupsafe import Markup

    review = sub.review
    parts = []
    for q in sub.result.questions:
        if q.status in ("missing", "not_attempted"):
            continue
        source = sub.sources.get(q.id)
        parts.append(
            {
                "q": q,
                "auto": review.auto_points.get(q.id, q.points) if review else q.points,
                "bullets": bullets_broken(q),
                "rubric": [i for i in review.applied if i.question_id == q.id] if review else [],
                "adjusted": review.adjustment_points(q.id) if review else 0,
                "comments": review.student_comments(q.id) if review else [],
                "source": Markup(highlight_python(source)) if source is not None else "",
            }
        )
    overall = review.student_comments("") if review else []
    return (
        environment().get_template("feedback.html").render(sub=sub, parts=parts, overall=overall, show_tests=show_tests)
    )


def write_feedback(submissions: list[StoredSubmission], out_dir: Path, show_tests: bool = False) -> list[Path]:
    """Write ``OUT/<student>.html`` for each submission; a folder holding other files is refused."""
    if out_dir.exists() and not out_dir.is_dir():
        raise FeedbackFolderError(f"{out_dir} is a file: give grade feedback a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise FeedbackFolderError(f"{out_dir} holds other files: give grade feedback a new or empty folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.html"):
        stale.unlink()
    (out_dir / MARKER).write_text("written by `grade feedback`; safe to replace\n", encoding="utf-8")
    written = []
    for sub, name in zip(submissions, page_names(s.name for s in submissions), strict=True):
        path = out_dir / name
        path.write_text(render_feedback(sub, show_tests), encoding="utf-8")
        written.append(path)
    return written
