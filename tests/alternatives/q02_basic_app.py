"""Q02 · A basic application (basic)

Question: how do you create the smallest useful FastAPI application?

Write a module that creates a FastAPI application named ``app`` and serves two routes.

Contract (the hidden tests check exactly this):

- ``GET /`` answers 200 with the JSON object ``{"Hello": "World"}`` and a ``content-type`` of
  ``application/json``.
- ``GET /health`` answers 200 with ``{"status": "ok"}``.
- Both routes answer only GET: any other method (``POST /``, ``DELETE /health``, ...) gets 405.
- Any other path answers 404.

Run it: ``uvicorn q02_basic_app:app --reload`` then open http://127.0.0.1:8000/docs
"""

from fastapi import FastAPI


def hello_world() -> dict[str, str]:
    return {"Hello": "World"}


def health() -> dict[str, str]:
    return {"status": "ok"}


app = FastAPI()
app.add_api_route("/", hello_world, methods=["GET"])
app.add_api_route("/health", health, methods=["GET"])
