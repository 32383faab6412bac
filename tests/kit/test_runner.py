"""The runner's two ways of starting a grading process give the same results."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.judge.runner import GradingJob, run_jobs
from grader.kit import exercises_dir, hidden_tests_dir, solutions_dir
from grader.kit.catalogue import select_questions
from grader.kit.contracts import bullets_named_by_tests

pytestmark = pytest.mark.slow


def _hidden_test_count(filename: str) -> int:
    """How many tests the hidden test file defines, read from its source (the count changes as tests are added)."""
    return len(bullets_named_by_tests((hidden_tests_dir() / filename).read_text(encoding="utf-8")))


@pytest.mark.parametrize("use_fork", [True, False], ids=["fork", "fresh-interpreter"])
def test_fork_and_fresh_interpreter_agree(use_fork: bool) -> None:
    (q02,) = select_questions(("q02",))
    jobs = [GradingJob("solution", q02, solutions_dir()), GradingJob("stub", q02, exercises_dir())]
    results = {job.key: run for job, run in run_jobs(jobs, use_fork=use_fork, timeout_s=60)}
    assert results["solution"].outcome == results["stub"].outcome == "completed"
    assert {t.outcome for t in results["solution"].tests} == {"passed"}
    assert {t.outcome for t in results["stub"].tests} == {"failed"}
    expected = _hidden_test_count(q02.test_filename)
    assert len(results["solution"].collected) == len(results["stub"].collected) == expected > 0


def test_a_hung_fresh_interpreter_is_killed_at_the_timeout(tmp_path: Path) -> None:
    (q02,) = select_questions(("q02",))
    (tmp_path / q02.filename).write_text("while True:\n    pass\n")
    ((_job, run),) = run_jobs([GradingJob("hang", q02, tmp_path)], use_fork=False, timeout_s=3)
    assert run.outcome == "timeout" and len(run.collected) == _hidden_test_count(q02.test_filename) > 0
