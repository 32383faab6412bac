"""q11 (sync and async endpoints): fakes for ``blocking_io`` / ``async_io`` that observe where they run.

Blocking is detected with events, never with timings: every fake waits on an event some other request sets,
and every wait is bounded by the ``bound`` the judge passes (its ``BOUND``). The helpers report what happened;
the judge decides whether that is right.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
from fastapi.testclient import TestClient

from grader.host.helpers import helper

_REAL_SLEEP = time.sleep
_SLEEPS_ON_LOOP: list[float] = []  # process-wide: it must survive the reload that follows record_sleep_on_loop


def _on_event_loop() -> bool:
    """True when the calling thread is running an event loop (i.e. the code would block that loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _response(response: Any) -> dict[str, Any]:
    return {"status": response.status_code, "text": response.text}


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


@helper("q11.record_blocking_io")
def record_blocking_io(session: Any) -> None:
    """Replace ``blocking_io`` by a fake answering ``fake blocking`` that records whether it ran on the loop."""
    seen: list[bool] = session.state.setdefault("q11:blocking_on_loop", [])

    def fake_blocking_io() -> str:
        seen.append(_on_event_loop())
        return "fake blocking"

    session.module.blocking_io = fake_blocking_io


@helper("q11.blocking_io_calls")
def blocking_io_calls(session: Any) -> list[bool]:
    """For each call of the fake ``blocking_io``: whether it ran on an event-loop thread."""
    return list(session.state.get("q11:blocking_on_loop", []))


@helper("q11.async_while_blocked")
def async_while_blocked(session: Any, path: str, bound: float) -> dict[str, Any]:
    """``GET path`` in a thread, stuck in a fake ``blocking_io`` until ``GET /async`` opens its gate.

    Both requests go through one entered TestClient, hence one event loop (as a server has). Reports whether
    ``blocking_io`` was entered, the ``/async`` response (None when it was not sent), whether the blocked
    request finished, its response or the exception it raised. The blocked fake answers ``released`` when the
    gate opened within ``bound`` seconds, ``never released`` otherwise.
    """
    entered = threading.Event()
    gate = threading.Event()

    def fake_blocking_io() -> str:
        entered.set()
        return "released" if gate.wait(bound) else "never released"

    async def fake_async_io() -> str:
        gate.set()
        return "gate opened"

    session.module.blocking_io = fake_blocking_io
    session.module.async_io = fake_async_io
    outcome: dict[str, Any] = {}
    observed: dict[str, Any] = {"entered": False, "async": None}
    with TestClient(session.module.app) as client:

        def call_blocking_route() -> None:
            try:
                outcome["response"] = client.get(path)
            except BaseException as exc:  # reported to the judge, from the helper's own thread
                outcome["error"] = exc

        worker = threading.Thread(target=call_blocking_route, daemon=True)
        worker.start()
        try:
            observed["entered"] = entered.wait(bound)
            if observed["entered"]:
                observed["async"] = _response(client.get("/async"))
        finally:
            gate.set()
            worker.join(bound * 2)
        observed["finished"] = not worker.is_alive()
    observed["error"] = _error(outcome["error"]) if "error" in outcome else None
    observed["blocked"] = _response(outcome["response"]) if "response" in outcome else None
    return observed


@helper("q11.record_async_loops")
def record_async_loops(session: Any) -> None:
    """Replace ``async_io`` by a fake answering ``fake async`` that records the event loop it runs on."""
    loops: list[Any] = session.state.setdefault("q11:async_loops", [])  # kept alive: ids are never reused

    async def fake_async_io() -> str:
        loops.append(asyncio.get_running_loop())
        return "fake async"

    session.module.async_io = fake_async_io


@helper("q11.async_loops")
def async_loops(session: Any) -> list[int]:
    """For each call of the fake ``async_io``: the number of its event loop (0 for the first loop seen, ...)."""
    seen: list[Any] = []
    numbers: list[int] = []
    for loop in session.state.get("q11:async_loops", []):
        if not any(loop is known for known in seen):
            seen.append(loop)
        numbers.append(next(i for i, known in enumerate(seen) if known is loop))
    return numbers


@helper("q11.install_gather_probe")
def install_gather_probe(session: Any, bound: float) -> None:
    """Replace ``async_io`` by a fake whose first call waits (at most ``bound`` s) until a second call starts.

    The first call answers ``first`` when the second started while it waited, ``first alone`` otherwise; the
    second answers ``second`` at once.
    """
    state: dict[str, Any] = {"calls": 0, "second_started": None}

    async def fake_async_io() -> str:
        state["calls"] += 1
        if state["calls"] == 1:
            state["second_started"] = asyncio.Event()
            try:
                await asyncio.wait_for(state["second_started"].wait(), bound)
            except TimeoutError:
                return "first alone"
            return "first"
        if state["second_started"] is not None:
            state["second_started"].set()
        return "second"

    session.module.async_io = fake_async_io


def _recording_sleep(seconds: float) -> None:
    if _on_event_loop():
        _SLEEPS_ON_LOOP.append(seconds)
    _REAL_SLEEP(seconds)


@helper("q11.record_sleep_on_loop")
def record_sleep_on_loop(session: Any) -> None:
    """Replace ``time.sleep`` process-wide by a recorder of the calls made on an event-loop thread.

    Reload the module afterwards, so that a ``from time import sleep`` binds the recorder too.
    """
    _SLEEPS_ON_LOOP.clear()
    time.sleep = _recording_sleep


@helper("q11.sleeps_on_loop")
def sleeps_on_loop(session: Any) -> list[float]:
    """The seconds of every ``time.sleep`` call made on an event-loop thread since recording started."""
    return list(_SLEEPS_ON_LOOP)


@helper("q11.stop_recording_sleep")
def stop_recording_sleep(session: Any) -> None:
    """Put the real ``time.sleep`` back (it matters when the host runs in the judge's process, --in-process)."""
    time.sleep = _REAL_SLEEP


@helper("q11.concurrent_async")
def concurrent_async(session: Any, bound: float) -> list[dict[str, Any]]:
    """Two ``GET /async`` sent at once (asyncio.gather over httpx.ASGITransport), with a fake ``async_io``.

    The fake waits (at most ``bound`` s) until both calls have arrived: it answers ``together`` when they did,
    ``alone`` otherwise. Returns both responses, in the order they were sent.
    """
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
            await asyncio.wait_for(both_here.wait(), bound)
        except TimeoutError:
            return "alone"
        return "together"

    session.module.async_io = fake_async_io

    async def send_both() -> list[dict[str, Any]]:
        transport = httpx.ASGITransport(app=session.module.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
            first, second = await asyncio.gather(ac.get("/async"), ac.get("/async"))
        return [_response(first), _response(second)]

    return asyncio.run(send_both())
