"""Q26 · Lifespan events (advanced)

Question: how do you run code when a FastAPI application starts and when it stops, and why is ``lifespan``
the way to do it?

A ``lifespan`` is an async context manager given to ``FastAPI(lifespan=...)``: the code before its ``yield``
runs once at start-up (before the first request), the code after it runs once at shutdown. It is the place to
open long-lived resources (connection pools, caches, HTTP clients), share them with every request, and close
them again. The old ``@app.on_event("startup")`` hooks are deprecated.

Build an app that opens two resources at start-up, a connection pool and then a cache, uses both from a route,
and closes them at shutdown in the reverse order: the cache first, then the pool it sits in front of.

Contract (the hidden tests check exactly this):

- [q26.1] Given (do not change): the list ``events``, the demo data ``USERS`` and the classes ``ConnectionPool`` and
  ``Cache``. Create the resources ONLY with ``await ConnectionPool.open()`` and ``await Cache.open()`` and
  release them with their ``close()`` methods: these append ``"pool opened"``, ``"cache opened"``,
  ``"cache closed"`` and ``"pool closed"`` to ``events``, which is how the tests watch start-up and shutdown.
  A closed resource refuses to work. The tests read your source for calls of ``ConnectionPool(...)`` or
  ``Cache(...)`` outside the given classes: there must be none.
- [q26.2] ``app`` is created with a lifespan, ``app = FastAPI(lifespan=...)``, and none of the deprecated event
  hooks (``on_event``, ``add_event_handler``, ``on_startup=`` / ``on_shutdown=``), which emit a
  ``DeprecationWarning``, appears in the module. The tests read this declaration in the source (parsed, never
  run); that the lifespan does its work is what the bullets below check.
- [q26.3] Nothing is opened at import time: ``events`` stays empty until the app starts (the tests enter
  ``with TestClient(app)``). At start-up, before the first request, ``events`` becomes
  ``["pool opened", "cache opened"]``; nothing is closed while the app runs, whatever the requests do.
- [q26.4] One pool and one cache serve every request of a run (no resource per request: the tests count every
  ``ConnectionPool`` and ``Cache`` built). Keep them on ``app.state`` or reach them through a dependency (lifespan
  state included): your choice.
- [q26.5] At shutdown ``events`` ends with ``"cache closed"`` then ``"pool closed"``: a full run gives exactly
  ``["pool opened", "cache opened", "cache closed", "pool closed"]``.
- [q26.6] The same ``app`` can be started again after a shutdown (the tests enter a second ``TestClient(app)``): it
  opens a fresh pool and a fresh cache, so the second run works and starts with an empty cache.
- [q26.7] If start-up fails half-way, what was already opened is closed: the tests replace ``Cache.open`` with a
  function that raises ``RuntimeError``; entering ``TestClient(app)`` must then raise that ``RuntimeError``
  (the app does not start), and ``events`` must read ``["pool opened", "pool closed"]``.
- [q26.8] ``GET /users/{user_id}`` (``user_id: int``) reads the user through the cache: the first time from the pool
  (``await pool.fetch_user(user_id)``), which answers ``{"id": 1, "name": "Ada"}`` for id 1 (see ``USERS``)
  and ``None`` for an unknown id; the found user is then stored in the cache (``cache.get(key)`` /
  ``cache.set(key, value)``, any key you like) and later requests for the same id are served from it. The
  response is the user plus where it came from: ``{"id": 1, "name": "Ada", "source": "db"}`` the first time,
  ``"source": "cache"`` afterwards.
  An unknown id → 404 ``{"detail": "User not found"}``.

Run it: ``fastlings serve 26`` then open http://127.0.0.1:8000/users/1 (twice) and stop the
server with Ctrl+C to see the shutdown
"""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status

# ---------------------------------------------------------------------------------------------------------------
# Given: two stand-ins for real resources (a database pool and a cache). Do not change them.
# ---------------------------------------------------------------------------------------------------------------

events: list[str] = []

USERS = {1: "Ada", 2: "Grace", 3: "Linus"}


class ConnectionPool:
    def __init__(self) -> None:
        self.closed = False

    @classmethod
    async def open(cls) -> "ConnectionPool":
        events.append("pool opened")
        return cls()

    async def fetch_user(self, user_id: int) -> dict[str, Any] | None:
        if self.closed:
            raise RuntimeError("the pool is closed")
        name = USERS.get(user_id)
        return None if name is None else {"id": user_id, "name": name}

    async def close(self) -> None:
        self.closed = True
        events.append("pool closed")


class Cache:
    def __init__(self) -> None:
        self.closed = False
        self._data: dict[str, Any] = {}

    @classmethod
    async def open(cls) -> "Cache":
        events.append("cache opened")
        return cls()

    def get(self, key: str) -> Any:
        if self.closed:
            raise RuntimeError("the cache is closed")
        return self._data.get(key)

    def set(self, key: str, value: Any) -> None:
        if self.closed:
            raise RuntimeError("the cache is closed")
        self._data[key] = value

    async def close(self) -> None:
        self.closed = True
        events.append("cache closed")


# ---------------------------------------------------------------------------------------------------------------
# The application.
# ---------------------------------------------------------------------------------------------------------------


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The exit stack closes whatever was opened, in reverse order, even if a later step fails.
    async with AsyncExitStack() as stack:
        pool = await ConnectionPool.open()
        stack.push_async_callback(pool.close)
        cache = await Cache.open()
        stack.push_async_callback(cache.close)
        app.state.pool, app.state.cache = pool, cache
        yield


app = FastAPI(lifespan=lifespan)


def get_pool(request: Request) -> ConnectionPool:
    return request.app.state.pool


def get_cache(request: Request) -> Cache:
    return request.app.state.cache


@app.get("/users/{user_id}")
async def read_user(
    user_id: int,
    pool: Annotated[ConnectionPool, Depends(get_pool)],
    cache: Annotated[Cache, Depends(get_cache)],
) -> dict[str, Any]:
    key = f"user:{user_id}"
    if (user := cache.get(key)) is not None:
        return {**user, "source": "cache"}
    user = await pool.fetch_user(user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="User not found")
    cache.set(key, user)
    return {**user, "source": "db"}
