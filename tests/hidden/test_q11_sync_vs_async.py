"""Hidden tests for q11: sync and async endpoints.

Blocking is detected with events, never with timings: a fake ``blocking_io`` waits on a gate that only a request
served by the event loop can open. Every wait is bounded (``BOUND`` seconds), so a wrong implementation fails
after the bound instead of hanging, and a correct one passes without waiting. The fakes, and the threads and
gathers that drive them, run beside the module in its host (helpers ``q11.*``), which reports what happened.
"""

import json
from typing import Any

import httpx
import pytest

from grader.bridge import AppHost

BOUND = 3.0  # seconds: the longest any event wait in these tests may take


def _get_ok(client: httpx.Client, path: str) -> dict[str, Any]:
    r = client.get(path)
    assert r.status_code == 200, f"GET {path} should answer 200, got {r.status_code}: {r.text}"
    return r.json()


def _result(observed: dict[str, Any]) -> Any:
    """The ``result`` field of a response a helper observed (``{"status", "text"}``), None when there is none."""
    try:
        body = json.loads(observed["text"])
    except ValueError:
        return None
    return body.get("result") if isinstance(body, dict) else None


@pytest.mark.contract("q11.2")
def test_sync_answers_the_blocking_result(client: httpx.Client) -> None:
    body = _get_ok(client, "/sync")
    assert body == {"mode": "sync", "result": "blocking done"}, (
        f'GET /sync should answer {{"mode": "sync", "result": <what blocking_io() returned>}}, got {body}'
    )


@pytest.mark.contract("q11.3")
def test_async_answers_the_awaited_result(client: httpx.Client) -> None:
    body = _get_ok(client, "/async")
    assert body == {"mode": "async", "result": "async done"}, (
        f'GET /async should answer {{"mode": "async", "result": <what async_io() returned>}}, got {body}'
    )


@pytest.mark.contract("q11.4")
def test_offload_answers_the_blocking_result(client: httpx.Client) -> None:
    body = _get_ok(client, "/offload")
    assert body == {"mode": "offload", "result": "blocking done"}, (
        f'GET /offload should answer {{"mode": "offload", "result": <what blocking_io() returned>}}, got {body}'
    )


@pytest.mark.contract("q11.5")
def test_gather_answers_both_results(client: httpx.Client) -> None:
    body = _get_ok(client, "/gather")
    assert body == {"mode": "gather", "results": ["async done", "async done"]}, (
        f'GET /gather should answer {{"mode": "gather", "results": [<first>, <second>]}}, got {body}'
    )


@pytest.mark.contract("q11.6")
def test_endpoint_kinds_match_the_contract(client: httpx.Client, host: AppHost) -> None:
    _get_ok(client, "/sync")
    paths = ("/sync", "/async", "/offload", "/gather")
    kinds = {}
    for path in paths:
        endpoint = host.endpoint(path, "GET")
        if not endpoint.found:
            pytest.fail(f"the app has no GET {path} route", pytrace=False)
        kinds[path] = endpoint.is_async
    expected = {"/sync": False, "/async": True, "/offload": True, "/gather": True}
    assert kinds == expected, (
        "GET /sync should be a plain def endpoint and /async, /offload, /gather async def endpoints "
        f"(True = async def): expected {expected}, got {kinds}"
    )


@pytest.mark.parametrize("path", ["/sync", "/offload"])
@pytest.mark.contract("q11.1", "q11.2", "q11.4", "q11.7")
def test_blocking_helper_runs_off_the_event_loop(client: httpx.Client, host: AppHost, path: str) -> None:
    _get_ok(client, path)
    host.helper("q11.record_blocking_io")
    body = _get_ok(client, path)
    seen = host.helper("q11.blocking_io_calls")
    assert body.get("result") == "fake blocking", (
        f"GET {path} should call the module's blocking_io() at request time and answer its result, got {body}"
    )
    assert seen == [False], (
        f"GET {path} ran blocking_io() on the event-loop thread: blocking code must run in a worker thread "
        "(a plain def endpoint, or run_in_threadpool / asyncio.to_thread inside async def)"
    )


@pytest.mark.parametrize("path", ["/sync", "/offload"])
@pytest.mark.contract("q11.4", "q11.7")
def test_async_is_served_while_blocking_work_waits(client: httpx.Client, host: AppHost, path: str) -> None:
    _get_ok(client, path)
    _get_ok(client, "/async")
    # In the host: GET path in a thread, stuck in a fake blocking_io() until a fake async_io() opens its gate.
    outcome = host.helper("q11.async_while_blocked", path=path, bound=BOUND)
    assert outcome["entered"], f"GET {path} never called the module's blocking_io()"
    assert outcome["finished"], f"GET {path} did not finish"
    assert outcome["error"] is None, f"GET {path} raised {outcome['error']}"
    r = outcome["async"]
    assert r["status"] == 200, f"GET /async should answer 200, got {r['status']}: {r['text']}"
    blocked = outcome["blocked"]
    assert blocked["status"] == 200, f"GET {path} should answer 200, got {blocked['status']}: {blocked['text']}"
    assert _result(blocked) == "released", (
        f"while GET {path} was inside blocking_io(), GET /async could not be served for {BOUND} s: "
        "the blocking call ran on the event loop and froze every other request"
    )


@pytest.mark.contract("q11.1", "q11.3")
def test_async_awaits_its_helper_on_the_servers_event_loop(client: httpx.Client, host: AppHost) -> None:
    _get_ok(client, "/async")
    host.helper("q11.record_async_loops")
    first = _get_ok(client, "/async")
    second = _get_ok(client, "/async")
    loops = host.helper("q11.async_loops")  # the event loop of each call, numbered in order of appearance
    assert first.get("result") == second.get("result") == "fake async", (
        f"GET /async should await the module's async_io() at request time and answer its result, got {first}"
    )
    assert len(loops) == 2 and loops[0] == loops[1], (
        "GET /async should await async_io() on the server's own event loop (one loop for every request), "
        "not start a new loop per request (asyncio.run inside an endpoint)"
    )


@pytest.mark.contract("q11.1", "q11.5")
def test_gather_keeps_both_awaits_in_flight_together(client: httpx.Client, host: AppHost) -> None:
    _get_ok(client, "/gather")
    # The first async_io() call waits (at most BOUND s) for the second to start: "first", else "first alone".
    host.helper("q11.install_gather_probe", bound=BOUND)
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


@pytest.mark.contract("q11.7")
def test_no_blocking_call_runs_on_the_event_loop(host: AppHost) -> None:
    # time.sleep is replaced in the host before a fresh load, so `from time import sleep` sees the recorder too.
    host.helper("q11.record_sleep_on_loop")
    try:
        host.load()
        with host.client() as client:
            for path in ("/sync", "/async", "/offload", "/gather"):
                r = client.get(path)
                assert r.status_code == 200, f"GET {path} should answer 200, got {r.status_code}: {r.text}"
                on_loop = host.helper("q11.sleeps_on_loop")
                assert not on_loop, (
                    f"GET {path} called time.sleep (directly or through blocking_io()) on the event-loop thread: "
                    "inside async def, await asyncio.sleep / async helpers, and hand blocking calls to a thread"
                )
    finally:
        host.helper("q11.stop_recording_sleep")


@pytest.mark.contract("q11.1", "q11.3", "q11.7")
def test_concurrent_async_requests_overlap(host: AppHost) -> None:
    # In the host: two GET /async at once over httpx.ASGITransport; each fake async_io() call waits (at most
    # BOUND s) for the other to arrive and answers "together", or "alone" when it never came.
    responses = host.helper("q11.concurrent_async", bound=BOUND)
    for r in responses:
        assert r["status"] == 200, f"GET /async should answer 200, got {r['status']}: {r['text']}"
    results = [_result(r) for r in responses]
    assert results == ["together", "together"], (
        "two GET /async requests sent at the same time should both be waiting in async_io() at once "
        f"(the endpoint must await, not block); got results {results}"
    )
