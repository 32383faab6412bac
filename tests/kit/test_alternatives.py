"""Fairness, kept proven: answers written blind from the contracts pass every hidden test and public check."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.catalogue import load_catalogue
from grader.kit import checks_dir
from grader.runner import run_questions

pytestmark = pytest.mark.slow
ALTERNATIVES = Path(__file__).resolve().parent.parent / "alternatives"


@pytest.mark.parametrize("tests_dir", [None, checks_dir()], ids=["hidden tests", "public checks"])
def test_every_blind_answer_passes(tests_dir: Path | None) -> None:
    questions = load_catalogue()
    assert {p.name for p in ALTERNATIVES.glob("q*.py")} == {q.filename for q in questions}
    failures = [
        f"{run.question_id} {test.name}: {test.message}"
        for run in run_questions(questions, ALTERNATIVES, tests_dir=tests_dir)
        for test in run.tests
        if test.outcome not in ("passed", "skipped")
    ]
    assert failures == [], "tests that fail a correct answer written from the contract:\n" + "\n".join(failures)
