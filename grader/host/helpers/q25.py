"""q25 helpers: run the candidate's ``test_*`` functions against the kit's copies of the app.

The kit's apps (``q25_testing_apps.py``) are a support file copied beside the candidate's module; they are loaded
by path here, in the host, and ``make_app(mutant)`` builds a fresh app for every run of every test. While a test
runs, the module's ``get_current_user`` and ``API_TOKEN`` are the kit's, and its ``app`` and ``create_app`` are
stand-ins that record any use (the contract: the app is reached only through ``client``). The helpers only report
what happened (each test's outcome, the uses); which tests must pass and which mutant must be caught is the
judge's business.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import sys
from types import ModuleType
from typing import Any

from grader.host.helpers import helper

APPS_FILENAME = "q25_testing_apps.py"
_REASON_LIMIT = 300
_MODULE_APP_USES = "q25:module_app_uses"
_names = itertools.count(1)


def _apps(session: Any) -> ModuleType:
    """The kit's apps module, loaded once per module load from the support file beside the module."""
    apps = session.state.get("q25:apps")
    if apps is None:
        path = session.module_file.parent / APPS_FILENAME
        name = f"kit_q25_apps_{next(_names)}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the kit's {APPS_FILENAME}")
        apps = importlib.util.module_from_spec(spec)
        sys.modules[name] = apps  # Pydantic resolves the models' annotations through sys.modules
        spec.loader.exec_module(apps)
        session.state["q25:apps"] = apps
    return apps


def _candidate_tests(session: Any) -> dict[str, Any]:
    return {name: obj for name, obj in vars(session.module).items() if name.startswith("test_") and callable(obj)}


def _reason(exc: BaseException) -> str:
    try:
        text = str(exc).strip().splitlines()
    except BaseException:  # a candidate's exception whose __str__ raises
        text = []
    reason = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    return reason if len(reason) <= _REASON_LIMIT else reason[: _REASON_LIMIT - 1] + "…"


class _NotTheAppUnderTest:
    """Stands in for the module's ``app`` or ``create_app`` while a candidate test runs.

    The contract says the tests reach the app under test only through ``client``; the module's own app is not
    the copy under test, so a test that overrides a dependency on it (or builds its own app) tests nothing. Any
    use of the stand-in is recorded for the judge and fails the test with a message that says why.
    """

    def __init__(self, uses: dict[str, list[str]], test_name: str, name: str) -> None:
        object.__setattr__(self, "_kit_use", (uses, test_name, name))

    def _refuse(self) -> None:
        uses, test_name, name = object.__getattribute__(self, "_kit_use")
        if name not in uses.setdefault(test_name, []):
            uses[test_name].append(name)
        raise RuntimeError(
            f"{test_name} uses the module's `{name}`, which is not the app under test: "
            "reach the app only through `client` (client.app.dependency_overrides)"
        )

    def __getattr__(self, attribute: str) -> Any:
        self._refuse()

    def __setattr__(self, attribute: str, value: Any) -> None:
        self._refuse()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse()


def _run_one(session: Any, name: str, test: Any, apps: ModuleType, mutant: str | None) -> str | None:
    """Run one candidate test on a fresh app; None when it passes, else why it failed."""
    from fastapi.testclient import TestClient

    app = apps.make_app(mutant)
    # The contract: these module-level names are rebound to the copy under test.
    module = session.module
    module.get_current_user = apps.get_current_user
    module.API_TOKEN = apps.API_TOKEN
    # ... while the module's own app is not it: a test that uses `app` or `create_app` is told so and recorded.
    uses: dict[str, list[str]] = session.state.setdefault(_MODULE_APP_USES, {})
    own = {attribute: getattr(module, attribute) for attribute in ("app", "create_app") if hasattr(module, attribute)}
    for attribute in own:
        setattr(module, attribute, _NotTheAppUnderTest(uses, name, attribute))
    try:
        with TestClient(app) as client:
            test(client)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # pytest.fail() raises a BaseException subclass; it is a failure too
        return _reason(exc)
    finally:
        for attribute, value in own.items():
            setattr(module, attribute, value)
    return None


@helper("q25.list_tests")
def list_tests(session: Any) -> dict[str, list[str] | None]:
    """Every module-level ``test_*`` callable, with its parameter names (None when they cannot be read)."""
    listed: dict[str, list[str] | None] = {}
    for name, test in _candidate_tests(session).items():
        try:
            listed[name] = [str(parameter) for parameter in inspect.signature(test).parameters]
        except (TypeError, ValueError):
            listed[name] = None
    return listed


@helper("q25.run_tests")
def run_tests(session: Any, mutant: str | None = None, names: list[str] | None = None) -> dict[str, str | None]:
    """Run the candidate's tests (all, or ``names``) on ``make_app(mutant)``: name -> None (passed) or why it failed.

    ``mutant`` None is the correct app. Every test gets a fresh app, in the order the module defines them.
    """
    apps = _apps(session)
    if mutant is not None and mutant not in apps.MUTANTS:
        raise ValueError(f"unknown mutant {mutant!r}")
    tests = _candidate_tests(session)
    chosen = tests if names is None else {name: tests[name] for name in names if name in tests}
    return {name: _run_one(session, name, test, apps, mutant) for name, test in chosen.items()}


@helper("q25.module_app_uses")
def module_app_uses(session: Any) -> dict[str, list[str]]:
    """The candidate tests that used the module's ``app`` or ``create_app`` in the runs so far, and which."""
    return dict(session.state.get(_MODULE_APP_USES, {}))
