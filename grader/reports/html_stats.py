"""The class statistics of the HTML report: pure functions over stored results, no HTML.

Only graded submissions count (those without a ``problem``, whose every question has a result: an archive that
could not be opened, or a grading not finished, says nothing about the class's work; ``reports.summary`` defines
the class mean for every report alike); the caller lists the others apart.

**Which questions separate strong from weak students** is measured by the *corrected item-total
correlation* (also called the rest correlation): for one question, the Pearson correlation, over the
usable submissions, between each student's points on that question and their points on all the *other*
questions of the report. Leaving the question out of the total keeps it from correlating with itself.
It runs from -1 to 1: around 0.3 or more, the students who did well overall did well on this question
(it separates them); near 0, it does not; below 0, weaker students did better on it (a question worth
reading again). It uses every student and partial points, so unlike "top third minus bottom third" it
needs no arbitrary cut through students tied on score. It is undefined (``None``) with fewer than three
students, or when every student got the same points on the question or on the rest.

The spread of the scores (in percent) is described by the population standard deviation (this class,
not a sample of a larger one) and quartiles by linear interpolation between the sorted scores, the
lowest being the 0th and the highest the 100th percentile (``statistics.quantiles(method="inclusive")``,
as numpy's default and Excel's QUARTILE.INC).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from grader.book.gradebook import StoredSubmission
from grader.kit.catalogue import Question

__all__ = [
    "BUCKETS",
    "MIN_STUDENTS_FOR_DISCRIMINATION",
    "QuestionStats",
    "ScoreSpread",
    "corrected_item_total",
    "pass_rates",
    "question_stats",
    "score_buckets",
    "score_spread",
    "usable",
]

BUCKETS = 10
MIN_STUDENTS_FOR_DISCRIMINATION = 3


def usable(submissions: Iterable[StoredSubmission]) -> list[StoredSubmission]:
    """The submissions that count in the statistics: graded, and completely (``reports.summary.graded``)."""
    return [s for s in submissions if not s.problem and not s.incomplete]


def score_buckets(percents: Iterable[float]) -> list[int]:
    """How many percents fall in 0-10, 10-20, ... 90-100 (100 counts in the last bucket)."""
    counts = [0] * BUCKETS
    for percent in percents:
        index = int(max(0.0, min(percent, 100.0)) // (100 / BUCKETS))
        counts[min(index, BUCKETS - 1)] += 1
    return counts


def _points(sub: StoredSubmission, question_id: str) -> float:
    return next((q.points for q in sub.result.questions if q.id == question_id), 0.0)


def _passed(sub: StoredSubmission, question_id: str) -> bool:
    return any(q.id == question_id and q.passed for q in sub.result.questions)


def pass_rates(submissions: list[StoredSubmission], questions: tuple[Question, ...]) -> list[float]:
    """Per question, the share of the given students whose status is ``passed`` (0.0 for an empty class)."""
    if not submissions:
        return [0.0] * len(questions)
    return [sum(_passed(s, q.id) for s in submissions) / len(submissions) for q in questions]


@dataclass(frozen=True)
class ScoreSpread:
    """How the usable submissions' percents are spread."""

    count: int
    mean: float
    median: float
    stdev: float  # population standard deviation
    lowest: float
    lower_quartile: float
    upper_quartile: float
    highest: float


def score_spread(percents: Sequence[float]) -> ScoreSpread | None:
    """Mean, median, standard deviation, extremes and quartiles of ``percents`` (None when there are none)."""
    if not percents:
        return None
    values = sorted(percents)
    if len(values) == 1:
        lower = upper = values[0]
    else:
        lower, _median, upper = statistics.quantiles(values, n=4, method="inclusive")
    return ScoreSpread(
        count=len(values),
        mean=statistics.fmean(values),
        median=statistics.median(values),
        stdev=statistics.pstdev(values),
        lowest=values[0],
        lower_quartile=lower,
        upper_quartile=upper,
        highest=values[-1],
    )


def corrected_item_total(item: Sequence[float], rest: Sequence[float]) -> float | None:
    """The Pearson correlation of one question's points (``item``) with the rest of each student's points.

    None with fewer than ``MIN_STUDENTS_FOR_DISCRIMINATION`` students, or when either side does not vary.
    """
    if len(item) != len(rest):
        raise ValueError("one rest score per student")
    if len(item) < MIN_STUDENTS_FOR_DISCRIMINATION:
        return None
    mean_x, mean_y = statistics.fmean(item), statistics.fmean(rest)
    dx = [x - mean_x for x in item]
    dy = [y - mean_y for y in rest]
    sxx, syy = sum(d * d for d in dx), sum(d * d for d in dy)
    # Sums of squares this small are rounding noise around a constant column: no variation, no correlation.
    if sxx < 1e-12 or syy < 1e-12:
        return None
    return sum(a * b for a, b in zip(dx, dy, strict=True)) / (sxx * syy) ** 0.5


@dataclass(frozen=True)
class QuestionStats:
    """One question over the usable submissions."""

    question_id: str
    students: int
    passed: int
    mean_points: float
    max_points: float
    discrimination: float | None  # corrected item-total correlation (see the module's note)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.students if self.students else 0.0


def question_stats(submissions: list[StoredSubmission], questions: tuple[Question, ...]) -> list[QuestionStats]:
    """Pass rate, mean points and discrimination of each question, over the usable ``submissions`` only.

    A question a submission has no result for counts as 0 points and not passed.
    """
    counted = usable(submissions)
    table = [[_points(s, q.id) for q in questions] for s in counted]
    totals = [sum(row) for row in table]
    stats = []
    for j, question in enumerate(questions):
        item = [row[j] for row in table]
        rest = [total - x for total, x in zip(totals, item, strict=True)]
        stats.append(
            QuestionStats(
                question_id=question.id,
                students=len(counted),
                passed=sum(_passed(s, question.id) for s in counted),
                mean_points=statistics.fmean(item) if item else 0.0,
                max_points=question.points,
                discrimination=corrected_item_total(item, rest),
            )
        )
    return stats
