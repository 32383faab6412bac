"""A second answer to q28, written blind from the contract in exercises/q28_sub_applications.py."""

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
