"""Hidden tests for q25: the candidate writes the tests.

The candidate's ``test_*`` functions are run against the kit's own copy of the app (``q25_testing_apps.py``):
first the correct app, where all of them must pass, then one mutant per hidden test, which at least one of the
tests that pass on the correct app must catch. A test that fails on the correct app catches nothing.

They run in the host, beside the candidate's module (the apps file is copied there as a support file): the
helpers ``q25.*`` report each test's outcome, and the verdict is drawn here.
"""

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from grader.bridge import AppHost
from grader.fixtures import StartHost
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

# What the host reports for one run of the candidate's tests: test name -> None (passed) or why it failed.
Outcomes = dict[str, str | None]


@pytest.fixture
def host(start_host: StartHost) -> AppHost:
    """The candidate's module, with the kit's apps (q25_testing_apps.py) copied beside it for the helpers."""
    return start_host(support_files=(APPS_PATH,))


@pytest.fixture
def apps() -> Iterator[ModuleType]:
    """The kit's own apps module, in the judge: only its MUTANTS descriptions are read here."""
    module = load_module_from_path(APPS_PATH, prefix="kit_q25_apps")
    yield module
    unload_module(module)


def run_candidate_tests(host: AppHost, mutant: str | None, names: list[str] | None = None) -> Outcomes:
    """Run the candidate's tests (each on a fresh app) in the host: on the correct app when mutant is None."""
    return host.helper("q25.run_tests", mutant=mutant, names=names)


def assert_mutant_caught(host: AppHost, apps: ModuleType, mutant: str) -> None:
    description = apps.MUTANTS[mutant]
    on_mutant = run_candidate_tests(host, mutant)
    on_correct = run_candidate_tests(host, None)
    # Caught: the test fails on the mutant AND passes on the correct app.
    for name, why in on_mutant.items():
        if why is not None and name in on_correct and on_correct[name] is None:
            return
    passing = [name for name, why in on_correct.items() if why is None]
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


@pytest.mark.contract("q25.1")
def test_all_required_tests_are_written(host: AppHost) -> None:
    tests = host.helper("q25.list_tests")
    missing = [name for name in REQUIRED_TESTS if name not in tests]
    assert not missing, f"the module should define these test functions (names from the stub): {missing}"
    assert len(tests) >= len(REQUIRED_TESTS), f"write at least {len(REQUIRED_TESTS)} test_* functions"
    wrong_signature = [name for name, parameters in tests.items() if parameters != ["client"]]
    assert not wrong_signature, f"every test_* function should take exactly one parameter, client: {wrong_signature}"
    outcomes = run_candidate_tests(host, None, names=list(REQUIRED_TESTS))
    not_written = [
        name
        for name in REQUIRED_TESTS
        if (outcome := outcomes.get(name)) is not None and outcome.startswith("NotImplementedError")
    ]
    assert not not_written, f"these tests still raise NotImplementedError (TODO): {not_written}"


@pytest.mark.contract("q25.1", "q25.2")
def test_candidate_tests_pass_on_correct_app(host: AppHost) -> None:
    tests = host.helper("q25.list_tests")
    assert tests, "the module defines no test_* functions"
    failures = run_candidate_tests(host, None)
    failed = {name: why for name, why in failures.items() if why is not None}
    if failed:
        pytest.fail(
            "every test must pass against the correct app; these fail: "
            + "; ".join(f"{name} ({why})" for name, why in failed.items()),
            pytrace=False,
        )


@pytest.mark.contract("q25.2")
def test_tests_reach_the_app_only_through_client(host: AppHost) -> None:
    outcomes = run_candidate_tests(host, None)
    uses = host.helper("q25.module_app_uses")
    assert not uses, (
        "your tests must reach the app under test only through `client` (client.app.dependency_overrides): "
        "the module's own `app` and `create_app` are not the copy being graded, yet "
        + "; ".join(f"{name} uses {', '.join(f'`{used}`' for used in used_names)}" for name, used_names in uses.items())
    )
    override = outcomes.get("test_current_user_override", "it is missing")
    assert override is None, (
        "test_current_user_override should override get_current_user on client.app and pass against the "
        f"correct app; it failed: {override}"
    )


@pytest.mark.contract("q25.3")
def test_catches_wrong_greeting(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "wrong_greeting")


@pytest.mark.contract("q25.3")
def test_catches_create_returning_200(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "create_returns_200")


@pytest.mark.contract("q25.3")
def test_catches_wrong_id_field(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "wrong_id_field")


@pytest.mark.contract("q25.3")
def test_catches_missing_item_returning_null(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "missing_item_returns_null")


@pytest.mark.contract("q25.3")
def test_catches_missing_price_validation(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "no_price_validation")


@pytest.mark.contract("q25.3")
def test_catches_page_with_one_item_too_many(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "page_one_too_many")


@pytest.mark.contract("q25.3")
def test_catches_total_counting_only_the_page(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "total_counts_page")


@pytest.mark.contract("q25.3")
def test_catches_missing_limit_bound(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "no_limit_bound")


@pytest.mark.contract("q25.3")
def test_catches_delete_without_token(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "delete_without_token")


@pytest.mark.contract("q25.3")
def test_catches_delete_with_any_token(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "delete_with_any_token")


@pytest.mark.contract("q25.3")
def test_catches_delete_that_keeps_the_item(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "delete_keeps_item")


@pytest.mark.contract("q25.3")
def test_catches_ignored_dependency_override(host: AppHost, apps: ModuleType) -> None:
    assert_mutant_caught(host, apps, "override_ignored")
