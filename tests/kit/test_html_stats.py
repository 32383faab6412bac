"""The class statistics of the HTML report, with every number worked out on a class of five.

Points per question (five questions worth 1 point each; 0.5 is a failed question with half its tests):

    student  q01  q02  q03  q04  q05   total  percent
    ann      1    1    1    0    1     4      80
    ben      1    1    0    0    1     3      60
    cat      1    0.5  0    1    1     3.5    70
    dan      0    0    0    1    1     2      40
    eve      1    1    1    0    1     4      80
    zed      (an unusable archive: counted nowhere)

Percents: mean 66, median 70, population standard deviation sqrt(224) = 14.97, lowest 40, quartiles 60 and
80 (interpolated between the sorted scores 40 60 70 80 80), highest 80.

Separation (corrected item-total correlation), q03 by hand: its points x = 1 0 0 0 1 (mean 0.4) and the rest
of each total y = 3 3 3.5 2 3 (mean 2.9); deviations x: .6 -.4 -.4 -.4 .6, y: .1 .1 .6 -.9 .1; the sum of
products is .06 - .04 - .24 + .36 + .06 = 0.2, both sums of squares are 1.2, so r = 0.2 / 1.2 = +0.17.
q04, passed by the two weakest but one, correlates negatively; q05, passed by everyone, has none.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.book.gradebook import StoredSubmission
from grader.book.results import QuestionResult, SubmissionResult
from grader.kit.catalogue import Question
from grader.reports.html import write_html_report
from grader.reports.html_stats import corrected_item_total, question_stats, score_spread, usable

QUESTIONS = tuple(Question(f"q0{n}", f"topic_{n}", f"Topic {n}", "basic", 1.0, ()) for n in range(1, 6))
POINTS = {
    "ann": (1, 1, 1, 0, 1),
    "ben": (1, 1, 0, 0, 1),
    "cat": (1, 0.5, 0, 1, 1),
    "dan": (0, 0, 0, 1, 1),
    "eve": (1, 1, 1, 0, 1),
}


def _question(q: Question, points: float) -> QuestionResult:
    status = "passed" if points == q.points else "failed"
    passed = round(4 * points)
    return QuestionResult(q.id, q.slug, q.title, q.level, status, points, q.points, passed, 4, 0, 0.1)


def _class() -> list[StoredSubmission]:
    subs = []
    for sid, (name, points) in enumerate(POINTS.items(), start=1):
        result = SubmissionResult(name, tuple(_question(q, p) for q, p in zip(QUESTIONS, points, strict=True)), 1.0)
        subs.append(StoredSubmission(sid, name, f"h{sid}", "k", f"/c/{name}", "", (), "2025-01-01", result))
    broken = tuple(
        QuestionResult(q.id, q.slug, q.title, q.level, "error", 0.0, q.points, 0, 4, 0, 0.0, "bad zip")
        for q in QUESTIONS
    )
    zed = SubmissionResult("zed", broken, 0.0)
    subs.append(StoredSubmission(9, "zed", "", "k", "/c/zed.zip", "zed.zip is not a zip archive", (), "x", zed))
    return subs


def test_the_score_spread_of_the_usable_submissions() -> None:
    spread = score_spread([s.result.percent for s in usable(_class())])
    assert spread is not None
    assert (spread.count, spread.mean, spread.median) == (5, 66.0, 70.0)
    assert spread.stdev == pytest.approx(224**0.5)
    assert (spread.lowest, spread.lower_quartile, spread.upper_quartile, spread.highest) == (40, 60, 80, 80)
    assert score_spread([]) is None
    one = score_spread([55.0])
    assert one is not None and (one.lower_quartile, one.median, one.upper_quartile, one.stdev) == (55, 55, 55, 0)


def test_per_question_pass_rate_mean_points_and_separation() -> None:
    stats = question_stats(_class(), QUESTIONS)
    assert [(s.question_id, s.students, s.passed) for s in stats] == [
        ("q01", 5, 4),
        ("q02", 5, 3),
        ("q03", 5, 2),
        ("q04", 5, 2),
        ("q05", 5, 5),
    ]
    assert [s.pass_rate for s in stats] == [0.8, 0.6, 0.4, 0.4, 1.0]
    assert [s.mean_points for s in stats] == pytest.approx([0.8, 0.7, 0.4, 0.4, 1.0])
    separation = [s.discrimination for s in stats]
    assert separation[:4] == pytest.approx([0.5590, 0.4082, 0.2 / 1.2, -0.8432], abs=1e-4)
    assert separation[4] is None  # everyone passed: nothing to separate


def test_separation_is_undefined_without_three_students_or_variation() -> None:
    assert corrected_item_total([1, 0], [3, 1]) is None
    assert corrected_item_total([1, 1, 1], [3, 1, 2]) is None
    assert corrected_item_total([1, 0, 1], [2, 2, 2]) is None
    assert corrected_item_total([1, 0, 0], [3, 1, 2]) == pytest.approx(0.8660, abs=1e-4)
    with pytest.raises(ValueError):
        corrected_item_total([1, 0, 0], [1, 2])


def test_the_class_page_shows_the_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTAPI_KIT_ROOT", str(tmp_path / "no-kit"))  # no stubs, no solutions: nothing to compare
    index = write_html_report(_class(), QUESTIONS, tmp_path / "report").read_text(encoding="utf-8")
    spread = re.search(r'<table id="score-stats">.*?</table>', index, re.S)
    assert spread is not None
    assert re.findall(r"<th>([^<]+)</th><td class=\"num\">([^<]+)</td>", spread.group()) == [
        ("Graded submissions", "5"),
        ("Mean", "66.0%"),
        ("Median", "70.0%"),
        ("Standard deviation", "15.0%"),
        ("Lowest", "40.0%"),
        ("Lower quartile", "60.0%"),
        ("Upper quartile", "80.0%"),
        ("Highest", "80.0%"),
    ]
    rows = re.findall(
        r'<tr data-question="(q\d\d)"><td>q\d\d</td><td>[^<]*</td><td class="num">([^<]+)</td>'
        r'<td class="num">([^<]+)</td><td class="num">([^<]+)</td><td class="num">([^<]+)</td></tr>',
        index,
    )
    assert rows == [
        ("q01", "4/5", "80%", "0.80/1", "+0.56"),
        ("q02", "3/5", "60%", "0.70/1", "+0.41"),
        ("q03", "2/5", "40%", "0.40/1", "+0.17"),
        ("q04", "2/5", "40%", "0.40/1", "-0.84"),
        ("q05", "5/5", "100%", "1.00/1", "–"),
    ]
    assert "corrected item-total correlation" in index  # the page says which measure it is
    assert "Over the 5 graded submissions (not counted: 1 unusable). The class mean is the mean of the final" in index
