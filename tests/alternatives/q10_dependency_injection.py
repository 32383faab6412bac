"""A second answer to q10, written blind from the contract in exercises/q10_dependency_injection.py."""

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
