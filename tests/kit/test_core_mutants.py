"""Scoring, the result objects and the catalogue, asserted on their whole output.

Written against the mutants that survived the kit's suite (``python bench/mutation.py -m scoring -m results
-m catalogue``): each test compares a complete dict or a complete question, so a renamed key, a dropped field,
a changed rounding or a lost default is a failure here.
"""

from __future__ import annotations

import pytest

from grader.book.results import QuestionResult, RawRun, SubmissionResult, TestFailure, TestOutcome
from grader.book.scoring import score_question, score_submission
from grader.kit.catalogue import CatalogueError, Question, _parse, find_question, select_questions

BASIC = Question("q07", "demo", "Demo question", "basic", 2.0, ("hint",))
ADVANCED = Question("q20", "other", "Other question", "advanced", 3.0, ("hint",))
NAMES = ("test_a", "test_b", "test_c", "test_d")


def test_a_timed_out_question_serialises_every_field() -> None:
    """The whole JSON object of one question: a key renamed, a field dropped or rounded differently fails."""
    run = RawRun(
        "q07",
        "timeout",
        NAMES,
        (
            TestOutcome("test_a", "passed"),
            TestOutcome("test_b", "failed", "assert 1 == 2\x1b[2J"),
            TestOutcome("test_c", "skipped", "no redis"),
        ),
        "stuck in test_d\x07",
        1.23456,
        flags=("imports gc",),
        sandbox_layers=("seccomp", "rlimits"),
    )
    result = score_question(BASIC, run)
    assert result.to_dict() == {
        "id": "q07",
        "slug": "demo",
        "title": "Demo question",
        "level": "basic",
        "status": "timeout",
        "points": 0.67,
        "max_points": 2.0,
        "tests_passed": 1,
        "tests_total": 4,
        "tests_skipped": 1,
        "duration_s": 1.23,
        "message": "stuck in test_d\\x07",
        "failures": [
            {"test": "test_b", "message": "assert 1 == 2\\x1b[2J"},
            {"test": "(timeout)", "message": "stuck in test_d\\x07"},
        ],
        "flags": ["imports gc"],
        "sandbox": ["seccomp", "rlimits"],
        "passed": False,
        "reason": "timeout: stuck in test_d\\x07",
    }


def test_a_submission_serialises_its_totals_levels_and_sandbox() -> None:
    layers = ("landlock", "seccomp", "pidns", "cgroup", "disk", "nocaps", "rlimits", "env")
    outcomes = tuple(TestOutcome(n, "passed") for n in NAMES)
    passed = RawRun("q07", "completed", NAMES, outcomes, "", 0.25, sandbox_layers=layers)
    missing = RawRun("q20", "missing", ("test_x", "test_y"), (), "", 0.0)
    result = score_submission("alice", (BASIC, ADVANCED), [missing, passed], 2.34567)
    data = result.to_dict()
    assert {k: v for k, v in data.items() if k != "questions"} == {
        "target": "alice",
        "sandbox": {"active": list(layers), "missing": []},
        "score": 2.0,
        "max_score": 5.0,
        "percent": 40.0,
        "duration_s": 2.35,
        "levels": {"basic": {"score": 2.0, "max_score": 2.0}, "advanced": {"score": 0.0, "max_score": 3.0}},
    }
    assert [q["id"] for q in data["questions"]] == ["q07", "q20"]  # catalogue order, not the order runs came in
    assert [(q["status"], q["passed"], q["duration_s"]) for q in data["questions"]] == [
        ("passed", True, 0.25),
        ("missing", False, 0.0),
    ]


def test_a_question_without_a_run_is_left_out_of_the_submission() -> None:
    run = RawRun("q07", "completed", ("test_a",), (TestOutcome("test_a", "passed"),), "", 0.1)
    result = score_submission("bob", (BASIC, ADVANCED), [run], 0.1)
    assert [q.id for q in result.questions] == ["q07"]
    assert result.target == "bob"


def test_failures_keep_their_messages_in_order_and_errors_count_as_failures() -> None:
    tests = (
        TestOutcome("test_a", "error", "fixture broke\r\nhere"),
        TestOutcome("test_b", "passed"),
        TestOutcome("test_c", "failed", ""),
    )
    result = score_question(BASIC, RawRun("q07", "completed", NAMES[:3], tests, "", 0.1))
    assert result.failures == (TestFailure("test_a", "fixture broke  here"), TestFailure("test_c", ""))
    assert (result.status, result.points, result.tests_passed) == ("failed", 0.67, 1)


def test_an_error_result_serialises_with_no_passes_and_its_message() -> None:
    result = score_question(
        ADVANCED, RawRun("q20", "import_error", ("t1", "t2"), (TestOutcome("t1", "passed"),), "boom", 0.019)
    )
    assert result == QuestionResult(
        "q20", "other", "Other question", "advanced", "error", 0.0, 3.0, 0, 2, 0, 0.02, "boom", ()
    )


def test_a_submission_result_to_dict_rounds_its_duration_and_keeps_layer_order() -> None:
    question = QuestionResult("q01", "a", "A", "basic", "failed", 0.5, 1.0, 1, 2, 0, 0.1, sandbox=("env", "seccomp"))
    data = SubmissionResult("carol", (question,), 0.004).to_dict()
    assert data["duration_s"] == 0.0
    assert data["sandbox"] == {
        "active": ["seccomp", "env"],
        "missing": ["landlock", "pidns", "cgroup", "disk", "nocaps", "rlimits"],
    }
    assert set(data) == {"target", "sandbox", "score", "max_score", "percent", "duration_s", "levels", "questions"}


# ------------------------------------------------------------------------------------------ the catalogue


def _entry(**overrides: object) -> dict:
    entry = {"id": "q01", "slug": "demo", "title": "Demo", "level": "basic", "hints": ["look here"]}
    entry.update(overrides)
    return entry


def test_a_parsed_question_is_complete() -> None:
    data = {
        "format_version": 1,
        "level_points": {"intermediate": 2},
        "question": [_entry(title="  Spaced title  ", level="intermediate", hints=["one", "two"])],
    }
    assert _parse(data) == (Question("q01", "demo", "Spaced title", "intermediate", 2.0, ("one", "two")),)


def test_a_question_without_a_title_is_titled_by_its_slug() -> None:
    untitled = _entry(points=1)
    del untitled["title"]
    blank = _entry(id="q02", slug="two", title="   ", points=1)
    assert [q.title for q in _parse({"format_version": 1, "question": [untitled, blank]})] == ["demo", "two"]


def test_points_may_be_given_without_level_points() -> None:
    (question,) = _parse({"format_version": 1, "question": [_entry(points=1.5)]})
    assert question.points == 1.5
    assert _parse({"format_version": 1}) == ()


@pytest.mark.parametrize(
    ("missing", "complaint"),
    [
        ("id", r"question #1 \(\?\): id must look like q01"),
        ("slug", r"question #1 \(q01\): slug must be lower_snake_case"),
        ("level", r"question #1 \(q01\): level must be one of basic, intermediate, advanced"),
        ("hints", r"question #1 \(q01\): needs at least one non-empty hint"),
    ],
)
def test_an_entry_missing_a_field_is_refused_with_its_position(missing: str, complaint: str) -> None:
    entry = _entry(points=1)
    del entry[missing]
    with pytest.raises(CatalogueError, match=f"^{complaint}$"):
        _parse({"format_version": 1, "question": [entry]})


def test_the_second_bad_entry_is_named_as_the_second() -> None:
    data = {"format_version": 1, "level_points": {"basic": 1}, "question": [_entry(), _entry(id="q02", slug="X")]}
    with pytest.raises(CatalogueError, match=r"^question #2 \(q02\): slug must be lower_snake_case$"):
        _parse(data)


def test_ordering_and_uniqueness_errors_say_exactly_what_is_wrong() -> None:
    points = {"format_version": 1, "level_points": {"basic": 1}}
    with pytest.raises(CatalogueError, match=r"^question ids must be unique and in ascending order$"):
        _parse({**points, "question": [_entry(id="q02"), _entry(id="q01", slug="other")]})
    with pytest.raises(CatalogueError, match=r"^question slugs must be unique$"):
        _parse({**points, "question": [_entry(), _entry(id="q02")]})


def test_lookups_search_the_questions_they_are_given() -> None:
    own = (Question("q42", "custom", "Custom", "basic", 1.0, ("h",)),)
    assert find_question("42", own) is own[0]
    assert select_questions(("custom",), questions=own) == own
    assert select_questions(questions=own) == own
    with pytest.raises(CatalogueError):
        find_question("q01", own)
