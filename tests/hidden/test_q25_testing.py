"""Hidden tests for q25: the candidate writes the tests.

The candidate's ``test_*`` functions are run against the kit's own copy of the app (``q25_testing_apps.py``):
first the correct app, where all of them must pass, then one mutant per hidden test, which at least one of the
tests that pass on the correct app must catch. A test that fails on the correct app catches nothing.
"""

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from grader.loading import load_module_from_path, unload_module

APPS_PATH = Path(__file__).with_name("q25_testing_apps.py")

REQUIRED_TESTS = (
    "test_read_root",
    "test_create_item",
    "test_read_missing_item",
    "test_create_item_validation",
    "test_list_items_pagination",
    "test_delete_requires_token",
    "test_delete_item",
    "test_current_user_override",
)

CandidateTest = Callable[[TestClient], object]


@pytest.fixture
def apps() -> Iterator[ModuleType]:
    module = load_module_from_path(APPS_PATH, prefix="kit_q25_apps")
    yield module
    unload_module(module)


def candidate_tests(module: ModuleType) -> dict[str, CandidateTest]:
    return {name: obj for name, obj in vars(module).items() if name.startswith("test_") and callable(obj)}


def run_candidate_test(test: CandidateTest, module: ModuleType, apps: ModuleType, mutant: str | None) -> str | None:
    """Run one candidate test on a fresh app; None when it passes, else why it failed."""
    app = apps.make_app(mutant)
    # The contract: these module-level names are rebound to the copy under test.
    module.app = app
    module.get_current_user = apps.get_current_user
    module.API_TOKEN = apps.API_TOKEN
    try:
        with TestClient(app) as client:
            test(client)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # pytest.fail() raises a BaseException subclass; it is a failure too
        text = str(exc).strip().splitlines()
        return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    return None


def assert_mutant_caught(module: ModuleType, apps: ModuleType, mutant: str) -> None:
    description = apps.MUTANTS[mutant]
    tests = candidate_tests(module)
    for test in tests.values():
        # Caught: the test fails on the mutant AND passes on the correct app.
        if run_candidate_test(test, module, apps, mutant) is not None and (
            run_candidate_test(test, module, apps, None) is None
        ):
            return
    passing = [name for name, test in tests.items() if run_candidate_test(test, module, apps, None) is None]
    if not passing:
        pytest.fail(
            "none of your test_* functions passes against the correct app, so none of them can catch "
            f"the bug in a version of the app that {description}",
            pytrace=False,
        )
    pytest.fail(
        f"a version of the app that {description} passed all your tests ({', '.join(passing)}): "
        "add an assertion that fails on it",
        pytrace=False,
    )


def test_all_required_tests_are_written(target_module: ModuleType, apps: ModuleType) -> None:
    tests = candidate_tests(target_module)
    missing = [name for name in REQUIRED_TESTS if name not in tests]
    assert not missing, f"the module should define these test functions (names from the stub): {missing}"
    assert len(tests) >= len(REQUIRED_TESTS), f"write at least {len(REQUIRED_TESTS)} test_* functions"
    wrong_signature = [name for name, test in tests.items() if list(inspect.signature(test).parameters) != ["client"]]
    assert not wrong_signature, f"every test_* function should take exactly one parameter, client: {wrong_signature}"
    not_written = [
        name
        for name in REQUIRED_TESTS
        if (outcome := run_candidate_test(tests[name], target_module, apps, None)) is not None
        and outcome.startswith("NotImplementedError")
    ]
    assert not not_written, f"these tests still raise NotImplementedError (TODO): {not_written}"


def test_candidate_tests_pass_on_correct_app(target_module: ModuleType, apps: ModuleType) -> None:
    tests = candidate_tests(target_module)
    assert tests, "the module defines no test_* functions"
    failures = {name: run_candidate_test(test, target_module, apps, None) for name, test in tests.items()}
    failed = {name: why for name, why in failures.items() if why is not None}
    if failed:
        pytest.fail(
            "every test must pass against the correct app; these fail: "
            + "; ".join(f"{name} ({why})" for name, why in failed.items()),
            pytrace=False,
        )


def test_catches_wrong_greeting(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "wrong_greeting")


def test_catches_create_returning_200(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "create_returns_200")


def test_catches_wrong_id_field(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "wrong_id_field")


def test_catches_missing_item_returning_null(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "missing_item_returns_null")


def test_catches_missing_price_validation(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "no_price_validation")


def test_catches_page_with_one_item_too_many(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "page_one_too_many")


def test_catches_total_counting_only_the_page(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "total_counts_page")


def test_catches_missing_limit_bound(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "no_limit_bound")


def test_catches_delete_without_token(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "delete_without_token")


def test_catches_delete_with_any_token(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "delete_with_any_token")


def test_catches_delete_that_keeps_the_item(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "delete_keeps_item")


def test_catches_ignored_dependency_override(target_module: ModuleType, apps: ModuleType) -> None:
    assert_mutant_caught(target_module, apps, "override_ignored")
