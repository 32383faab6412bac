"""Q10 · Dependency injection (intermediate)

Question: how does FastAPI's dependency injection work, and what does it give you beyond calling a helper
function yourself? Show a function dependency, a class dependency, dependencies that depend on other
dependencies, a guard that protects every route, and how tests swap a dependency out.

Build a small user/item API whose routes receive everything they need through ``Depends``.

Contract (the hidden tests check exactly this):

- [q10.1] Names the tests use: ``app``, ``API_TOKEN``, ``common_parameters``, ``CommonQueryParams``, ``verify_token``,
  ``get_db``, and the given ``FakeSession`` and ``open_session``.
- [q10.2] Guard: every route of the app requires the header ``X-Token`` equal to ``API_TOKEN``. A missing or wrong
  token answers 401 with ``{"detail": "Invalid X-Token header"}``. The check lives in the dependency
  ``verify_token``, attached once at app level (or to every router), not repeated in each route. Tests replace it
  with ``app.dependency_overrides[verify_token]``, after which requests without the header go through.
- [q10.3] ``common_parameters(q: str | None = None, skip: int = 0, limit: int = 100)`` returns
  ``{"q": q, "skip": skip, "limit": limit}``. ``GET /items/`` answers exactly that dict, taken from query
  parameters of the same names (``GET /items/?q=foo&skip=5`` → ``{"q": "foo", "skip": 5, "limit": 100}``);
  a non-integer ``skip`` or ``limit`` answers 422.
- [q10.4] ``CommonQueryParams`` is a class with the same three ``__init__`` parameters stored as attributes ``q``,
  ``skip``, ``limit``. ``GET /users/`` receives an instance through ``Depends(CommonQueryParams)`` and answers
  ``{"q": ..., "skip": ..., "limit": ..., "users": [...]}`` where ``users`` lists usernames in the order of
  ``USERS``: only those containing ``q`` (when given), then ``skip`` of them skipped and at most ``limit`` kept.
  Tests override ``CommonQueryParams`` with a function returning an instance and expect the route to use it:
  either ``CommonQueryParams(q=..., skip=..., limit=...)``, or ``CommonQueryParams()`` whose attributes ``q``,
  ``skip``, ``limit`` the tests set afterwards (so the route reads those three attributes).
- [q10.5] Sub-dependencies: ``get_db()`` returns a session obtained by calling the module-level ``open_session()`` once.
  ``get_current_user`` depends on ``get_db`` and on the header ``X-User``: it looks the username up with the
  session's ``get_user`` (never in ``USERS`` directly) and answers 401 ``{"detail": "Unknown user"}`` when the
  header is missing or the user does not exist. An active-user dependency built on ``get_current_user`` answers
  403 ``{"detail": "Inactive user"}`` for a user whose ``disabled`` is true.
- [q10.6] ``GET /users/me`` (active user) answers ``{"username": ..., "full_name": ...}``.
- [q10.7] ``GET /users/me/items`` (active user) answers the list of that user's items, each ``{"name": ..., "owner":
  ...}``, found with the session's ``items_of``. The route takes the session from ``get_db`` itself *and* through the
  user dependencies, yet one request opens exactly one session: tests replace ``open_session`` with a fake whose
  calls they count outside the app (its sessions hold users and items the tests choose) and expect 1 call per
  request.
- [q10.8] Overriding ``get_db`` (``app.dependency_overrides[get_db] = lambda: FakeSession(users=..., items=...)``)
  changes the users and items that ``/users/me`` and ``/users/me/items`` see.

Run it: ``fastlings serve 10`` then open http://127.0.0.1:8000/docs
"""

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, status

API_TOKEN = "fake-super-secret-token"

USERS: dict[str, dict[str, Any]] = {
    "alice": {"username": "alice", "full_name": "Alice Liddell", "disabled": False},
    "bob": {"username": "bob", "full_name": "Bob Marley", "disabled": True},
    "carol": {"username": "carol", "full_name": "Carol Danvers", "disabled": False},
    "dave": {"username": "dave", "full_name": "Dave Grohl", "disabled": False},
    "erin": {"username": "erin", "full_name": "Erin Brockovich", "disabled": False},
}

ITEMS: list[dict[str, str]] = [
    {"name": "Rabbit hole", "owner": "alice"},
    {"name": "Guitar", "owner": "dave"},
    {"name": "Looking glass", "owner": "alice"},
]


class FakeSession:
    """A stand-in for a database session."""

    def __init__(self, users: dict[str, dict[str, Any]] | None = None, items: list[dict[str, str]] | None = None):
        self.users = USERS if users is None else users
        self.items = ITEMS if items is None else items

    def get_user(self, username: str) -> dict[str, Any] | None:
        return self.users.get(username)

    def items_of(self, username: str) -> list[dict[str, str]]:
        return [item for item in self.items if item["owner"] == username]


def open_session() -> FakeSession:
    """Opening a session is the expensive part: the tests count the calls."""
    return FakeSession()


def verify_token(x_token: Annotated[str | None, Header()] = None) -> None:
    if x_token != API_TOKEN:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Invalid X-Token header")


def common_parameters(q: str | None = None, skip: int = 0, limit: int = 100) -> dict[str, Any]:
    return {"q": q, "skip": skip, "limit": limit}


class CommonQueryParams:
    def __init__(self, q: str | None = None, skip: int = 0, limit: int = 100):
        self.q = q
        self.skip = skip
        self.limit = limit


def get_db() -> FakeSession:
    return open_session()


DB = Annotated[FakeSession, Depends(get_db)]


def get_current_user(db: DB, x_user: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    user = db.get_user(x_user) if x_user else None
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Unknown user")
    return user


def get_active_user(user: Annotated[dict[str, Any], Depends(get_current_user)]) -> dict[str, Any]:
    if user["disabled"]:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Inactive user")
    return user


ActiveUser = Annotated[dict[str, Any], Depends(get_active_user)]

app = FastAPI(title="Dependency injection", dependencies=[Depends(verify_token)])


@app.get("/items/")
def read_items(commons: Annotated[dict[str, Any], Depends(common_parameters)]) -> dict[str, Any]:
    return commons


@app.get("/users/")
def read_users(commons: Annotated[CommonQueryParams, Depends()], db: DB) -> dict[str, Any]:
    names = [name for name in db.users if commons.q is None or commons.q in name]
    return {
        "q": commons.q,
        "skip": commons.skip,
        "limit": commons.limit,
        "users": names[commons.skip : commons.skip + commons.limit],
    }


@app.get("/users/me")
def read_me(user: ActiveUser) -> dict[str, Any]:
    return {"username": user["username"], "full_name": user["full_name"]}


@app.get("/users/me/items")
def read_my_items(user: ActiveUser, db: DB) -> list[dict[str, str]]:
    # get_db appears twice in this request (here and under get_current_user): FastAPI calls it once.
    return db.items_of(user["username"])
