"""Q11 · Sync and async endpoints (intermediate)

Question: what is the difference between a ``def`` endpoint and an ``async def`` endpoint in FastAPI, and
what goes wrong when blocking code runs inside ``async def``?

The module gives two helpers that stand in for real I/O: ``blocking_io()`` blocks the thread that calls it
(like ``time.sleep``, ``requests.get`` or a synchronous database driver) and ``async_io()`` is a coroutine that
waits without blocking (like ``httpx.AsyncClient`` or an async driver). Serve them so that no request ever
stalls the event loop, and so that independent awaits overlap.

Contract (the hidden tests check exactly this):

- Names the tests use: ``app``, ``blocking_io``, ``async_io``. Endpoints must look both helpers up as module
  attributes at request time (a plain call ``blocking_io()`` / ``await async_io()`` does that): the tests replace
  them with fakes that wait on events, with bounded waits of a few seconds.
- ``GET /sync``: a plain ``def`` endpoint that calls ``blocking_io()`` and answers
  ``{"mode": "sync", "result": <its return value>}``.
- ``GET /async``: an ``async def`` endpoint that awaits ``async_io()`` and answers
  ``{"mode": "async", "result": <its return value>}``. It runs on the server's event loop.
- ``GET /offload``: an ``async def`` endpoint that must call the *blocking* helper ``blocking_io()`` and answers
  ``{"mode": "offload", "result": <its return value>}``, without blocking the event loop while it runs.
- ``GET /gather``: an ``async def`` endpoint that awaits ``async_io()`` twice, both calls in flight at the same
  time, and answers ``{"mode": "gather", "results": [<first result>, <second result>]}``.
- The tests check which kind each endpoint is (plain ``def`` or ``async def``), as listed above.
- Never block the event loop: ``blocking_io()`` and ``time.sleep`` must not run on the event-loop thread. The tests
  check this directly, and check that ``GET /async`` is answered while ``/sync`` or ``/offload`` is still stuck in
  ``blocking_io()``.

Run it: ``uvicorn q11_sync_vs_async:app --reload`` then open http://127.0.0.1:8000/docs
"""

import asyncio
import time
from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, FastAPI

DELAY = 0.05  # seconds each helper takes


def blocking_io() -> str:
    """Blocks the calling thread for DELAY seconds."""
    time.sleep(DELAY)
    return "blocking done"


async def async_io() -> str:
    """Waits DELAY seconds while letting the event loop serve other requests."""
    await asyncio.sleep(DELAY)
    return "async done"


app = FastAPI(title="Sync and async endpoints")

router = APIRouter()


@router.get("/sync")
def sync_endpoint() -> dict[str, Any]:
    # A plain def endpoint: FastAPI runs it in its worker-thread pool, so blocking here is fine.
    return {"mode": "sync", "result": blocking_io()}


@router.get("/async")
async def async_endpoint() -> dict[str, Any]:
    # Runs on the event loop: only non-blocking awaits belong here.
    return {"mode": "async", "result": await async_io()}


@router.get("/offload")
async def offload_endpoint() -> dict[str, Any]:
    # The blocking helper is handed to a worker thread; the loop keeps serving other requests meanwhile.
    result = await anyio.to_thread.run_sync(_call_blocking_io)
    return {"mode": "offload", "result": result}


def _call_blocking_io() -> Any:
    # Looks the module attribute up at call time (the tests replace it).
    return blocking_io()


@router.get("/gather")
async def gather_endpoint() -> dict[str, Any]:
    # Two concurrent tasks in one task group: both awaits are in flight together; results keep their order.
    results: list[Any] = [None, None]

    async def run(slot: int) -> None:
        results[slot] = await async_io()

    async with anyio.create_task_group() as group:
        for slot in range(len(results)):
            group.start_soon(run, slot)
    return {"mode": "gather", "results": results}


app.include_router(router)
