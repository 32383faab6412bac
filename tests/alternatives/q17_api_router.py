"""A second answer to q17, written blind from the contract in exercises/q17_api_router.py."""

from typing import Annotated

from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    HTTPException,
    Response,
    Security,
    status,
)
from fastapi.security import APIKeyHeader

ITEMS: dict[int, dict[str, int | str]] = {
    1: {"id": 1, "name": "Hammer"},
    2: {"id": 2, "name": "Screwdriver"},
    3: {"id": 3, "name": "Wrench"},
}
USERS: list[dict[str, str]] = [{"username": "ada"}, {"username": "linus"}]

ADMIN_TOKEN = "fake-super-secret-token"

ITEM_NOT_FOUND = "Item not found"
INVALID_X_TOKEN = "Invalid X-Token header"

# auto_error=False: a missing header reaches verify_token as None, so we answer 403 ourselves (never 422/401).
x_token_header = APIKeyHeader(name="X-Token", auto_error=False, description="Admin token")


async def verify_token(x_token: Annotated[str | None, Security(x_token_header)] = None) -> None:
    if x_token != ADMIN_TOKEN:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=INVALID_X_TOKEN)


def _item_or_404(item_id: int) -> dict[str, int | str]:
    item = ITEMS.get(item_id)
    if item is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=ITEM_NOT_FOUND)
    return item


items_router = APIRouter(
    prefix="/items",
    tags=["items"],
    responses={status.HTTP_404_NOT_FOUND: {"description": ITEM_NOT_FOUND}},
)


@items_router.get("/")
def list_items() -> list[dict[str, int | str]]:
    return list(ITEMS.values())


@items_router.get("/{item_id}")
def read_item(item: Annotated[dict[str, int | str], Depends(_item_or_404)]) -> dict[str, int | str]:
    return item


users_router = APIRouter(prefix="/users", tags=["users"])


@users_router.get("/")
def list_users() -> list[dict[str, str]]:
    return USERS


admin_router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(verify_token)],
    responses={status.HTTP_403_FORBIDDEN: {"description": INVALID_X_TOKEN}},
)


@admin_router.get("/stats")
def admin_stats() -> dict[str, int]:
    return {"items": len(ITEMS), "users": len(USERS)}


@admin_router.delete(
    "/items/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={status.HTTP_404_NOT_FOUND: {"description": ITEM_NOT_FOUND}},
)
def delete_item(item_id: int) -> Response:
    if ITEMS.pop(item_id, None) is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=ITEM_NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# One parent router carries the version prefix and tag; the app only mounts that.
api_v1 = APIRouter(prefix="/api/v1", tags=["v1"])
for child in (items_router, users_router, admin_router):
    api_v1.include_router(child)

app = FastAPI(title="Versioned API")
app.include_router(api_v1)
