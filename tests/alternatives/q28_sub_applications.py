"""Q28 · Sub-applications (advanced)

Question: how do you combine several FastAPI applications into one, and what stays separate between them?

``app.mount("/subapi", subapi)`` hands every request whose path starts with ``/subapi`` to another, fully
independent application. The mounted app sees paths relative to its mount point (with ``root_path`` set to
``/subapi``), keeps its own routes, exception handlers, docs and OpenAPI schema, and the parent's schema does
not list its routes. One thing does not happen by itself: the parent does not run a mounted app's lifespan.

Contract (the hidden tests check exactly this):

- Names: ``app`` (the main application, ``title="Main API"``), ``subapi`` (``title="Sub API"``), and the list
  ``events`` (given).
- ``GET /app`` → 200 ``{"message": "Hello World from main app"}``.
- ``subapi`` is mounted at ``/subapi``: ``GET /subapi/sub`` → 200 ``{"message": "Hello World from sub API"}``.
  The sub API's routes are not reachable outside the mount (``GET /sub`` → 404) and the main routes are not
  reachable inside it (``GET /subapi/app`` → 404).
- ``GET /subapi/info`` → 200 ``{"root_path": <the request's root_path>, "sub_url": <request.url_for of the
  /sub route>}``, i.e. ``{"root_path": "/subapi", "sub_url": "http://testserver/subapi/sub"}`` under the
  default TestClient; with ``TestClient(app, base_url="http://api.example.com")`` the URL starts with that host.
- Errors stay separate: the sub API answers every HTTP error with its own body ``{"error": <detail>}``, the
  404 of an unknown path under the mount included (``GET /subapi/nope`` → 404 ``{"error": "Not Found"}``),
  while the main app keeps FastAPI's default (``GET /nope`` → 404 ``{"detail": "Not Found"}``).
- Docs and schemas stay separate: ``/openapi.json`` has the title ``"Main API"`` and lists ``/app`` but no sub
  API route (no path containing ``sub`` or ``info``); ``/subapi/openapi.json`` has the title ``"Sub API"``,
  lists exactly ``/sub`` and ``/info`` (paths relative to the mount) and has
  ``"servers": [{"url": "/subapi"}]``. ``/docs`` and ``/subapi/docs`` both answer 200 HTML; the main page loads
  ``/openapi.json`` and the sub page loads ``/subapi/openapi.json``.
- Both apps have start-up and shutdown work that records itself in ``events``: the main app appends
  ``"main startup"`` and ``"main shutdown"``, the sub API ``"subapi startup"`` and ``"subapi shutdown"``.
  Nothing is recorded at import. Once ``with TestClient(app)`` has started, ``events`` is
  ``["main startup", "subapi startup"]``; after it exits, the full list is
  ``["main startup", "subapi startup", "subapi shutdown", "main shutdown"]``.

Run it: ``uvicorn q28_sub_applications:app --reload`` then open http://127.0.0.1:8000/docs and
http://127.0.0.1:8000/subapi/docs
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

events: list[str] = []


@asynccontextmanager
async def subapi_lifespan(_app: FastAPI) -> AsyncIterator[None]:
    events.append("subapi startup")
    try:
        yield
    finally:
        events.append("subapi shutdown")


@asynccontextmanager
async def main_lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # The parent never sends lifespan events to a mounted app, so the main lifespan runs the sub API's own
    # lifespan context inside itself: sub start-up after the main one, sub shutdown before the main one.
    events.append("main startup")
    try:
        async with subapi.router.lifespan_context(subapi):
            yield
    finally:
        events.append("main shutdown")


app = FastAPI(title="Main API", lifespan=main_lifespan)
subapi = FastAPI(title="Sub API", lifespan=subapi_lifespan)


@app.get("/app")
async def read_main() -> dict[str, str]:
    return {"message": "Hello World from main app"}


sub_router = APIRouter()


@sub_router.get("/sub", name="sub")
async def read_sub() -> dict[str, str]:
    return {"message": "Hello World from sub API"}


@sub_router.get("/info")
async def read_info(request: Request) -> dict[str, Any]:
    return {"root_path": request.scope.get("root_path", ""), "sub_url": str(request.url_for("sub"))}


subapi.include_router(sub_router)


@subapi.exception_handler(StarletteHTTPException)
async def subapi_http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    # Registered on the Starlette base class, so it also catches the router's own 404/405 for unknown paths.
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


app.mount("/subapi", subapi)
