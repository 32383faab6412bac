"""Hidden tests for q25: the candidate writes the tests.

The kit's app variants (``q25_testing_apps.py``: the correct app, one mutant per planted bug, an app that answers
every request with 503) run in a host of their own, which the candidate's code cannot reach. The candidate's
suite runs once per variant, in a random order, on a fresh import of the module in the candidate's host, where
the ``client`` of every test forwards its requests to the judge (the kit helper ``q25.run_test``); the judge
relays them to the variant and sends the answers back. The candidate's process learns nothing but those answers:
no variant name, id or code, no hint in the order of the runs. Each test's outcome is that process's own
report, so a suite that reports whatever it likes still has to tell the correct app from a mutant by its
behaviour, which is what a test does (the module's own ``create_app()`` is as good an oracle as any).

The verdicts are drawn here: which test functions the module declares is read from its source (parsed, never
run); every test must pass on the correct app (run twice); a mutant is caught when, on top of that, one of the
tests fails on it.
"""

from __future__ import annotations

import ast
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader.judge.bridge import AppHost, BridgeError, CandidateError, HostDied, HostOptions, HostTimeout, launch
from grader.kit.catalogue import find_question
from grader.protocol import b64decode

APPS_PATH = Path(__file__).with_name("q25_testing_apps.py")
SERVICE = "q25.http"  # what the candidate's host calls for each request of a test's client
UNAVAILABLE = "unavailable"  # the variant that answers every request with 503
CORRECT_RUNS = 2  # independent runs on the correct app: a suite must pass on each

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

# The mutants of q25_testing_apps.MUTANTS, one hidden test each (checked against the variants host).
MUTANTS = (
    "wrong_greeting",
    "create_returns_200",
    "wrong_id_field",
    "ids_start_at_zero",
    "empty_name_accepted",
    "missing_price_accepted",
    "no_price_validation",
    "price_zero_accepted",
    "missing_item_returns_null",
    "wrong_not_found_detail",
    "id_zero_reads_last_item",
    "page_one_too_many",
    "skip_ignored",
    "total_counts_page",
    "default_limit_20",
    "no_limit_bound",
    "limit_100_refused",
    "limit_zero_accepted",
    "negative_skip_accepted",
    "missing_token_accepted",
    "token_prefix_accepted",
    "wrong_unauthorized_detail",
    "delete_without_token",
    "delete_with_any_token",
    "delete_keeps_item",
    "delete_removes_last_item",
    "delete_missing_answers_204",
    "delete_removes_next_item_too",
    "delete_before_token_check",
    "price_as_string",
    "user_wrong_key",
    "override_ignored",
)

# One run of the candidate's tests on one variant: test name -> None (passed) or why it failed, as reported.
Outcomes = dict[str, str | None]


@dataclass(frozen=True)
class Declared:
    """A module-level ``def test_*`` of the candidate's source."""

    parameters: list[str]
    is_async: bool


def declared_tests(source: bytes) -> dict[str, Declared]:
    """Every ``test_*`` function defined at the module's top level, in source order, read from the source."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    declared = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
            args = node.args
            parameters = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
            parameters += [f"*{a.arg}" for a in (args.vararg,) if a] + [f"**{a.arg}" for a in (args.kwarg,) if a]
            declared[node.name] = Declared(parameters, isinstance(node, ast.AsyncFunctionDef))
    return declared


class Variants:
    """The kit's app variants, in a host of their own: one answers at a time, fresh after every ``reset``."""

    def __init__(self, host: AppHost) -> None:
        self.host = host
        self._lock = threading.Lock()  # the candidate's host may call from several threads; the channel is one
        self._overrides: dict[str, Any] = {}
        self._cid = host.request(
            "client_open",
            app="app",
            raise_server_exceptions=False,  # an error in a variant is a 500, as a server would answer
            base_url="http://testserver",
            client=None,
            lifespan=True,
        )["cid"]

    def reset(self, variant: str | None, rebuild: bool) -> None:
        """A fresh app of ``variant`` answers; ``rebuild``: a new app object, never used by another run."""
        with self._lock:
            self.host.call("reset", variant, rebuild)
            self._overrides = {}

    def relay(self, *args: Any) -> dict[str, Any]:
        """The service ``q25.http``: one request of a candidate's test, answered by the current variant.

        Whatever goes wrong, the candidate's host hears only that the request could not be answered.
        """
        try:
            method, url, headers, body, overrides = args
            if not (isinstance(method, str) and 0 < len(method) <= 32 and isinstance(url, str) and len(url) < 65536):
                raise ValueError("method or url")
            if not (isinstance(headers, list) and len(headers) <= 256):
                raise ValueError("headers")
            pairs = [[str(k), str(v)] for k, v in headers if isinstance(k, str) and isinstance(v, str)]
            if len(pairs) != len(headers) or not isinstance(body, str):
                raise ValueError("headers or body")
            b64decode(body)
            if not (isinstance(overrides, dict) and set(overrides) <= {"get_current_user"}):
                raise ValueError("overrides")
            with self._lock:
                if overrides != self._overrides:
                    self.host.call("set_overrides", overrides)
                    self._overrides = overrides
                reply = self.host.request(
                    "http", cid=self._cid, method=method, url=url, headers=pairs, body=body, what="the app under test"
                )
            return {"status": reply["status"], "headers": reply["headers"], "body": reply["body"]}
        except Exception:
            raise RuntimeError("the app under test could not answer this request") from None


@dataclass
class Graded:
    """The candidate's suite, declared and run on every variant."""

    declared: dict[str, Declared]
    mutants: dict[str, str]  # name -> description, from the variants host
    correct: list[Outcomes] = field(default_factory=list)
    runs: dict[str, Outcomes] = field(default_factory=dict)  # per mutant, and UNAVAILABLE

    def failures_on_correct(self) -> dict[str, str]:
        """Every test that failed on one of the correct runs (or was never run there), and why."""
        failures: dict[str, str] = {}
        for outcomes in self.correct:
            for name in self.declared:
                why = outcomes.get(name, "it was not run")
                if why is not None:
                    failures.setdefault(name, why)
        return failures


class Candidate:
    """The candidate's module in a host of its own, which its tests share, imported afresh for every run."""

    def __init__(self, start: Callable[[], AppHost], relay: Callable[..., Any]) -> None:
        self._start, self._relay = start, relay
        self._host: AppHost | None = None

    def fresh(self) -> AppHost:
        """The host with a fresh import of the module: no state left by an earlier run (a new host if need be)."""
        if self._host is None:
            self._host = self._start()
            self._host.serve(SERVICE, self._relay)
        else:
            self._host.load()
        return self._host

    def lost(self) -> None:
        """The host hung or died: the next run, or the next test, gets a new one."""
        self.close()

    def close(self) -> None:
        if self._host is not None:
            host, self._host = self._host, None
            host.close()


def run_suite(candidate: Candidate, variants: Variants, variant: str | None, names: list[str], stop: bool) -> Outcomes:
    """Run the tests ``names`` on ``variant`` (None: the correct app), each on a fresh app of it.

    A test that hangs or ends its host fails, and the next test gets a new host. With ``stop``, the run ends at
    the first failure.
    """
    outcomes: Outcomes = {}
    host: AppHost | None = None
    for number, name in enumerate(names):
        if host is None:
            host = candidate.fresh()
        variants.reset(variant, rebuild=number == 0)
        try:
            outcome = host.helper("q25.run_test", name=name)
        except (HostTimeout, HostDied) as exc:
            outcome = f"{name}: {exc}"
            candidate.lost()
            host = None
        except (CandidateError, BridgeError) as exc:
            outcome = f"{name}: {exc}"
        if not (outcome is None or isinstance(outcome, str)):
            outcome = f"{name}: the host reported {outcome!r}, which is no outcome"
        outcomes[name] = outcome
        if stop and outcome is not None:
            break
    return outcomes


@pytest.fixture(scope="module")
def graded(host_options: HostOptions, target_dir: Path) -> Iterator[Graded]:
    """The candidate's tests run on every variant, in a random order, each run on a fresh import of the module."""
    module_file = target_dir / find_question("q25").filename
    if not module_file.is_file():
        pytest.fail(f"{module_file.name} not found in {target_dir}", pytrace=False)
    variants_host = launch(APPS_PATH, host_options)  # first: in-process, the latest host owns the services link
    candidate: Candidate | None = None
    try:
        variants_host.load()
        variants = Variants(variants_host)
        mutants = variants_host.fact("MUTANTS")
        assert tuple(mutants) == MUTANTS, "the hidden tests' MUTANTS must list q25_testing_apps.MUTANTS"

        def start() -> AppHost:
            host = launch(module_file, host_options)
            try:
                host.load()
            except BaseException:
                host.close()
                raise
            return host

        candidate = Candidate(start, variants.relay)
        result = Graded(declared_tests(module_file.read_bytes()), mutants)
        names = list(result.declared)
        plan: list[str | None] = [None] * CORRECT_RUNS + [UNAVAILABLE, *mutants]
        random.SystemRandom().shuffle(plan)  # which run is which cannot be told by its place either
        for variant in plan:
            if variant is None:
                result.correct.append(run_suite(candidate, variants, None, names, stop=False))
            elif variant == UNAVAILABLE:
                result.runs[variant] = run_suite(candidate, variants, variant, names, stop=False)
            elif not result.failures_on_correct():
                # A mutant is caught only if every test passes on the correct app: once one did not, no need.
                result.runs[variant] = run_suite(candidate, variants, variant, names, stop=True)
        yield result
    finally:
        if candidate is not None:
            candidate.close()
        variants_host.close()


def listed(names: list[str] | dict[str, Any]) -> str:
    return ", ".join(names)


def because(failures: dict[str, str]) -> str:
    return "; ".join(f"{name} ({why})" for name, why in failures.items())


@pytest.mark.contract("q25.1")
def test_all_required_tests_are_written(graded: Graded) -> None:
    declared = graded.declared
    missing = [name for name in REQUIRED_TESTS if name not in declared]
    assert not missing, f"the module should define these test functions (names from the stub): {listed(missing)}"
    assert len(declared) >= len(REQUIRED_TESTS), f"write at least {len(REQUIRED_TESTS)} test_* functions"
    wrong_signature = [name for name, test in declared.items() if test.parameters != ["client"]]
    assert not wrong_signature, (
        f"every test_* function should take exactly one parameter, client: {listed(wrong_signature)}"
    )
    not_plain = [name for name, test in declared.items() if test.is_async]
    assert not not_plain, f"every test_* function should be a plain def, not async def: {listed(not_plain)}"
    not_written = [
        name
        for name in REQUIRED_TESTS
        if any((why := run.get(name)) is not None and why.startswith("NotImplementedError") for run in graded.correct)
    ]
    assert not not_written, f"these tests still raise NotImplementedError (TODO): {listed(not_written)}"


@pytest.mark.contract("q25.1", "q25.2")
def test_candidate_tests_pass_on_correct_app(graded: Graded) -> None:
    assert graded.declared, "the module defines no test_* functions"
    failed = graded.failures_on_correct()
    if failed:
        pytest.fail(f"every test must pass against the correct app; these fail: {because(failed)}", pytrace=False)


@pytest.mark.contract("q25.2")
def test_tests_reach_the_app_only_through_client(graded: Graded) -> None:
    override = graded.failures_on_correct().get("test_current_user_override")
    if "test_current_user_override" not in graded.declared:
        override = "it is missing"
    assert override is None, (
        "test_current_user_override should override get_current_user on client.app (a function without "
        f"parameters returning the user) and pass against the correct app; it failed: {override}"
    )
    unavailable = graded.runs.get(UNAVAILABLE, {})
    passing = [name for name in graded.declared if name in unavailable and unavailable[name] is None]
    assert not passing, (
        "each test must send its requests through `client` and check the answers, but these pass even against a "
        "copy of the app that answers every request with 503 Service Unavailable, so they test nothing of the app "
        f"under test (the module's own `app` and `create_app()` are not it): {listed(passing)}"
    )


@pytest.mark.contract("q25.3")
@pytest.mark.parametrize("mutant", MUTANTS)
def test_catches_the_bug(graded: Graded, mutant: str) -> None:
    description = graded.mutants[mutant]
    if not graded.declared:
        pytest.fail("the module defines no test_* functions, so none can catch a bug", pytrace=False)
    failing = graded.failures_on_correct()
    if failing:
        pytest.fail(
            f"your tests cannot catch a version of the app that {description}: a bug counts as caught only when all "
            f"your tests pass against the correct app, and {listed(failing)} fail there",
            pytrace=False,
        )
    on_mutant = graded.runs.get(mutant, {})
    if any(why is not None for why in on_mutant.values()):
        return
    pytest.fail(
        f"a version of the app that {description} passed all your tests: add an assertion that fails on it",
        pytrace=False,
    )
