"""A second answer to q07, written blind from the contract in exercises/q07_http_methods.py.

The PATCH refusal of a null name or price was added when q07.5 settled that case (422, not a null stored).
"""

from itertools import count
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel


class ItemIn(BaseModel):
    name: str
    price: float
    description: str | None = None


class ItemPatch(BaseModel):
    name: str | None = None
    price: float | None = None
    description: str | None = None


class Item(ItemIn):
    id: int


COLLECTION_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
MEMBER_METHODS = ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS")


class ItemStore:
    """In-memory storage; ids come from a counter, so they are never reused."""

    def __init__(self) -> None:
        self._items: dict[int, dict[str, Any]] = {}
        self._ids = count(1)

    def all(self) -> list[dict[str, Any]]:
        return list(self._items.values())

    def get(self, item_id: int) -> dict[str, Any]:
        try:
            return self._items[item_id]
        except KeyError:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found") from None

    def add(self, data: ItemIn) -> dict[str, Any]:
        new_id = next(self._ids)
        stored = {"id": new_id, **data.model_dump()}
        self._items[new_id] = stored
        return stored

    def replace(self, item_id: int, data: ItemIn) -> dict[str, Any]:
        self.get(item_id)
        stored = {"id": item_id, **data.model_dump()}
        self._items[item_id] = stored
        return stored

    def patch(self, item_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        stored = self.get(item_id)
        stored.update(changes)
        return stored

    def remove(self, item_id: int) -> None:
        self.get(item_id)
        del self._items[item_id]


store = ItemStore()


def _json(payload: Any, status_code: int = status.HTTP_200_OK) -> JSONResponse:
    """One renderer for GET and HEAD, so both carry the same content-type and content-length."""
    return JSONResponse(jsonable_encoder(payload), status_code=status_code)


def _allow(methods: tuple[str, ...]) -> Response:
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"Allow": ", ".join(methods)})


router = APIRouter(prefix="/items", tags=["items"])


# --- the collection --------------------------------------------------------------------------------------


@router.get("/", response_model=list[Item])
def list_items() -> JSONResponse:
    return _json(store.all())


@router.head("/", response_class=Response)
def head_items() -> JSONResponse:
    # Same response as GET; the server (and TestClient) drops the body of a HEAD answer but keeps the headers.
    return _json(store.all())


@router.post("/", status_code=status.HTTP_201_CREATED, response_model=Item)
def create_item(item: ItemIn) -> dict[str, Any]:
    return store.add(item)


@router.options("/", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def options_items() -> Response:
    return _allow(COLLECTION_METHODS)


# --- one item ---------------------------------------------------------------------------------------------


@router.get("/{item_id}", response_model=Item)
def read_item(item_id: int) -> JSONResponse:
    return _json(store.get(item_id))


@router.head("/{item_id}", response_class=Response)
def head_item(item_id: int) -> JSONResponse:
    return _json(store.get(item_id))


@router.put("/{item_id}", response_model=Item)
def replace_item(item_id: int, item: ItemIn) -> dict[str, Any]:
    return store.replace(item_id, item)


@router.patch("/{item_id}", response_model=Item)
def patch_item(item_id: int, changes: ItemPatch) -> JSONResponse:
    # exclude_unset keeps only the fields the client actually sent, explicit nulls included.
    sent = changes.model_dump(exclude_unset=True)
    # name and price may be left out, not nulled: refused the way FastAPI refuses a bad body.
    nulls = [field for field in ("name", "price") if field in sent and sent[field] is None]
    if nulls:
        raise RequestValidationError(
            [
                {"type": "none_forbidden", "loc": ("body", field), "msg": "may not be null", "input": None}
                for field in nulls
            ]
        )
    updated = store.patch(item_id, sent)
    return _json(updated)


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_item(item_id: int) -> Response:
    store.remove(item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.options("/{item_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def options_item(item_id: int) -> Response:
    return _allow(MEMBER_METHODS)


app = FastAPI()
app.include_router(router)
