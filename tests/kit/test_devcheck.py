"""The maintainer check: its static rules on fake kits, then the real check over the whole kit."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from grader.book.results import RawRun, TestOutcome
from grader.kit import solutions_dir
from grader.kit.catalogue import Question, load_catalogue
from grader.kit.devcheck import check_files, check_runs, check_stub_matches_solution, run_dev_check
from grader.loading import load_module_from_path, unload_module

DEMO = Question("q01", "demo", "Demo", "basic", 1.0, ("hint",))
CONTRACT = '"""Contract: GET / answers 200."""\n'


@pytest.fixture
def fake_kit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for folder in ("exercises", "solutions", "tests/hidden", "checks"):
        (tmp_path / folder).mkdir(parents=True)
    monkeypatch.setenv("FASTAPI_KIT_ROOT", str(tmp_path))
    return tmp_path


def _write_question(kit: Path, stub: str, solution: str) -> None:
    (kit / "exercises" / DEMO.filename).write_text(stub)
    (kit / "solutions" / DEMO.filename).write_text(solution)
    (kit / "tests/hidden" / DEMO.test_filename).write_text("def test_x(): ...\n")
    (kit / "checks" / DEMO.test_filename).write_text("def test_y(): ...\n")


def test_consistent_fake_kit_has_no_problem(fake_kit: Path) -> None:
    _write_question(fake_kit, CONTRACT + "app = None  # TODO: build it\n", CONTRACT + "app = 1\n")
    assert check_files((DEMO,)) == []


def test_missing_and_orphan_files_are_named(fake_kit: Path) -> None:
    (fake_kit / "solutions" / DEMO.filename).write_text(CONTRACT)
    (fake_kit / "exercises" / "q99_stray.py").write_text("")
    (fake_kit / "tests/hidden" / "test_q98_other.py").write_text("")
    (fake_kit / "tests/hidden" / "helpers.py").write_text("")
    problems = "\n".join(check_files((DEMO,)))
    assert "exercises/q01_demo.py is missing" in problems
    assert "tests/hidden/test_q01_demo.py is missing" in problems
    assert "checks/test_q01_demo.py is missing" in problems
    assert "q99_stray.py belongs to no catalogued question" in problems
    assert "test_q98_other.py tests no catalogued question" in problems
    assert "helpers.py is neither a test file nor a support file" in problems


def test_stub_without_todo_or_with_a_drifted_contract_is_flagged(tmp_path: Path) -> None:
    stub, solution = tmp_path / "stub.py", tmp_path / "solution.py"
    stub.write_text('"""Contract: GET / answers 201."""\napp = None\nextra = 1\n')
    solution.write_text(CONTRACT + "app = 1\n")
    problems = "\n".join(check_stub_matches_solution(DEMO, stub, solution))
    assert "no `# TODO` mark" in problems
    assert "docstrings" in problems and "differ" in problems
    assert "defines extra that the solution lacks" in problems


def test_runs_flag_tests_that_pass_on_stubs_or_fail_on_solutions() -> None:
    on_solution = [RawRun("q01", "completed", ("test_a",), (TestOutcome("test_a", "failed", "boom"),), "", 0.1)]
    on_stub = [
        RawRun(
            "q01",
            "completed",
            ("test_a", "test_b"),
            (
                TestOutcome("test_a", "passed"),
                # A failure line starts with the bullets its test checks; the drift check looks past them.
                TestOutcome("test_b", "failed", "[q99.1, q99.2] AttributeError: module 'x' has no attribute 'KEY'"),
            ),
            "",
            0.1,
        )
    ]
    problems = "\n".join(check_runs((DEMO,), on_solution, on_stub))
    assert "hidden tests: test_a fails on the solution: boom" in problems
    assert "hidden tests: test_a passes on the untouched stub" in problems
    assert "hidden tests: test_b fails on the stub for a missing name" in problems


@pytest.mark.parametrize("question", load_catalogue(), ids=lambda q: q.id)
def test_solution_imports_without_deprecation_warnings(question: Question) -> None:
    path = solutions_dir() / question.filename
    if not path.is_file():
        pytest.fail(f"{path} is missing")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        module = load_module_from_path(path)
    unload_module(module)


@pytest.mark.slow
def test_the_whole_kit_passes_the_maintainer_check() -> None:
    result = run_dev_check()
    assert result.problems == [], "\n".join(result.problems)
    assert "q30." in result.table, "the coverage table should list the last question's bullets"
    assert " 0/" not in result.table, f"every mutant should be caught:\n{result.table}"


def test_q25_reference_app_matches_the_app_in_the_stub() -> None:
    """q25 grades candidates' tests against the kit's own copy of the app: it must be the stub's app."""
    from fastapi.testclient import TestClient

    from grader.kit import exercises_dir, hidden_tests_dir

    stub = load_module_from_path(exercises_dir() / "q25_testing.py")
    apps = load_module_from_path(hidden_tests_dir() / "q25_testing_apps.py")
    try:
        reference = apps.make_app(None)
        assert reference.openapi() == stub.create_app().openapi()
        with TestClient(reference) as ours, TestClient(stub.create_app()) as theirs:
            for path in ("/", "/items/", "/items/1", "/users/me"):
                a, b = ours.get(path), theirs.get(path)
                assert (a.status_code, a.json()) == (b.status_code, b.json()), path
        assert apps.API_TOKEN == stub.API_TOKEN
    finally:
        unload_module(stub)
        unload_module(apps)
