"""q25 helpers: run the candidate's ``test_*`` functions against the kit's copies of the app.

The kit's apps (``q25_testing_apps.py``) are a support file copied beside the candidate's module; they are loaded
by path here, in the host, and ``make_app(mutant)`` builds a fresh app for every run of every test. The helpers
only report what happened (each test's outcome); which tests must pass and which mutant must be caught is the
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


def _run_one(session: Any, test: Any, apps: ModuleType, mutant: str | None) -> str | None:
    """Run one candidate test on a fresh app; None when it passes, else why it failed."""
    from fastapi.testclient import TestClient

    app = apps.make_app(mutant)
    # The contract: these module-level names are rebound to the copy under test.
    module = session.module
    module.app = app
    module.get_current_user = apps.get_current_user
    module.API_TOKEN = apps.API_TOKEN
    try:
        with TestClient(app) as client:
            test(client)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # pytest.fail() raises a BaseException subclass; it is a failure too
        return _reason(exc)
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
    return {name: _run_one(session, test, apps, mutant) for name, test in chosen.items()}
