"""Q28 · Sub-applications (advanced)

Question: how do you combine several FastAPI applications into one, and what stays separate between them?

``app.mount("/subapi", subapi)`` hands every request whose path starts with ``/subapi`` to another, fully
independent application. The mounted app sees paths relative to its mount point (with ``root_path`` set to
``/subapi``), keeps its own routes, exception handlers, docs and OpenAPI schema, and the parent's schema does
not list its routes. One thing does not happen by itself: the parent does not run a mounted app's lifespan.

Contract (the hidden tests check exactly this):

- [q28.1] Names: ``app`` (the main application, ``title="Main API"``), ``subapi`` (``title="Sub API"``), and the list
  ``events`` (given). Keep that one list object for the whole run: the start-up and shutdown work append to it and
  never rebind the name or empty the list, so a second run of the app (a second ``with TestClient(app)``) appends
  its four entries after the first run's four.
- [q28.2] ``GET /app`` → 200 ``{"message": "Hello World from main app"}``.
- [q28.3] ``subapi`` is mounted at ``/subapi``: ``GET /subapi/sub`` → 200 ``{"message": "Hello World from sub API"}``.
  The sub API's routes are not reachable outside the mount (``GET /sub`` → 404) and the main routes are not
  reachable inside it (``GET /subapi/app`` → 404).
- [q28.4] ``GET /subapi/info`` → 200 ``{"root_path": <the request's root_path>, "sub_url": <request.url_for of the
  /sub route>}``, i.e. ``{"root_path": "/subapi", "sub_url": "http://testserver/subapi/sub"}`` under the
  default TestClient; with ``TestClient(app, base_url="http://api.example.com")`` the URL starts with that host.
  Read both from the request, never write them out: behind a proxy that serves everything under ``/api``
  (``uvicorn --root-path /api``) the same route answers ``"/api/subapi"`` and ``http://.../api/subapi/sub``, and
  ``subapi`` served on its own (``TestClient(subapi)``, which the tests also do) answers
  ``{"root_path": "", "sub_url": "http://testserver/sub"}``.
- [q28.5] Errors stay separate: the sub API answers every HTTP error with its own body ``{"error": <detail>}``, the
  404 of an unknown path under the mount included (``GET /subapi/nope`` → 404 ``{"error": "Not Found"}``), and
  the 405 of any method its routes do not serve (``POST``, ``PUT``, ``DELETE``, ``OPTIONS``...), while the main app
  keeps FastAPI's default (``GET /nope`` → 404 ``{"detail": "Not Found"}``, ``POST /app`` → 405
  ``{"detail": "Method Not Allowed"}``), for every path outside the mount (``/subapix/sub`` is the main app's).
  An HTTP error here is an ``HTTPException`` (Starlette's or FastAPI's); a request validation error (422) is not
  one, and no sub API route takes a parameter that could give it.
- [q28.6] Docs and schemas stay separate: ``/openapi.json`` has the title ``"Main API"`` and lists ``/app`` but no sub
  API route (no path containing ``sub`` or ``info``); ``/subapi/openapi.json`` has the title ``"Sub API"``,
  lists exactly ``/sub`` and ``/info`` (paths relative to the mount) and has
  ``"servers": [{"url": "/subapi"}]``. ``/docs`` and ``/subapi/docs`` both answer 200 HTML; the main page loads
  ``/openapi.json`` and the sub page loads ``/subapi/openapi.json``.
- [q28.7] Both apps have start-up and shutdown work that records itself in ``events``: the main app appends
  ``"main startup"`` and ``"main shutdown"``, the sub API ``"subapi startup"`` and ``"subapi shutdown"``.
  Nothing is recorded at import. Once ``with TestClient(app)`` has started, ``events`` is
  ``["main startup", "subapi startup"]``; after it exits, the full list is
  ``["main startup", "subapi startup", "subapi shutdown", "main shutdown"]``.

Run it: ``fastlings serve 28`` then open http://127.0.0.1:8000/docs and
http://127.0.0.1:8000/subapi/docs
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

events: list[str] = []


@asynccontextmanager
async def subapi_lifespan(subapi: FastAPI) -> AsyncIterator[None]:
    events.append("subapi startup")
    yield
    events.append("subapi shutdown")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    events.append("main startup")
    # A mounted app's lifespan is not run by its parent: enter it here.
    async with subapi.router.lifespan_context(subapi):
        yield
    events.append("main shutdown")


app = FastAPI(title="Main API", lifespan=lifespan)
subapi = FastAPI(title="Sub API", lifespan=subapi_lifespan)


@app.get("/app")
def read_main() -> dict[str, str]:
    return {"message": "Hello World from main app"}


@subapi.get("/sub")
def read_sub() -> dict[str, str]:
    return {"message": "Hello World from sub API"}


@subapi.get("/info")
def read_info(request: Request) -> dict[str, str]:
    return {"root_path": request.scope["root_path"], "sub_url": str(request.url_for("read_sub"))}


# Registered for Starlette's HTTPException: it also catches FastAPI's subclass and the router's own 404.
@subapi.exception_handler(StarletteHTTPException)
async def sub_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


app.mount("/subapi", subapi)
