"""Public checks for q25: your own tests, run against the correct app, as tests you can read and run.

`fastlings check 25` runs them. Passing them is a good sign, not the grade: the hidden tests also run your
tests against copies of the app with a bug planted in each, and every bug must make one of your tests fail.

Here each of your ``test_*`` functions is called with one argument, ``client``: a ``TestClient`` on a fresh app
from the module's ``create_app()``. When graded, ``client`` is the grader's own client on its copies of the app,
with the same methods (see the contract, [q25.2]).
"""

import inspect
import traceback
from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

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


def candidate_tests(module: ModuleType) -> dict[str, Callable[..., object]]:
    """Every ``test_*`` function the module defines, the required ones and any you added."""
    return {
        name: value
        for name, value in vars(module).items()
        if name.startswith("test_") and inspect.isfunction(value) and value.__module__ == module.__name__
    }


def run_on_a_fresh_app(module: ModuleType, test: Callable[..., object]) -> str | None:
    """Call ``test`` with a TestClient on a fresh app; answer None if it passed, else why it failed."""
    try:
        with TestClient(module.create_app()) as client:
            test(client)
    except Exception:
        return traceback.format_exc(limit=-3)
    return None


def failures_on_the_correct_app(module: ModuleType) -> dict[str, str]:
    tests = candidate_tests(module)
    return {name: reason for name, test in tests.items() if (reason := run_on_a_fresh_app(module, test)) is not None}


def describe(failures: dict[str, str]) -> str:
    return "\n".join(f"--- {name} failed:\n{reason}" for name, reason in failures.items())


def test_the_eight_required_tests_are_written(target_module: ModuleType) -> None:
    tests = candidate_tests(target_module)
    missing = [name for name in REQUIRED_TESTS if name not in tests]
    assert not missing, f"the module should keep the required test functions, missing: {missing}"

    for name, test in tests.items():
        parameters = list(inspect.signature(test).parameters)
        assert parameters == ["client"], f"{name} should take exactly one parameter, `client`, got {parameters}"

    not_written = []
    for name in REQUIRED_TESTS:
        try:
            with TestClient(target_module.create_app()) as client:
                tests[name](client)
        except NotImplementedError:
            not_written.append(name)
        except Exception:  # a failing assert is the next check's business
            pass
    assert not not_written, f"these tests still raise NotImplementedError, write their bodies: {not_written}"


def test_every_test_passes_against_the_correct_app(target_module: ModuleType) -> None:
    failures = failures_on_the_correct_app(target_module)
    assert not failures, (
        "every test_* function should pass when called with a TestClient on a fresh, correct app:\n"
        + describe(failures)
    )


def test_tests_reach_the_app_only_through_client(target_module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    # When graded, your tests run against another copy of the app: the module-level `app` is not the one the
    # `client` drives. Here it is swapped for an empty app, so a test that uses it instead of `client` fails.
    monkeypatch.setattr(target_module, "app", FastAPI())
    failures = failures_on_the_correct_app(target_module)
    assert not failures, (
        "every test_* function should reach the app only through `client` (client.app.dependency_overrides, "
        "never the module's `app`), and pass even when the module's `app` is another app:\n" + describe(failures)
    )


def an_app_that_answers_503() -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def unavailable(request: Request, call_next: object) -> JSONResponse:
        return JSONResponse({"detail": "Service Unavailable"}, status_code=503)

    return app


def test_every_test_fails_against_an_app_that_answers_503(target_module: ModuleType) -> None:
    # A test that still passes when every request is answered with 503 checks nothing of the app under test
    # (or reaches another app than `client`'s).
    passing, not_written = [], []
    for name, test in candidate_tests(target_module).items():
        try:
            with TestClient(an_app_that_answers_503()) as client:
                test(client)
        except NotImplementedError:
            not_written.append(name)
        except Exception:
            continue
        else:
            passing.append(name)
    assert not not_written, f"these tests still raise NotImplementedError, write their bodies: {not_written}"
    assert not passing, (
        "every test_* function should send its requests through `client` and check the answers, but these pass "
        f"against an app that answers every request with 503: {passing}"
    )
