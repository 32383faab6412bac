"""Q02 · A basic application (basic)

Question: how do you create the smallest useful FastAPI application?

Write a module that creates a FastAPI application named ``app`` and serves two routes.

Contract (the hidden tests check exactly this):

- [q02.1] ``GET /`` answers 200 with the JSON object ``{"Hello": "World"}`` and a ``content-type`` of
  ``application/json``.
- [q02.2] ``GET /health`` answers 200 with ``{"status": "ok"}``.
- [q02.3] Both routes answer only GET: any other method, HEAD and OPTIONS included (``POST /``, ``HEAD /health``,
  ``DELETE /health``, ...), gets 405.
- [q02.4] Any other path answers 404 (``/nothing-here``, ``/healthz``, ``/HEALTH``: paths are case-sensitive).
  A trailing slash is the one exception: ``/health/`` may either redirect to ``/health`` (FastAPI's default,
  a 307) or answer 404; it must not be served as a route of its own.

Run it: ``uvicorn q02_basic_app:app --reload`` then open http://127.0.0.1:8000/docs
"""

from fastapi import FastAPI

app = FastAPI()

# TODO: serve GET / with {"Hello": "World"}.

# TODO: serve GET /health with {"status": "ok"}.
