"""Q02 · A basic application (basic)

Question: how do you create the smallest useful FastAPI application?

Write a module that creates a FastAPI application named ``app`` and serves two routes.

Contract (the hidden tests check exactly this):

- [q02.1] ``GET /`` answers 200 with the JSON object ``{"Hello": "World"}`` and a ``content-type`` whose media
  type is ``application/json``; a charset parameter is allowed (``application/json; charset=utf-8`` passes too).
- [q02.2] ``GET /health`` answers 200 with ``{"status": "ok"}``.
- [q02.3] Both routes answer only GET: any other method, HEAD and OPTIONS included (``POST /``, ``HEAD /health``,
  ``DELETE /health``, ``TRACE /``, ...), gets 405. A CORS preflight is no exception (an ``OPTIONS`` with
  ``Origin`` and ``Access-Control-Request-Method`` headers gets 405 too).
- [q02.4] Any other path answers 404, whatever the method (``GET /nothing-here``, ``POST /nothing-here``,
  ``/healthz``, ``/HEALTH``: paths are case-sensitive). A trailing slash is the one exception: ``/health/`` may
  either redirect to ``/health`` (FastAPI's default, a 307; any redirect status will do) or answer 404; it must
  not be served as a route of its own. The tests look at that first answer without following the redirect.

Run it: ``fastlings serve 2`` then open http://127.0.0.1:8000/docs
"""

from fastapi import FastAPI

app = FastAPI()

# TODO: serve GET / with {"Hello": "World"}.

# TODO: serve GET /health with {"status": "ok"}.
