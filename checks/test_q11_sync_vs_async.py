"""Public checks for q11: the four endpoints and what they do to the event loop, as tests you can read and run.

`fastlings check 11` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, /sync under load included.

The helpers are replaced with fakes, so no check waits on a clock. Where a fake blocks, it waits on a
threading.Event with a timeout of a few seconds: a wrong implementation fails instead of hanging.
"""

import asyncio
import inspect
import threading
from types import ModuleType

import anyio.lowlevel
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from grader.judge.fixtures import find_endpoint

TIMEOUT_SECONDS = 5.0


def fake_helpers(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> None:
    """Replace both helpers with instant fakes whose answers differ from the real ones."""

    def fake_blocking_io() -> str:
        return "fake blocking"

    async def fake_async_io() -> str:
        return "fake async"

    monkeypatch.setattr(module, "blocking_io", fake_blocking_io)
    monkeypatch.setattr(module, "async_io", fake_async_io)


def test_each_route_answers_its_mode_and_the_helpers_results(
    client: TestClient, target_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_helpers(monkeypatch, target_module)
    expected = {
        "/sync": {"mode": "sync", "result": "fake blocking"},
        "/async": {"mode": "async", "result": "fake async"},
        "/offload": {"mode": "offload", "result": "fake blocking"},
        "/gather": {"mode": "gather", "results": ["fake async", "fake async"]},
    }
    for path, body in expected.items():
        response = client.get(path)
        assert response.status_code == 200, f"GET {path} should answer 200, got {response.status_code}: {response.text}"
        assert response.json() == body, (
            f"GET {path} should answer {body} (the helpers looked up at request time), got {response.json()}"
        )


def test_endpoints_are_def_or_async_def_as_required(target_module: ModuleType) -> None:
    required = {"/sync": False, "/async": True, "/offload": True, "/gather": True}
    for path, must_be_async in required.items():
        endpoint = find_endpoint(target_module.app, path)
        assert endpoint is not None, f"the app should have a GET {path} route"
        kind = "async def" if must_be_async else "plain def"
        assert inspect.iscoroutinefunction(endpoint) == must_be_async, f"GET {path} should be a {kind} endpoint"


def test_async_is_answered_while_offload_is_stuck_in_blocking_io(
    client: TestClient, target_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_helpers(monkeypatch, target_module)
    entered = threading.Event()  # the fake blocking_io has started, off the event loop
    progress = threading.Event()  # set when blocking_io started or /offload has answered, whichever comes first
    release = threading.Event()  # lets the fake blocking_io return
    ran_on_event_loop: list[bool] = []
    offload: list[Response] = []

    def stuck_blocking_io() -> str:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no running loop in this thread: good, we are off the event loop
            entered.set()
            progress.set()
            release.wait(TIMEOUT_SECONDS)
        else:  # never block the loop here: record the mistake and return at once
            ran_on_event_loop.append(True)
        return "fake blocking"

    def call_offload() -> None:
        try:
            offload.append(client.get("/offload"))
        finally:
            progress.set()

    monkeypatch.setattr(target_module, "blocking_io", stuck_blocking_io)
    thread = threading.Thread(target=call_offload, name="q11-check: GET /offload", daemon=True)
    thread.start()
    try:
        progress.wait(TIMEOUT_SECONDS)
        assert not ran_on_event_loop, "GET /offload ran blocking_io() on the event-loop thread; hand it to a thread"
        assert entered.is_set(), "GET /offload should call blocking_io() (in a worker thread)"

        answer = client.get("/async")
        assert answer.status_code == 200, f"GET /async should answer 200, got {answer.status_code}: {answer.text}"
        assert answer.json() == {"mode": "async", "result": "fake async"}, (
            f"GET /async should answer {{'mode': 'async', 'result': 'fake async'}}, got {answer.json()}"
        )
        assert not offload, "GET /async should be answered while GET /offload is still stuck in blocking_io()"
    finally:
        release.set()
        thread.join(TIMEOUT_SECONDS)
    assert offload and offload[0].json() == {"mode": "offload", "result": "fake blocking"}, (
        "once blocking_io() returns, GET /offload should answer {'mode': 'offload', 'result': 'fake blocking'}"
    )


def test_gather_has_both_async_calls_in_flight_at_once(
    client: TestClient, target_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_flight = 0
    most_in_flight = 0

    async def counting_async_io() -> str:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        await anyio.lowlevel.checkpoint()  # yield to the loop once, so a concurrent call can start
        in_flight -= 1
        return "fake async"

    monkeypatch.setattr(target_module, "async_io", counting_async_io)
    response = client.get("/gather")
    assert response.status_code == 200, f"GET /gather should answer 200, got {response.status_code}: {response.text}"
    assert response.json() == {"mode": "gather", "results": ["fake async", "fake async"]}, (
        f"GET /gather should answer both results, got {response.json()}"
    )
    assert most_in_flight == 2, (
        f"GET /gather should have both async_io() calls in flight at the same time, at most {most_in_flight} were"
    )
