"""A second answer to q26, written blind from the contract in exercises/q26_lifespan.py."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Annotated, Any, TypedDict

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request

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


class Resources(TypedDict):
    """The lifespan state: Starlette copies it into every request's ``request.state``."""

    pool: ConnectionPool
    cache: Cache


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[Resources]:
    # The exit stack registers each close() right after its open() succeeded, so a failure half-way through
    # start-up still closes what was opened, and shutdown closes everything in reverse order (cache, then pool).
    async with AsyncExitStack() as stack:
        pool = await ConnectionPool.open()
        stack.push_async_callback(pool.close)
        cache = await Cache.open()
        stack.push_async_callback(cache.close)
        yield {"pool": pool, "cache": cache}


def get_pool(request: Request) -> ConnectionPool:
    return request.state.pool


def get_cache(request: Request) -> Cache:
    return request.state.cache


router = APIRouter()


@router.get("/users/{user_id}")
async def read_user(
    user_id: int,
    pool: Annotated[ConnectionPool, Depends(get_pool)],
    cache: Annotated[Cache, Depends(get_cache)],
) -> dict[str, Any]:
    key = f"user:{user_id}"
    cached = cache.get(key)
    if cached is not None:
        return {**cached, "source": "cache"}
    user = await pool.fetch_user(user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    cache.set(key, user)
    return {**user, "source": "db"}


app = FastAPI(lifespan=lifespan)
app.include_router(router)
