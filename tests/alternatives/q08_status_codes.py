"""Q08 · Status codes (basic)

Question: how do you choose the HTTP status code a FastAPI endpoint answers with?

Set a route's default status on its decorator, answer an empty 204 where there is nothing to send back,
raise 404 for what does not exist, and pick the status at run time when it depends on what happened.
Write a module with an application named ``app`` that keeps items in memory.

An item sent by the client is a JSON object ``{"name": <string>, "price": <number>}`` (both required). A
stored item is ``{"id": <int>, "name": ..., "price": ...}`` (exactly these three keys).

Contract (the hidden tests check exactly this):

- ``POST /items/`` with an item as the JSON body stores it under a new id and answers **201** with
  ``{"message": "Item created", "id": <the new id>}`` and a ``Location`` header holding the new item's path,
  ``/items/<id>`` (for example ``/items/1``). A new id is a positive integer that no stored item holds (an
  item created by PUT may already hold 1).
- ``GET /items/{item_id}`` answers **200** with the stored item, or **404** with
  ``{"detail": "Item not found"}`` when there is none.
- ``PUT /items/{item_id}`` with an item as the JSON body stores it under that id: it answers **201** when no
  item had that id (created) and **200** when it replaced one. Both answers carry the stored item.
- ``DELETE /items/{item_id}`` removes the item and answers **204** with an empty body (no ``null``, no
  ``{}``: zero bytes), or **404** with ``{"detail": "Item not found"}`` when there is none.
- A body that is not an item answers 422 (FastAPI does that for you).

Run it: ``uvicorn q08_status_codes:app --reload`` then open http://127.0.0.1:8000/docs
"""

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Response, status
from pydantic import BaseModel


class ItemIn(BaseModel):
    name: str
    price: float


class Item(ItemIn):
    id: int


class Created(BaseModel):
    message: str
    id: int


items: dict[int, Item] = {}


def get_item_or_404(item_id: int) -> Item:
    if item_id not in items:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return items[item_id]


def _free_id() -> int:
    """The smallest positive integer above every stored id (PUT may have taken any id already)."""
    return max([0, *items]) + 1


router = APIRouter(prefix="/items")


@router.post("/", status_code=status.HTTP_201_CREATED, response_model=Created)
def create_item(item: ItemIn, response: Response) -> Created:
    new_id = _free_id()
    items[new_id] = Item(id=new_id, **item.model_dump())
    response.headers["Location"] = router.url_path_for("read_item", item_id=str(new_id))
    return Created(message="Item created", id=new_id)


@router.get("/{item_id}", response_model=Item, responses={404: {"description": "Item not found"}})
def read_item(item: Annotated[Item, Depends(get_item_or_404)]) -> Item:
    return item


@router.put(
    "/{item_id}",
    response_model=Item,
    status_code=status.HTTP_200_OK,
    responses={201: {"model": Item, "description": "Created"}},
)
def upsert_item(item_id: int, item: ItemIn, response: Response) -> Item:
    if item_id not in items:
        response.status_code = status.HTTP_201_CREATED
    stored = Item(id=item_id, **item.model_dump())
    items[item_id] = stored
    return stored


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={404: {"description": "Item not found"}},
)
def delete_item(item: Annotated[Item, Depends(get_item_or_404)]) -> None:
    del items[item.id]


app = FastAPI()
app.include_router(router)
