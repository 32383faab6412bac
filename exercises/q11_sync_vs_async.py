"""Q11 · Sync and async endpoints (intermediate)

Question: what is the difference between a ``def`` endpoint and an ``async def`` endpoint in FastAPI, and
what goes wrong when blocking code runs inside ``async def``?

The module gives two helpers that stand in for real I/O: ``blocking_io()`` blocks the thread that calls it
(like ``time.sleep``, ``requests.get`` or a synchronous database driver) and ``async_io()`` is a coroutine that
waits without blocking (like ``httpx.AsyncClient`` or an async driver). Serve them so that no request ever
stalls the event loop, and so that independent awaits overlap.

Contract (the hidden tests check exactly this):

- [q11.1] Names the tests use: ``app``, ``blocking_io``, ``async_io``. Endpoints must look both helpers up as module
  attributes at request time (a plain call ``blocking_io()`` / ``await async_io()`` does that): the tests replace
  them with fakes whose answers they may hold back, a few seconds at most.
- [q11.2] ``GET /sync``: a plain ``def`` endpoint that calls ``blocking_io()`` and answers
  ``{"mode": "sync", "result": <its return value>}``.
- [q11.3] ``GET /async``: an ``async def`` endpoint that awaits ``async_io()`` and answers
  ``{"mode": "async", "result": <its return value>}``. It runs on the server's event loop: ``async_io()`` is awaited
  there, never on a loop of its own (while one request's ``async_io()`` holds that loop, no other request reaches
  ``async_io()``).
- [q11.4] ``GET /offload``: an ``async def`` endpoint that must call the *blocking* helper ``blocking_io()`` and answers
  ``{"mode": "offload", "result": <its return value>}``, without blocking the event loop while it runs.
- [q11.5] ``GET /gather``: an ``async def`` endpoint that awaits ``async_io()`` twice, both calls in flight at the same
  time, and answers ``{"mode": "gather", "results": [<first result>, <second result>]}``.
- [q11.6] Each endpoint is declared as listed above: a plain ``def`` for ``/sync``, ``async def`` for ``/async``,
  ``/offload`` and ``/gather``, each function under its route decorator (``@app.get(...)``, or an ``APIRouter``'s
  ``.get``). The tests read these declarations in the source (parsed, never run).
- [q11.7] Never block the event loop: ``blocking_io()`` and ``time.sleep`` must not run on the event-loop thread. The
  tests replace the module's ``time.sleep`` (the given ``blocking_io()`` sleeps with it: keep that) and
  ``blocking_io()`` with fakes that hold on, and check that the app answers other requests meanwhile: ``GET /async``
  while ``/sync`` or ``/offload`` is stuck in ``blocking_io()``, and any request while any endpoint sleeps.

Run it: ``fastlings serve 11`` then open http://127.0.0.1:8000/docs
"""

import asyncio
import time
from typing import Any

from fastapi import FastAPI

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

# TODO: GET /sync, a plain def endpoint calling blocking_io().

# TODO: GET /async, an async def endpoint awaiting async_io().

# TODO: GET /offload, an async def endpoint that calls blocking_io() without blocking the event loop.

# TODO: GET /gather, an async def endpoint awaiting two async_io() calls at the same time.
