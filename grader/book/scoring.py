"""Turn raw test outcomes into statuses and points. Pure functions: no I/O, easy to test.

Scoring rules (the README repeats them):
- a question is worth its catalogue points; it earns them in proportion to the hidden tests it passes
  (skipped tests, e.g. a Redis test on a machine without Redis, count neither for nor against);
- ``passed`` means every test that ran passed; ``failed`` that some did not;
- ``error`` (the module does not import, the test process died, or no hidden test ran), ``missing``
  (no file) and ``not_attempted`` (the untouched stub, not even run) earn nothing;
- ``timeout`` keeps the credit of the tests that passed before the time ran out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from grader.book.results import QuestionResult, RawRun, Status, SubmissionResult, TestFailure
from grader.kit.catalogue import Question
from grader.text.safetext import printable

__all__ = ["earned_points", "rescore", "score_question", "score_submission"]


def earned_points(points: float, status: str, passed: int, countable: int) -> float:
    """A question's points in proportion to its passed tests; only passed, failed and timeout earn any."""
    if status in ("passed", "failed", "timeout") and countable:
        return round(points * passed / countable, 2)
    return 0.0


def _status(run: RawRun, passed: int, countable: int) -> Status:
    if run.outcome in ("missing", "not_attempted"):
        return run.outcome
    if run.outcome in ("import_error", "crashed"):
        return "error"
    if run.outcome == "timeout":
        return "timeout"
    if not run.collected:
        return "error"  # the kit has no hidden tests for this question: nothing can be claimed
    return "passed" if countable and passed == countable else "failed"


def score_question(question: Question, run: RawRun) -> QuestionResult:
    outcomes = {t.name: t for t in run.tests}
    total = len(run.collected) or len(outcomes)
    skipped = sum(1 for t in outcomes.values() if t.outcome == "skipped")
    passed = sum(1 for t in outcomes.values() if t.outcome == "passed")
    countable = total - skipped
    status = _status(run, passed, countable)
    earned = earned_points(question.points, status, passed, countable)
    failures = tuple(
        TestFailure(t.name, printable(t.message)) for t in outcomes.values() if t.outcome in ("failed", "error")
    )
    if status == "timeout":
        failures = (*failures, TestFailure("(timeout)", printable(run.message)))
    return QuestionResult(
        id=question.id,
        slug=question.slug,
        title=question.title,
        level=question.level,
        status=status,
        points=earned,
        max_points=question.points,
        tests_passed=passed if status != "error" else 0,
        tests_total=total,
        tests_skipped=skipped,
        duration_s=round(run.duration_s, 2),
        message=printable(run.message),
        failures=failures,
        flags=run.flags,
        sandbox=run.sandbox_layers,
    )


def rescore(question: Question, stored: QuestionResult) -> QuestionResult:
    """A stored result under the current catalogue: its points recomputed from its stored test counts.

    Changing a question's points in the catalogue then changes every report at once, without grading again
    (the test outcomes do not depend on the points).
    """
    countable = stored.tests_total - stored.tests_skipped
    points = earned_points(question.points, stored.status, stored.tests_passed, countable)
    return replace(stored, title=question.title, level=question.level, points=points, max_points=question.points)


def score_submission(
    target: str, questions: Iterable[Question], runs: Iterable[RawRun], duration_s: float
) -> SubmissionResult:
    by_id = {run.question_id: run for run in runs}
    results = tuple(score_question(q, by_id[q.id]) for q in questions if q.id in by_id)
    return SubmissionResult(target=target, questions=results, duration_s=duration_s)
