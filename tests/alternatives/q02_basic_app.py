"""A second answer to q02, written blind from the contract in exercises/q02_basic_app.py.

It takes the other allowed readings of the contract: the root's content-type carries a charset parameter, and
``/health/`` answers 404 instead of redirecting (redirect_slashes=False).
"""

from fastapi import FastAPI
from fastapi.responses import JSONResponse


def hello_world() -> JSONResponse:
    return JSONResponse({"Hello": "World"}, media_type="application/json; charset=utf-8")


def health() -> dict[str, str]:
    return {"status": "ok"}


app = FastAPI(redirect_slashes=False)
app.add_api_route("/", hello_world, methods=["GET"])
app.add_api_route("/health", health, methods=["GET"])
