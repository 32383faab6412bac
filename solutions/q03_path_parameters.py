"""Q03 · Path parameters (basic)

Question: how do you read values out of the URL path, and what decides which route answers a given path?

Write a module that creates a FastAPI application named ``app`` with path parameters of several kinds.

Contract (the hidden tests check exactly this):

- [q03.1] ``GET /items/{item_id}``: ``item_id`` is an integer, negative ones included. ``/items/42`` answers 200 with
  ``{"item_id": 42}`` (a JSON number, not a string), ``/items/-3`` with ``{"item_id": -3}``. A value that is not an
  integer (``/items/abc``, ``/items/1.5``, ``/items/½``) answers 422 with an error whose ``loc`` is
  ``["path", "item_id"]``. Other spellings of a whole number that FastAPI's ``int`` accepts (``/items/+7``,
  ``/items/4_2``, ``/items/007``) are yours to decide: 200 with the number they spell (7, 42, 7) or 422, both pass.
- [q03.2] ``GET /users/me`` answers 200 with ``{"user_id": "the current user"}``, and
  ``GET /users/{user_id}`` answers 200 with ``{"user_id": <the text from the path>}`` for any other value
  (``/users/alice`` → ``{"user_id": "alice"}``, ``/users/Zoë`` → ``{"user_id": "Zoë"}``: the decoded text, any
  script). ``/users/me`` must reach the first route, not the second; only that exact text does (``/users/ME`` is
  another user).
- [q03.3] ``GET /categories/{category}``: ``category`` is a string ``Enum`` with exactly the values ``books``, ``music``
  and ``games`` (``class Category(str, Enum)`` and ``class Category(StrEnum)`` both will do). A valid value answers
  200 with ``{"category": <value>}``; any other value (``/categories/toys``, ``/categories/books%20`` with its
  trailing space, and ``/categories/Books`` too: matching is case-sensitive) answers 422 with an error whose ``loc``
  is ``["path", "category"]``. Because it is an Enum, ``/openapi.json`` documents those three values as an ``enum``:
  FastAPI puts the Enum in ``components.schemas`` and the parameter's ``schema`` only points there with a
  ``$ref``. The tests follow that ``$ref`` (and accept the values written inline in the parameter's schema too).
- [q03.4] ``GET /files/{file_path}``: ``file_path`` takes the whole rest of the path, slashes included:
  ``/files/home/alice/notes.txt`` answers 200 with ``{"file_path": "home/alice/notes.txt"}`` and
  ``/files/report.pdf`` with ``{"file_path": "report.pdf"}``. The text is the decoded path, as sent: percent-escapes
  decoded (``/files/my%20notes.txt`` gives ``"my notes.txt"``), any script kept. An empty rest is still a path:
  ``/files/`` answers 200 with ``{"file_path": ""}`` (``/files`` without the slash is not tested).

Run it: ``fastlings serve 3`` then open http://127.0.0.1:8000/docs
"""

from enum import StrEnum

from fastapi import FastAPI

app = FastAPI()


class Category(StrEnum):
    books = "books"
    music = "music"
    games = "games"


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


# Declared before /users/{user_id}: routes are tried in order, and "me" would otherwise match {user_id}.
@app.get("/users/me")
def read_current_user() -> dict[str, str]:
    return {"user_id": "the current user"}


@app.get("/users/{user_id}")
def read_user(user_id: str) -> dict[str, str]:
    return {"user_id": user_id}


@app.get("/categories/{category}")
def read_category(category: Category) -> dict[str, Category]:
    return {"category": category}


@app.get("/files/{file_path:path}")
def read_file(file_path: str) -> dict[str, str]:
    return {"file_path": file_path}
