"""Hidden tests for q11: sync and async endpoints.

Blocking is detected with events, never with timings: a fake ``blocking_io`` waits on a gate that only a request
served by the event loop can open. Every wait is bounded (``BOUND`` seconds), so a wrong implementation fails
after the bound instead of hanging, and a correct one passes without waiting.
"""

import asyncio
import inspect
import threading
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from grader.fixtures import find_endpoint

BOUND = 3.0  # seconds: the longest any event wait in these tests may take


def _on_event_loop() -> bool:
    """True when the calling thread is running an event loop (i.e. the code would block that loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _get_ok(client: TestClient, path: str) -> dict[str, Any]:
    r = client.get(path)
    assert r.status_code == 200, f"GET {path} should answer 200, got {r.status_code}: {r.text}"
    return r.json()


def _endpoint(module: ModuleType, path: str) -> Callable[..., Any]:
    endpoint = find_endpoint(module.app, path)
    if endpoint is None:
        pytest.fail(f"the app has no GET {path} route", pytrace=False)
    return endpoint


def test_sync_answers_the_blocking_result(client: TestClient) -> None:
    body = _get_ok(client, "/sync")
    assert body == {"mode": "sync", "result": "blocking done"}, (
        f'GET /sync should answer {{"mode": "sync", "result": <what blocking_io() returned>}}, got {body}'
    )


def test_async_answers_the_awaited_result(client: TestClient) -> None:
    body = _get_ok(client, "/async")
    assert body == {"mode": "async", "result": "async done"}, (
        f'GET /async should answer {{"mode": "async", "result": <what async_io() returned>}}, got {body}'
    )


def test_offload_answers_the_blocking_result(client: TestClient) -> None:
    body = _get_ok(client, "/offload")
    assert body == {"mode": "offload", "result": "blocking done"}, (
        f'GET /offload should answer {{"mode": "offload", "result": <what blocking_io() returned>}}, got {body}'
    )


def test_gather_answers_both_results(client: TestClient) -> None:
    body = _get_ok(client, "/gather")
    assert body == {"mode": "gather", "results": ["async done", "async done"]}, (
        f'GET /gather should answer {{"mode": "gather", "results": [<first>, <second>]}}, got {body}'
    )


def test_endpoint_kinds_match_the_contract(client: TestClient, target_module: ModuleType) -> None:
    _get_ok(client, "/sync")
    paths = ("/sync", "/async", "/offload", "/gather")
    kinds = {path: inspect.iscoroutinefunction(_endpoint(target_module, path)) for path in paths}
    expected = {"/sync": False, "/async": True, "/offload": True, "/gather": True}
    assert kinds == expected, (
        "GET /sync should be a plain def endpoint and /async, /offload, /gather async def endpoints "
        f"(True = async def): expected {expected}, got {kinds}"
    )


@pytest.mark.parametrize("path", ["/sync", "/offload"])
def test_blocking_helper_runs_off_the_event_loop(
    client: TestClient, target_module: ModuleType, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    _get_ok(client, path)
    seen: list[bool] = []

    def fake_blocking_io() -> str:
        seen.append(_on_event_loop())
        return "fake blocking"

    monkeypatch.setattr(target_module, "blocking_io", fake_blocking_io)
    body = _get_ok(client, path)
    assert body.get("result") == "fake blocking", (
        f"GET {path} should call the module's blocking_io() at request time and answer its result, got {body}"
    )
    assert seen == [False], (
        f"GET {path} ran blocking_io() on the event-loop thread: blocking code must run in a worker thread "
        "(a plain def endpoint, or run_in_threadpool / asyncio.to_thread inside async def)"
    )


@pytest.mark.parametrize("path", ["/sync", "/offload"])
def test_async_is_served_while_blocking_work_waits(
    client: TestClient, target_module: ModuleType, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    _get_ok(client, path)
    _get_ok(client, "/async")
    entered = threading.Event()
    gate = threading.Event()

    def fake_blocking_io() -> str:
        entered.set()
        return "released" if gate.wait(BOUND) else "never released"

    async def fake_async_io() -> str:
        gate.set()
        return "gate opened"

    monkeypatch.setattr(target_module, "blocking_io", fake_blocking_io)
    monkeypatch.setattr(target_module, "async_io", fake_async_io)
    outcome: dict[str, Any] = {}

    def call_blocking_route() -> None:
        try:
            outcome["response"] = client.get(path)
        except BaseException as exc:  # reported below, in the test's own thread
            outcome["error"] = exc

    worker = threading.Thread(target=call_blocking_route, daemon=True)
    worker.start()
    try:
        assert entered.wait(BOUND), f"GET {path} never called the module's blocking_io()"
        r = client.get("/async")
    finally:
        gate.set()
        worker.join(BOUND * 2)
    assert not worker.is_alive(), f"GET {path} did not finish"
    assert "error" not in outcome, f"GET {path} raised {outcome.get('error')!r}"
    assert r.status_code == 200, f"GET /async should answer 200, got {r.status_code}: {r.text}"
    blocked = outcome["response"]
    assert blocked.status_code == 200, f"GET {path} should answer 200, got {blocked.status_code}: {blocked.text}"
    assert blocked.json().get("result") == "released", (
        f"while GET {path} was inside blocking_io(), GET /async could not be served for {BOUND} s: "
        "the blocking call ran on the event loop and froze every other request"
    )


def test_async_awaits_its_helper_on_the_servers_event_loop(
    client: TestClient, target_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    _get_ok(client, "/async")
    loops: list[asyncio.AbstractEventLoop | None] = []

    async def fake_async_io() -> str:
        loops.append(asyncio.get_running_loop())
        return "fake async"

    monkeypatch.setattr(target_module, "async_io", fake_async_io)
    first = _get_ok(client, "/async")
    second = _get_ok(client, "/async")
    assert first.get("result") == second.get("result") == "fake async", (
        f"GET /async should await the module's async_io() at request time and answer its result, got {first}"
    )
    assert len(loops) == 2 and loops[0] is loops[1], (
        "GET /async should await async_io() on the server's own event loop (one loop for every request), "
        "not start a new loop per request (asyncio.run inside an endpoint)"
    )


def test_gather_keeps_both_awaits_in_flight_together(
    client: TestClient, target_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    _get_ok(client, "/gather")
    state: dict[str, Any] = {"calls": 0, "second_started": None}

    async def fake_async_io() -> str:
        state["calls"] += 1
        if state["calls"] == 1:
            state["second_started"] = asyncio.Event()
            try:
                await asyncio.wait_for(state["second_started"].wait(), BOUND)
            except TimeoutError:
                return "first alone"
            return "first"
        if state["second_started"] is not None:
            state["second_started"].set()
        return "second"

    monkeypatch.setattr(target_module, "async_io", fake_async_io)
    body = _get_ok(client, "/gather")
    results = body.get("results")
    assert isinstance(results, list) and sorted(results) == ["first", "second"], (
        "GET /gather should start both async_io() calls before waiting for either (asyncio.gather or a task "
        f"group); awaiting them one after the other left the first call alone for {BOUND} s. Got {body}"
    )
    assert results == ["first", "second"], (
        "GET /gather should list the results in call order, the first call's result first, even when the "
        f"second call finishes first; got {results}"
    )


def test_no_blocking_call_runs_on_the_event_loop(
    load_target: Callable[[], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_sleep = time.sleep
    on_loop: list[float] = []

    def recording_sleep(seconds: float) -> None:
        if _on_event_loop():
            on_loop.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", recording_sleep)  # before loading, so `from time import sleep` sees it too
    module = load_target()
    with TestClient(module.app) as client:
        for path in ("/sync", "/async", "/offload", "/gather"):
            r = client.get(path)
            assert r.status_code == 200, f"GET {path} should answer 200, got {r.status_code}: {r.text}"
            assert not on_loop, (
                f"GET {path} called time.sleep (directly or through blocking_io()) on the event-loop thread: "
                "inside async def, await asyncio.sleep / async helpers, and hand blocking calls to a thread"
            )


@pytest.mark.anyio
async def test_concurrent_async_requests_overlap(target_module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    arrived = 0
    both_here: asyncio.Event | None = None

    async def fake_async_io() -> str:
        nonlocal arrived, both_here
        arrived += 1
        if both_here is None:
            both_here = asyncio.Event()
        if arrived == 2:
            both_here.set()
        try:
            await asyncio.wait_for(both_here.wait(), BOUND)
        except TimeoutError:
            return "alone"
        return "together"

    monkeypatch.setattr(target_module, "async_io", fake_async_io)
    transport = httpx.ASGITransport(app=target_module.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
        first, second = await asyncio.gather(ac.get("/async"), ac.get("/async"))
    for r in (first, second):
        assert r.status_code == 200, f"GET /async should answer 200, got {r.status_code}: {r.text}"
    results = [first.json().get("result"), second.json().get("result")]
    assert results == ["together", "together"], (
        "two GET /async requests sent at the same time should both be waiting in async_io() at once "
        f"(the endpoint must await, not block); got results {results}"
    )


@pytest.fixture
def anyio_backend() -> str:
    """The server side of these tests is asyncio (what uvicorn runs by default)."""
    return "asyncio"
