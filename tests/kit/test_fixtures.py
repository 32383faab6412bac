"""The helpers hidden tests share must not depend on how a candidate organised the app."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from grader.judge.fixtures import find_endpoint


async def ping() -> dict[str, str]:
    return {"ping": "pong"}


def test_find_endpoint_on_the_app() -> None:
    app = FastAPI()
    app.get("/ping")(ping)
    assert find_endpoint(app, "/ping") is ping
    assert find_endpoint(app, "/ping", "POST") is None
    assert find_endpoint(app, "/nope") is None


def test_find_endpoint_through_nested_routers() -> None:
    inner = APIRouter(prefix="/inner")
    inner.get("/ping")(ping)
    outer = APIRouter(prefix="/api")
    outer.include_router(inner)
    app = FastAPI()
    app.include_router(outer, prefix="/v1")
    assert find_endpoint(app, "/v1/api/inner/ping") is ping


def test_error_locs_reads_a_validation_body_and_tolerates_other_shapes() -> None:
    from grader.judge.fixtures import error_locs

    body = {"detail": [{"loc": ["body", "price"], "msg": "x"}, {"loc": ["query", "q"]}]}
    assert error_locs(body) == [["body", "price"], ["query", "q"]]
    assert error_locs({"detail": "Not Found"}) == []
    assert error_locs(["not", "a", "dict"]) == []
