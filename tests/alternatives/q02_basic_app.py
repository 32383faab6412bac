"""A second answer to q02, written blind from the contract in exercises/q02_basic_app.py."""

from fastapi import FastAPI


def hello_world() -> dict[str, str]:
    return {"Hello": "World"}


def health() -> dict[str, str]:
    return {"status": "ok"}


app = FastAPI()
app.add_api_route("/", hello_world, methods=["GET"])
app.add_api_route("/health", health, methods=["GET"])
