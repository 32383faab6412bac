"""Q21 · Rate limiting (advanced)

Question: how do you stop one client from calling an endpoint too often in FastAPI?

``GET /limited`` may be called at most 5 times per minute by each client. Use slowapi (installed) or write
the limiter yourself: the tests check only the behaviour below.

Contract (the hidden tests check exactly this):

- ``GET /limited`` answers 200 with ``{"message": "Success"}`` for the first 5 requests of a client in a
  60-second window. The 6th request, and every later one in the same window, answers 429.
- A 429 carries a ``Retry-After`` header: the whole number of seconds until the window frees up, an
  integer from 1 to 61 (slowapi's rounding can give 61). The 429 body is not checked.
- The client key: the value of the ``X-Client-ID`` request header when the request has one, otherwise the
  client's host (``request.client.host``). Each key has its own count: a client that hit the limit does not
  block any other key, and two hosts sending the same ``X-Client-ID`` share one count.
- ``GET /health`` answers 200 with ``{"status": "ok"}``; it is never limited and does not count towards
  the limit of ``/limited``.
- ``reset_limits()``: a module-level function, called without arguments, that forgets every count so that
  every client may call ``/limited`` 5 more times. The tests call it instead of waiting a minute; they
  never wait for the window to pass. Every fresh import of the module starts with no counts.

Run it: ``uvicorn q21_rate_limiting:app --reload`` then call
``curl -i http://127.0.0.1:8000/limited`` six times.
"""

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
