"""Turn raw test outcomes into statuses and points. Pure functions: no I/O, easy to test.

Scoring rules (the README repeats them):
- a question is worth its catalogue points; it earns them in proportion to the hidden tests it passes
  (skipped tests, e.g. a Redis test on a machine without Redis, count neither for nor against);
- ``passed`` means every test that ran passed; ``failed`` that some did not;
- ``error`` (the module does not import, the test process died, or no hidden test ran) and ``missing``
  (no file) earn nothing;
- ``timeout`` keeps the credit of the tests that passed before the time ran out.
"""

from __future__ import annotations

from collections.abc import Iterable

from grader.catalogue import Question
from grader.results import QuestionResult, RawRun, Status, SubmissionResult, TestFailure
from grader.safetext import printable

__all__ = ["score_question", "score_submission"]


def _status(run: RawRun, passed: int, countable: int) -> Status:
    if run.outcome == "missing":
        return "missing"
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
    earned = 0.0
    if status in ("passed", "failed", "timeout") and countable:
        earned = round(question.points * passed / countable, 2)
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


def score_submission(
    target: str, questions: Iterable[Question], runs: Iterable[RawRun], duration_s: float
) -> SubmissionResult:
    by_id = {run.question_id: run for run in runs}
    results = tuple(score_question(q, by_id[q.id]) for q in questions if q.id in by_id)
    return SubmissionResult(target=target, questions=results, duration_s=duration_s)
