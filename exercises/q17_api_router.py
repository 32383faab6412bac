"""Q17 · APIRouter (advanced)

Question: what is APIRouter for, and how do you split an API into routers that share a prefix, tags,
dependencies and documented responses?

Build a small versioned API out of three routers (items, users, admin) and serve all of them under
``/api/v1``. Nothing of the API is served outside that prefix (FastAPI's own pages are not part of it: see
[q17.6]).

Contract (the hidden tests check exactly this):

- [q17.1] Data (given in the stub, keep its values): ``ITEMS`` maps ids 1, 2, 3 to ``{"id": 1, "name": "Hammer"}``,
  ``{"id": 2, "name": "Screwdriver"}``, ``{"id": 3, "name": "Wrench"}``; ``USERS`` is
  ``[{"username": "ada"}, {"username": "linus"}]``. The tests see this data only through the API, so
  how it is held is free (``USERS`` as a tuple, or ``ITEMS`` keyed by the ids as strings, passes too).
- [q17.2] Items router (prefix ``/items``, tag ``items``):
  - ``GET /api/v1/items/`` answers 200 with the list of every item in ``ITEMS`` (any order).
  - ``GET /api/v1/items/{item_id}`` (an int) answers 200 with that item, or 404 with
    ``{"detail": "Item not found"}``.
  - Every operation of this router documents a 404 response with the description ``Item not found``
    in ``/openapi.json``.
- [q17.3] Users router (prefix ``/users``, tag ``users``): ``GET /api/v1/users/`` answers 200 with ``USERS``.
- [q17.4] Admin router (prefix ``/admin``, tag ``admin``), guarded as a whole by one router-level dependency that
  reads the ``X-Token`` request header:
  - A missing or wrong ``X-Token`` answers 403 with ``{"detail": "Invalid X-Token header"}`` on every admin
    route (missing is 403 too, not 422). The only accepted value is ``fake-super-secret-token``.
  - ``GET /api/v1/admin/stats`` answers 200 with ``{"items": <number of items>, "users": <number of users>}``.
  - ``DELETE /api/v1/admin/items/{item_id}`` answers 204 with an empty body and removes the item (later
    ``GET /api/v1/items/{item_id}`` answers 404), or 404 with ``{"detail": "Item not found"}``.
  - Every admin operation documents a 403 response with the description ``Invalid X-Token header``.
  - The items and users routes need no token.
- [q17.5] All three routers are included under the prefix ``/api/v1`` with the extra tag ``v1``: in
  ``/openapi.json`` each operation's tags are exactly ``v1`` plus its router's tag, each once (e.g. ``v1`` and
  ``items``; the order is not checked, but ``["v1", "items", "items"]`` is wrong: FastAPI does not merge a tag
  given at two levels).
- [q17.6] The same paths without ``/api/v1`` (``/items/``, ``/admin/stats``, ...) or under any other prefix
  (``/v1/items/``, ``/api/items/``, ``/api/v2/items/``) answer 404. FastAPI's own pages stay where FastAPI puts
  them: the tests read ``/openapi.json`` at the root; ``/docs`` and ``/redoc`` are your choice (not tested).

Run it: ``fastlings serve 17`` then open http://127.0.0.1:8000/docs
"""

from fastapi import APIRouter, FastAPI

ITEMS: dict[int, dict[str, int | str]] = {
    1: {"id": 1, "name": "Hammer"},
    2: {"id": 2, "name": "Screwdriver"},
    3: {"id": 3, "name": "Wrench"},
}
USERS: list[dict[str, str]] = [{"username": "ada"}, {"username": "linus"}]

ADMIN_TOKEN = "fake-super-secret-token"


async def verify_token() -> None:
    # TODO: read the X-Token header; refuse a missing or wrong token with 403 {"detail": "Invalid X-Token header"}.
    pass


# TODO: give the router its prefix, its tag and a documented 404 response; add GET / and GET /{item_id}.
items_router = APIRouter()

# TODO: give the router its prefix and tag; add GET /.
users_router = APIRouter()

# TODO: give the router its prefix, its tag, the verify_token dependency and a documented 403 response;
#       add GET /stats and DELETE /items/{item_id}.
admin_router = APIRouter()

app = FastAPI(title="Versioned API")

# TODO: include the three routers under /api/v1 with the extra tag "v1".
