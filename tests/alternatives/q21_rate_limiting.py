"""A second answer to q21, written blind from the contract in exercises/q21_rate_limiting.py."""

import math
import threading
import time
from collections import deque
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status

CLIENT_ID_HEADER = "X-Client-ID"


class SlidingWindowLimiter:
    """A hand-written sliding-window-log limiter: at most ``limit`` calls per ``window`` seconds per key.

    Each key keeps the monotonic timestamps of its accepted calls in the current window. Refused calls are
    not recorded, so they do not push the window further away.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Record a call for ``key``; answer None if allowed, else the seconds until a slot frees up."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) < self.limit:
                hits.append(now)
                return None
            return hits[0] + self.window - now

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


limiter = SlidingWindowLimiter(limit=5, window=60.0)


def client_key(request: Request) -> str:
    """The X-Client-ID header when the request carries one, else the client's host."""
    client_id = request.headers.get(CLIENT_ID_HEADER)
    if client_id is not None:
        return client_id
    return request.client.host if request.client is not None else "unknown"


def enforce_rate_limit(key: Annotated[str, Depends(client_key)]) -> None:
    wait = limiter.hit(key)
    if wait is not None:
        retry_after = min(max(math.ceil(wait), 1), 60)
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail="Rate limit exceeded: 5 per 1 minute",
            headers={"Retry-After": str(retry_after)},
        )


def reset_limits() -> None:
    """Forget every client's count."""
    limiter.reset()


router = APIRouter()


@router.get("/limited", dependencies=[Depends(enforce_rate_limit)])
async def limited_endpoint(request: Request) -> dict[str, str]:
    return {"message": "Success"}


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


app = FastAPI()
app.include_router(router)
