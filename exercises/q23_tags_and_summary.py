"""Q23 · Tags and summaries (advanced)

Question: how do you organise and describe your path operations so that the generated documentation reads
well: groups, one-line summaries, longer descriptions, and descriptions of the responses?

The routes below already work. Add the documentation metadata; the tests read it from ``/openapi.json``.

Contract (the hidden tests check exactly this):

- [q23.1] Tag metadata (``FastAPI(openapi_tags=...)``): the schema's top-level ``tags`` is exactly this list, in
  this order::

      [
          {"name": "users", "description": "Operations with users."},
          {
              "name": "items",
              "description": "Manage items. Every item belongs to a user.",
              "externalDocs": {"description": "How items work", "url": "https://example.com/docs/items"},
          },
      ]

- [q23.2] ``GET /users/``: tags ``["users"]``, summary ``Read all users``, and the description of its 200 response
  is ``The list of users``.
- [q23.3] ``POST /users/``: tags ``["users"]``, summary ``Create a user``, status 201 with the response description
  ``The created user``. Its operation description is exactly the two paragraphs
  ``Create a user from a JSON body with a `username`.`` and ``The new user gets the next free id.``,
  separated by one blank line (write it as the function's docstring or pass ``description=``). Whitespace
  before the first or after the last character of a description is ignored (the tests strip it, so a trailing
  newline is fine); inside, the text is exact: no indentation, no trailing spaces, one blank line.
- [q23.4] ``GET /users/{user_id}``: tags ``["users"]``, summary ``Read one user``, and a documented 404 response
  whose description is ``User not found`` (besides the 200).
- [q23.5] ``GET /items/``: tags ``["items"]``, the summary ``Read Items`` that FastAPI generates from the
  function name ``read_items`` (leave ``summary`` unset; an explicit ``summary="Read Items"`` gives the same
  schema and passes too, any other summary does not), and the description
  ``List every item with the id of its owner.``
- [q23.6] ``GET /items/{item_id}/owner``: tags ``["items", "users"]`` in that order, summary
  ``Read the owner of an item``.
- [q23.7] The routes keep answering as given: ``GET /users/`` lists the users, ``POST /users/`` with
  ``{"username": str}`` answers 201 with ``{"id": int, "username": str}``, ``GET /users/{user_id}`` answers
  the user or 404 ``{"detail": "User not found"}``, ``GET /items/`` lists the items,
  ``GET /items/{item_id}/owner`` answers the owner or 404 ``{"detail": "Item not found"}``. Every user in every
  answer is exactly ``{"id", "username"}`` and every item exactly ``{"id", "name", "owner_id"}``; a username is
  any text, non-ASCII included, stored and answered unchanged.

Run it: ``fastlings serve 23`` then open http://127.0.0.1:8000/docs
"""

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel

# TODO: describe the "users" and "items" tags (openapi_tags), in the contract's order.
app = FastAPI()


class UserIn(BaseModel):
    username: str


class User(BaseModel):
    id: int
    username: str


class Item(BaseModel):
    id: int
    name: str
    owner_id: int


users: dict[int, User] = {1: User(id=1, username="alice"), 2: User(id=2, username="bob")}
items: dict[int, Item] = {1: Item(id=1, name="Hammer", owner_id=1), 2: Item(id=2, name="Saw", owner_id=2)}


# TODO: tag, summary and response description.
@app.get("/users/")
def read_users() -> list[User]:
    return list(users.values())


# TODO: tag, summary, response description, and the two-paragraph description.
@app.post("/users/", status_code=status.HTTP_201_CREATED)
def create_user(user: UserIn) -> User:
    new_user = User(id=max(users, default=0) + 1, username=user.username)
    users[new_user.id] = new_user
    return new_user


# TODO: tag, summary, and document the 404 response.
@app.get("/users/{user_id}")
def read_user(user_id: int) -> User:
    if user_id not in users:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return users[user_id]


# TODO: tag and description (keep the generated summary).
@app.get("/items/")
def read_items() -> list[Item]:
    return list(items.values())


# TODO: two tags and a summary.
@app.get("/items/{item_id}/owner")
def read_item_owner(item_id: int) -> User:
    if item_id not in items:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
    return users[items[item_id].owner_id]
