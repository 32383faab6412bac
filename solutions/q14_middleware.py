"""Q14 · Middleware (intermediate)

Question: how do you run code around every request in FastAPI, for example to time each request and to
tag it with a request id?

The routes below are given. Add HTTP middleware to ``app`` so that every response carries two headers,
whatever route answered and however it answered.

Contract (the hidden tests check exactly this):

- [q14.1] Every response carries ``X-Process-Time``: the seconds spent handling the request, written as a plain
  float (``float(value) >= 0``, for example ``0.00042``; no unit, not milliseconds). That includes 200s,
  404s for unknown paths, ``HTTPException`` responses and 422 validation errors. The one exception is the 500 of
  an exception nothing handles: Starlette's ``ServerErrorMiddleware`` sends it from outside every middleware you
  add, so no test expects either header on it.
- [q14.2] Measure with ``time.perf_counter()`` through the module's own ``import time``: read it once before the
  request is handled and once after. The tests replace the module attribute ``time`` with a fake clock
  and add a route of their own to ``app`` that advances it, so the header must equal the time that passed
  while the handler ran.
- [q14.3] Every response (the same ones as above) carries ``X-Request-ID``. When the request sends an
  ``X-Request-ID`` header, the response echoes that exact value. When it does not, the middleware generates one
  (for example ``uuid.uuid4().hex``): a non-empty string, different for every request.
- [q14.4] The middleware stores the request's id (echoed or generated) in ``request.state.request_id`` before the
  route runs; ``GET /request-id`` (given) answers ``{"request_id": <that id>}``, the same value as the
  response's ``X-Request-ID`` header.
- [q14.5] Given routes: ``GET /items/{item_id}`` answers ``{"item_id": 1, "name": "apple"}`` for a known id and
  404 ``{"detail": "Item not found"}`` (an ``HTTPException``) otherwise; a non-integer id gives 422.

Run it: ``fastlings serve 14`` then ``curl -i http://127.0.0.1:8000/items/1``
"""

import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, HTTPException, Request, Response

REQUEST_ID_HEADER = "X-Request-ID"

app = FastAPI()

ITEMS = {1: "apple", 2: "banana"}


@app.middleware("http")
async def add_request_id_and_process_time(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    request_id = request.headers.get(REQUEST_ID_HEADER) or uuid.uuid4().hex
    request.state.request_id = request_id
    start = time.perf_counter()
    response = await call_next(request)
    response.headers["X-Process-Time"] = str(time.perf_counter() - start)
    response.headers[REQUEST_ID_HEADER] = request_id
    return response


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int | str]:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail="Item not found")
    return {"item_id": item_id, "name": ITEMS[item_id]}


@app.get("/request-id")
async def read_request_id(request: Request) -> dict[str, str | None]:
    return {"request_id": getattr(request.state, "request_id", None)}
