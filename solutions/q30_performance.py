"""Q30 · Performance at scale: caching (advanced)

Question: how do you keep a FastAPI service fast under heavy load?

Run several Uvicorn workers, keep endpoints async, pool connections, optimise queries, and above all do not do
the same slow work twice: put a cache in front of the slow data source (cache-aside) and compress large
responses. Build the cache-aside part: one cache client created at start-up and shared by every request, an
in-memory backend by default and Redis when one is configured, entries that expire, and gzip for big replies.

Contract (the hidden tests check exactly this):

- [q30.1] Module names the tests use: ``app``, ``CACHE_TTL_SECONDS`` (60, given), ``fetch_from_db`` and ``clock``.
- [q30.2] ``async def fetch_from_db(key) -> dict | None`` is the slow data source (given). The tests replace it, as
  ``monkeypatch.setattr(module, "fetch_from_db", fake)`` would, by an ``async def`` with the same signature whose
  calls they count and whose answers they choose, so call it through the module-level name at request time and
  ``await`` it.
- [q30.3] ``clock() -> float`` returns the current time in seconds (given). The in-memory backend reads the time only by
  calling the module-level ``clock()`` at the moment it stores or looks up an entry; the tests replace it with
  ``monkeypatch.setattr(module, "clock", fake)``.
- [q30.4] ``GET /data/{key}`` answers 200 with the source's dict as the JSON body, and the header ``X-Cache: MISS`` when
  the value came from the source or ``X-Cache: HIT`` when it came from the cache.
  Cache-aside: look in the cache first; on a miss call ``fetch_from_db(key)`` exactly once and store the value;
  a hit does not call the source. Every dict is cached, an empty ``{}`` included.
  When the source returns ``None`` the route answers 404 ``{"detail": "Key not found"}`` and caches nothing
  (the next request asks the source again).
- [q30.5] Entries live ``CACHE_TTL_SECONDS``: with the in-memory backend an entry stored at ``clock() == t`` is a hit
  while ``clock() < t + CACHE_TTL_SECONDS`` and a miss after that (so the source is read again).
- [q30.6] The cache client is created at start-up, in the app's lifespan (not at import), stored at
  ``app.state.cache`` and shared by every request (the same object during the whole run): a value one request
  stores is a hit for the next. It is closed when the app shuts down. The tests check this by behaviour, never by
  looking at ``app.state``: when the same imported module is shut down and started again, the in-memory cache is
  a new, empty one (the first request is a miss again); with Redis, the requests of a run share one connection
  and no connection is left open after shutdown.
- [q30.7] Backend choice at start-up: if the environment variable ``REDIS_URL`` is set when the app starts (read it
  in the lifespan, not at import: the tests may set or remove it in between; e.g. ``redis://127.0.0.1:6379/0``,
  or with a user and password, ``redis://app:secret@127.0.0.1:6379/0``, as the tests give it), the cache is that
  Redis server (``redis.asyncio`` or the sync ``redis`` client, your choice); otherwise an in-memory cache.
  With Redis, the value of ``key`` is stored under the Redis key ``data:<key>`` as the JSON text of the dict,
  with a Redis expiry of ``CACHE_TTL_SECONDS`` (set with the key, e.g. ``SET ... EX``; the clock is not used).
  Any JSON spacing will do: the tests parse what you store, and the values they put there themselves are
  compact (``{"a":1}``) or spaced (``{"a": 1}``). The Redis key is read on every request: a value the tests put
  there is served as a hit, and once the key is gone the next request is a miss. All requests share one client,
  so they reuse its connection instead of opening new ones; at shutdown the client is closed and its
  connections to Redis go away.
- [q30.8] ``GET /items?limit=N`` (``0 <= N <= 10000``, default 100) answers a JSON list of ``N`` objects
  ``{"id": i, "name": "item <i>"}`` for ``i`` = 1..N: the large response.
- [q30.9] ``GZipMiddleware`` with ``minimum_size=1000``: a response body of 1000 bytes or more is sent with
  ``Content-Encoding: gzip`` to a client whose ``Accept-Encoding`` includes ``gzip``; smaller bodies, and any
  body for a client that does not accept gzip, are sent uncompressed.

Run it: ``fastlings serve 30`` (add ``REDIS_URL=redis://localhost:6379/0`` in front to use Redis)
then open http://127.0.0.1:8000/data/alpha twice and look at the X-Cache header
"""

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import redis.asyncio as redis
from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.middleware.gzip import GZipMiddleware

CACHE_TTL_SECONDS = 60

_DATABASE: dict[str, dict[str, Any]] = {
    "alpha": {"key": "alpha", "value": 1},
    "beta": {"key": "beta", "value": 2},
}


async def fetch_from_db(key: str) -> dict[str, Any] | None:
    """The slow data source: a database query in real life."""
    await asyncio.sleep(0.2)
    return _DATABASE.get(key)


def clock() -> float:
    return time.monotonic()


class MemoryCache:
    """The subset of the Redis client's interface the app uses, kept in a dict with expiry times from clock()."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, str]] = {}

    async def get(self, name: str) -> str | None:
        entry = self._entries.get(name)
        if entry is None:
            return None
        expires_at, value = entry
        if clock() >= expires_at:
            del self._entries[name]
            return None
        return value

    async def set(self, name: str, value: str, ex: int) -> None:
        self._entries[name] = (clock() + ex, value)

    async def aclose(self) -> None:
        self._entries.clear()


Cache = MemoryCache | redis.Redis


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = os.environ.get("REDIS_URL")
    app.state.cache = redis.from_url(url) if url else MemoryCache()
    try:
        yield
    finally:
        await app.state.cache.aclose()


app = FastAPI(title="Cache-aside", lifespan=lifespan)
app.add_middleware(GZipMiddleware, minimum_size=1000)


async def get_cached_data(key: str, cache: Cache) -> tuple[dict[str, Any] | None, bool]:
    """Cache-aside: the cached value and True on a hit; the source's value (now cached) and False on a miss."""
    cached = await cache.get(f"data:{key}")
    if cached is not None:
        return json.loads(cached), True
    data = await fetch_from_db(key)
    if data is not None:
        await cache.set(f"data:{key}", json.dumps(data), ex=CACHE_TTL_SECONDS)
    return data, False


@app.get("/data/{key}")
async def read_data(key: str, request: Request, response: Response) -> dict[str, Any]:
    data, hit = await get_cached_data(key, request.app.state.cache)
    if data is None:
        raise HTTPException(status_code=404, detail="Key not found")
    response.headers["X-Cache"] = "HIT" if hit else "MISS"
    return data


@app.get("/items")
async def list_items(limit: Annotated[int, Query(ge=0, le=10_000)] = 100) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"item {i}"} for i in range(1, limit + 1)]
