"""Q03 · Path parameters (basic)

Question: how do you read values out of the URL path, and what decides which route answers a given path?

Write a module that creates a FastAPI application named ``app`` with path parameters of several kinds.

Contract (the hidden tests check exactly this):

- ``GET /items/{item_id}``: ``item_id`` is an integer. ``/items/42`` answers 200 with ``{"item_id": 42}`` (a JSON
  number, not a string). A value that is not an integer (``/items/abc``, ``/items/1.5``) answers 422 with an
  error whose ``loc`` is ``["path", "item_id"]``.
- ``GET /users/me`` answers 200 with ``{"user_id": "the current user"}``, and
  ``GET /users/{user_id}`` answers 200 with ``{"user_id": <the text from the path>}`` for any other value
  (``/users/alice`` → ``{"user_id": "alice"}``). ``/users/me`` must reach the first route, not the second.
- ``GET /categories/{category}``: ``category`` is a string ``Enum`` with exactly the values ``books``, ``music``
  and ``games``. A valid value answers 200 with ``{"category": <value>}``; any other value (``/categories/toys``,
  and ``/categories/Books`` too: matching is case-sensitive) answers 422 with an error whose ``loc`` is
  ``["path", "category"]``. Because it is an Enum, ``/openapi.json`` lists those three values as the ``enum`` of
  the parameter's schema.
- ``GET /files/{file_path}``: ``file_path`` takes the whole rest of the path, slashes included:
  ``/files/home/alice/notes.txt`` answers 200 with ``{"file_path": "home/alice/notes.txt"}`` and
  ``/files/report.pdf`` with ``{"file_path": "report.pdf"}``.

Run it: ``uvicorn q03_path_parameters:app --reload`` then open http://127.0.0.1:8000/docs
"""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path

app = FastAPI()


class Category(StrEnum):
    books = "books"
    music = "music"
    games = "games"


items = APIRouter(prefix="/items")
users = APIRouter(prefix="/users")
catalogue = APIRouter()


@items.get("/{item_id}")
async def read_item(item_id: Annotated[int, Path()]) -> dict[str, int]:
    return {"item_id": item_id}


# Declared before /users/{user_id}: routes are matched in declaration order.
@users.get("/me")
async def read_current_user() -> dict[str, str]:
    return {"user_id": "the current user"}


@users.get("/{user_id}")
async def read_user(user_id: Annotated[str, Path()]) -> dict[str, str]:
    return {"user_id": user_id}


@catalogue.get("/categories/{category}")
async def read_category(category: Annotated[Category, Path()]) -> dict[str, str]:
    return {"category": category.value}


@catalogue.get("/files/{file_path:path}")
async def read_file(file_path: str) -> dict[str, str]:
    return {"file_path": file_path}


for router in (items, users, catalogue):
    app.include_router(router)
