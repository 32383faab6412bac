"""Q10 · Dependency injection (intermediate)

Question: how does FastAPI's dependency injection work, and what does it give you beyond calling a helper
function yourself? Show a function dependency, a class dependency, dependencies that depend on other
dependencies, a guard that protects every route, and how tests swap a dependency out.

Build a small user/item API whose routes receive everything they need through ``Depends``.

Contract (the hidden tests check exactly this):

- Names the tests use: ``app``, ``API_TOKEN``, ``common_parameters``, ``CommonQueryParams``, ``verify_token``,
  ``get_db``, and the given ``FakeSession`` and ``open_session``.
- Guard: every route of the app requires the header ``X-Token`` equal to ``API_TOKEN``. A missing or wrong
  token answers 401 with ``{"detail": "Invalid X-Token header"}``. The check lives in the dependency
  ``verify_token``, attached once at app level (or to every router), not repeated in each route. Tests replace it
  with ``app.dependency_overrides[verify_token]``, after which requests without the header go through.
- ``common_parameters(q: str | None = None, skip: int = 0, limit: int = 100)`` returns
  ``{"q": q, "skip": skip, "limit": limit}``. ``GET /items/`` answers exactly that dict, taken from query
  parameters of the same names (``GET /items/?q=foo&skip=5`` → ``{"q": "foo", "skip": 5, "limit": 100}``);
  a non-integer ``skip`` or ``limit`` answers 422.
- ``CommonQueryParams`` is a class with the same three ``__init__`` parameters stored as attributes ``q``, ``skip``,
  ``limit``. ``GET /users/`` receives an instance through ``Depends(CommonQueryParams)`` and answers
  ``{"q": ..., "skip": ..., "limit": ..., "users": [...]}`` where ``users`` lists usernames in the order of
  ``USERS``: only those containing ``q`` (when given), then ``skip`` of them skipped and at most ``limit`` kept.
  Tests override ``CommonQueryParams`` with a function returning an instance and expect the route to use it.
- Sub-dependencies: ``get_db()`` returns a session obtained by calling the module-level ``open_session()`` once.
  ``get_current_user`` depends on ``get_db`` and on the header ``X-User``: it looks the username up with the
  session's ``get_user`` (never in ``USERS`` directly) and answers 401 ``{"detail": "Unknown user"}`` when the
  header is missing or the user does not exist. An active-user dependency built on ``get_current_user`` answers
  403 ``{"detail": "Inactive user"}`` for a user whose ``disabled`` is true.
- ``GET /users/me`` (active user) answers ``{"username": ..., "full_name": ...}``.
- ``GET /users/me/items`` (active user) answers the list of that user's items, each ``{"name": ..., "owner": ...}``,
  found with the session's ``items_of``. The route takes the session from ``get_db`` itself *and* through the
  user dependencies, yet one request opens exactly one session: tests replace ``open_session`` with a counting
  wrapper and expect 1 call per request.
- Overriding ``get_db`` (``app.dependency_overrides[get_db] = lambda: FakeSession(users=..., items=...)``) changes
  the users and items that ``/users/me`` and ``/users/me/items`` see.

Run it: ``uvicorn q10_dependency_injection:app --reload`` then open http://127.0.0.1:8000/docs
"""

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, status

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
    """The guard: every router of the app lists it in its ``dependencies``."""
    if x_token is None or not secrets.compare_digest(x_token.encode(), API_TOKEN.encode()):
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Invalid X-Token header")


def common_parameters(q: str | None = None, skip: int = 0, limit: int = 100) -> dict[str, Any]:
    return {"q": q, "skip": skip, "limit": limit}


class CommonQueryParams:
    """The same three query parameters as a class: FastAPI reads ``__init__``'s signature."""

    def __init__(self, q: str | None = None, skip: int = 0, limit: int = 100) -> None:
        self.q = q
        self.skip = skip
        self.limit = limit

    def select(self, names: list[str]) -> list[str]:
        matching = [name for name in names if self.q is None or self.q in name]
        start = max(self.skip, 0)
        return matching[start : start + max(self.limit, 0)]


def get_db() -> FakeSession:
    # Looked up at call time, so a monkeypatched open_session() is the one used. FastAPI caches this
    # dependency per request, so every dependant of get_db in one request shares this one session.
    return open_session()


Session = Annotated[FakeSession, Depends(get_db)]


def get_current_user(db: Session, x_user: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    user = db.get_user(x_user) if x_user else None
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Unknown user")
    return user


def get_active_user(user: Annotated[dict[str, Any], Depends(get_current_user)]) -> dict[str, Any]:
    if user.get("disabled"):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Inactive user")
    return user


ActiveUser = Annotated[dict[str, Any], Depends(get_active_user)]

# The guard is declared on each router (the only two routers of the app), not on the routes.
guarded = [Depends(verify_token)]
items_router = APIRouter(prefix="/items", tags=["items"], dependencies=guarded)
users_router = APIRouter(prefix="/users", tags=["users"], dependencies=guarded)


@items_router.get("/")
def read_items(commons: Annotated[dict[str, Any], Depends(common_parameters)]) -> dict[str, Any]:
    return commons


@users_router.get("/")
def read_users(commons: Annotated[CommonQueryParams, Depends(CommonQueryParams)]) -> dict[str, Any]:
    return {
        "q": commons.q,
        "skip": commons.skip,
        "limit": commons.limit,
        "users": CommonQueryParams.select(commons, list(USERS)),
    }


@users_router.get("/me")
def read_me(user: ActiveUser) -> dict[str, Any]:
    return {"username": user["username"], "full_name": user["full_name"]}


@users_router.get("/me/items")
def read_my_items(user: ActiveUser, db: Session) -> list[dict[str, str]]:
    return db.items_of(user["username"])


app = FastAPI(title="Dependency injection")
app.include_router(items_router)
app.include_router(users_router)
