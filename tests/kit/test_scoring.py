"""Scoring turns raw outcomes into statuses and points: one test per rule the README states."""

from __future__ import annotations

from grader.book.results import RawRun, TestOutcome
from grader.book.scoring import score_question, score_submission
from grader.kit.catalogue import Question

QUESTION = Question("q07", "demo", "Demo", "basic", 2.0, ("hint",))
NAMES = ("test_a", "test_b", "test_c", "test_d")


def _run(outcome: str = "completed", results: dict[str, str] | None = None, message: str = "") -> RawRun:
    tests = tuple(
        TestOutcome(name, result, "boom" if result != "passed" else "") for name, result in (results or {}).items()
    )
    return RawRun("q07", outcome, NAMES, tests, message, 0.5)  # type: ignore[arg-type]


def test_all_tests_passing_is_passed_with_full_points() -> None:
    result = score_question(QUESTION, _run(results=dict.fromkeys(NAMES, "passed")))
    assert (result.status, result.points, result.tests_passed, result.tests_total) == ("passed", 2.0, 4, 4)
    assert result.failures == ()


def test_partial_passes_earn_proportional_points() -> None:
    result = score_question(
        QUESTION, _run(results={"test_a": "passed", "test_b": "failed", "test_c": "passed", "test_d": "error"})
    )
    assert (result.status, result.points, result.tests_passed) == ("failed", 1.0, 2)
    assert [f.test for f in result.failures] == ["test_b", "test_d"]


def test_skipped_tests_count_neither_way() -> None:
    result = score_question(
        QUESTION, _run(results={"test_a": "passed", "test_b": "passed", "test_c": "passed", "test_d": "skipped"})
    )
    assert (result.status, result.points, result.tests_skipped) == ("passed", 2.0, 1)


def test_import_error_earns_nothing_but_keeps_the_known_total() -> None:
    result = score_question(QUESTION, _run("import_error", message="SyntaxError: invalid syntax (line 3)"))
    assert (result.status, result.points, result.tests_passed, result.tests_total) == ("error", 0.0, 0, 4)
    assert result.message.startswith("SyntaxError")


def test_a_crashed_process_is_an_error_even_after_some_passes() -> None:
    result = score_question(QUESTION, _run("crashed", {"test_a": "passed"}, "exit code 0 during test_b"))
    assert (result.status, result.points, result.tests_passed) == ("error", 0.0, 0)


def test_timeout_keeps_credit_for_tests_that_finished() -> None:
    result = score_question(QUESTION, _run("timeout", {"test_a": "passed", "test_b": "passed"}, "stuck in test_c"))
    assert (result.status, result.points, result.tests_passed) == ("timeout", 1.0, 2)
    assert result.failures[-1].message == "stuck in test_c"


def test_missing_file_earns_nothing() -> None:
    result = score_question(QUESTION, _run("missing"))
    assert (result.status, result.points, result.tests_total) == ("missing", 0.0, 4)


def test_no_collected_tests_cannot_pass() -> None:
    run = RawRun("q07", "completed", (), (), "", 0.1)
    assert score_question(QUESTION, run).status == "error"


def test_submission_totals_percent_and_levels() -> None:
    other = Question("q20", "other", "Other", "advanced", 3.0, ("hint",))
    runs = [_run(results=dict.fromkeys(NAMES, "passed")), RawRun("q20", "missing", ("test_x",), (), "", 0.0)]
    result = score_submission("folder", (QUESTION, other), runs, 1.25)
    assert (result.score, result.max_score, result.percent) == (2.0, 5.0, 40.0)
    assert result.levels == {"basic": {"score": 2.0, "max_score": 2.0}, "advanced": {"score": 0.0, "max_score": 3.0}}
    data = result.to_dict()
    assert data["questions"][0]["passed"] is True and data["questions"][1]["passed"] is False


def test_points_keep_two_decimals_as_the_readme_says() -> None:
    """6 of 8 tests on an advanced (3-point) question earn 2.25; 3 of 6 on a basic one earn 0.5, not 0 or 1."""
    eight = tuple(f"test_{i}" for i in range(8))
    advanced = Question("q20", "demo", "Demo", "advanced", 3.0, ("hint",))
    outcomes = tuple(TestOutcome(name, "passed" if i < 6 else "failed", "") for i, name in enumerate(eight))
    assert score_question(advanced, RawRun("q20", "completed", eight, outcomes, "", 0.1)).points == 2.25
    six = eight[:6]
    basic = Question("q02", "demo", "Demo", "basic", 1.0, ("hint",))
    outcomes = tuple(TestOutcome(name, "passed" if i < 3 else "failed", "") for i, name in enumerate(six))
    assert score_question(basic, RawRun("q02", "completed", six, outcomes, "", 0.1)).points == 0.5
    two_thirds = tuple(TestOutcome(name, "passed" if i < 2 else "failed", "") for i, name in enumerate(six[:3]))
    assert score_question(basic, RawRun("q02", "completed", six[:3], two_thirds, "", 0.1)).points == 0.67
