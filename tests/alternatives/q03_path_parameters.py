"""A second answer to q03, written blind from the contract in exercises/q03_path_parameters.py.

Its Enum is the older ``(str, Enum)`` spelling, the solution's a ``StrEnum``: the contract allows both.
"""

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path

app = FastAPI()


class Category(str, Enum):  # noqa: UP042 (the older spelling, on purpose)
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
