"""A second answer to q14, written blind from the contract in exercises/q14_middleware.py."""

import time
import uuid

from fastapi import FastAPI, HTTPException, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"

app = FastAPI()

ITEMS = {1: "apple", 2: "banana"}


class RequestContextMiddleware:
    """Pure ASGI middleware: tags each HTTP request with an id and times its handling.

    Headers are added to the ``http.response.start`` message, so they land on every response the
    wrapped app sends: route answers, HTTPExceptions, validation errors and the router's own 404/405.
    """

    def __init__(self, app: ASGIApp, header_name: str = REQUEST_ID_HEADER) -> None:
        self.app = app
        self.header_name = header_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        incoming = Headers(scope=scope).get(self.header_name)
        request_id = incoming if incoming else uuid.uuid4().hex
        # request.state is backed by scope["state"]; give this request its own copy before writing.
        scope["state"] = {**scope.get("state", {}), "request_id": request_id}

        started = time.perf_counter()  # module attribute looked up now: tests swap `time` for a fake clock

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed = time.perf_counter() - started
                headers = MutableHeaders(scope=message)
                headers["X-Process-Time"] = str(elapsed)
                headers[self.header_name] = request_id
            await send(message)

        await self.app(scope, receive, send_with_headers)


app.add_middleware(RequestContextMiddleware)


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int | str]:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail="Item not found")
    return {"item_id": item_id, "name": ITEMS[item_id]}


@app.get("/request-id")
async def read_request_id(request: Request) -> dict[str, str | None]:
    return {"request_id": getattr(request.state, "request_id", None)}
