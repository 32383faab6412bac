"""Contract tracing: bullets, the tests that name them and the mutants that break them, read statically."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.kit.catalogue import load_catalogue
from grader.kit.contracts import (
    Mutant,
    MutantError,
    apply_mutant,
    bullets_named_by_tests,
    check_traceability,
    contract_bullets,
    coverage_table,
)
from grader.kit.devcheck import trace_contracts

STUB = '''"""Q99 · Something

Intro with a list that is not the contract:

- not a bullet of the contract

Contract (the hidden tests check exactly this):

- [q99.1] ``GET /a`` answers 200.
- [q99.2] ``GET /b`` answers 404
  when asked twice.

Run it: uvicorn ...
"""
app = None
'''

TESTS = """
import pytest

pytestmark = [pytest.mark.contract("q99.1")]


@pytest.mark.contract("q99.2")
def test_b(client):
    assert client


def test_a(client):
    assert client


class TestGroup:
    @pytest.mark.contract("q99.3")
    def test_c(self):
        assert True
"""


def test_bullets_are_read_from_the_contract_paragraph_only() -> None:
    bullets, problems = contract_bullets(STUB)
    assert [(b.id, b.text) for b in bullets] == [
        ("q99.1", "``GET /a`` answers 200."),
        ("q99.2", "``GET /b`` answers 404"),
    ]
    assert problems == []


def test_a_contract_bullet_without_an_id_is_a_problem() -> None:
    _bullets, problems = contract_bullets(STUB.replace("- [q99.2] ", "- "))
    assert problems == ["a contract bullet has no id: '- ``GET /b`` answers 404'"]


def test_markers_on_functions_classes_and_the_module_are_read() -> None:
    assert bullets_named_by_tests(TESTS) == {
        "test_b": ["q99.1", "q99.2"],
        "test_a": ["q99.1"],
        "test_c": ["q99.1", "q99.3"],
    }


def test_a_mutant_must_apply_exactly_once_and_change_something() -> None:
    source = "x = 1\ny = 1\n"
    assert apply_mutant(source, Mutant("q99.1", "q99.1/a", "why", (("x = 1", "x = 2"),))) == "x = 2\ny = 1\n"
    with pytest.raises(MutantError, match="occurs 2 times"):
        apply_mutant(source, Mutant("q99.1", "q99.1/a", "why", (("= 1", "= 2"),)))
    with pytest.raises(MutantError, match="is not in"):
        apply_mutant(source, Mutant("q99.1", "q99.1/a", "why", (("z = 1", "z = 2"),)))
    with pytest.raises(MutantError, match="changes nothing"):
        apply_mutant(source, Mutant("q99.1", "q99.1/a", "why", (("x = 1", "x = 1"),)))


def test_every_gap_between_contract_tests_and_mutants_is_reported(tmp_path: Path, monkeypatch) -> None:
    question = load_catalogue()[0]
    stub = tmp_path / "stub.py"
    stub.write_text(STUB.replace("q99", question.id), encoding="utf-8")
    tests = tmp_path / "tests.py"
    tests.write_text(TESTS.replace("q99", question.id), encoding="utf-8")
    mutants = tmp_path / "mutants"
    mutants.mkdir()
    (mutants / f"{question.module_name}.toml").write_text(
        f'[[mutant]]\nbullet = "{question.id}.1"\nwhy = "w"\nold = "app = None"\nnew = "app = 1"\n'
        f'[[mutant]]\nbullet = "{question.id}.7"\nwhy = "w"\nold = "absent"\nnew = "x"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr("grader.kit.contracts.mutants_dir", lambda: mutants)
    trace = check_traceability(question, stub, stub, tests)
    q = question.id
    assert trace.problems == [
        f"{q}: test_c names {q}.3, which the contract does not have",
        f"{q}: mutant {q}.7/a breaks {q}.7, which the contract lacks",
        f"{q}: mutant {q}.7/a: its text 'absent' is not in the solution",
        f"{q}: bullet {q}.2 has no mutant in tests/mutants/{question.module_name}.toml",
    ]
    table = coverage_table([trace], {f"{q}.1/a": True})
    assert table.splitlines()[1].split()[:4] == [f"{q}.1", "3", "1/1", "caught"]
    assert table.splitlines()[2].split()[:4] == [f"{q}.2", "1", "0/0", "caught"]


def test_a_test_that_names_no_bullet_is_reported(tmp_path: Path) -> None:
    question = load_catalogue()[0]
    stub = tmp_path / "stub.py"
    stub.write_text(STUB.replace("q99", question.id), encoding="utf-8")
    tests = tmp_path / "tests.py"
    tests.write_text("def test_lonely(client):\n    assert client\n", encoding="utf-8")
    trace = check_traceability(question, stub, stub, tests)
    assert f"{question.id}: test_lonely names no contract bullet: add @pytest.mark.contract(...)" in trace.problems
    assert f"{question.id}: bullet {question.id}.1 is checked by no hidden test" in trace.problems


def test_every_question_traces_its_contract_to_tests_and_mutants() -> None:
    """The static half of `grade dev-check`: fast, so it runs on every test run (the mutants run in the slow one)."""
    _traces, problems = trace_contracts(load_catalogue())
    assert problems == [], "\n".join(problems)
