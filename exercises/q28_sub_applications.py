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

from fastapi import FastAPI

events: list[str] = []

# TODO: a lifespan for each app, recording "main startup"/"main shutdown" and "subapi startup"/"subapi shutdown"
#       in events; make sure the sub API's start-up and shutdown really run when the main app starts and stops.
app = FastAPI(title="Main API")
subapi = FastAPI(title="Sub API")

# TODO: GET /app on the main app.

# TODO: GET /sub and GET /info on the sub API.

# TODO: the sub API's own error body {"error": <detail>} for every HTTP error, its 404s included.

# TODO: mount the sub API at /subapi.
