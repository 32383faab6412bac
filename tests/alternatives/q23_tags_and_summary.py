"""A second answer to q23, written blind from the contract in exercises/q23_tags_and_summary.py."""

from fastapi import APIRouter, FastAPI, HTTPException, status
from pydantic import BaseModel

TAGS_METADATA = [
    {"name": "users", "description": "Operations with users."},
    {
        "name": "items",
        "description": "Manage items. Every item belongs to a user.",
        "externalDocs": {"description": "How items work", "url": "https://example.com/docs/items"},
    },
]


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


users_router = APIRouter(prefix="/users", tags=["users"])
items_router = APIRouter(prefix="/items", tags=["items"])


@users_router.get("/", summary="Read all users", response_description="The list of users")
def read_users() -> list[User]:
    return list(users.values())


@users_router.post(
    "/",
    status_code=status.HTTP_201_CREATED,
    summary="Create a user",
    response_description="The created user",
)
def create_user(user: UserIn) -> User:
    """
    Create a user from a JSON body with a `username`.

    The new user gets the next free id.
    """
    new_user = User(id=max(users, default=0) + 1, username=user.username)
    users[new_user.id] = new_user
    return new_user


@users_router.get(
    "/{user_id}",
    summary="Read one user",
    responses={status.HTTP_404_NOT_FOUND: {"description": "User not found"}},
)
def read_user(user_id: int) -> User:
    if user_id not in users:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return users[user_id]


@items_router.get("/", description="List every item with the id of its owner.")
def read_items() -> list[Item]:
    return list(items.values())


# The router contributes "items" first, then the route adds "users": ["items", "users"].
@items_router.get("/{item_id}/owner", tags=["users"], summary="Read the owner of an item")
def read_item_owner(item_id: int) -> User:
    if item_id not in items:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
    return users[items[item_id].owner_id]


app = FastAPI(openapi_tags=TAGS_METADATA)
app.include_router(users_router)
app.include_router(items_router)
