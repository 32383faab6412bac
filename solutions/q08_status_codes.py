"""Q08 · Status codes (basic)

Question: how do you choose the HTTP status code a FastAPI endpoint answers with?

Set a route's default status on its decorator, answer an empty 204 where there is nothing to send back,
raise 404 for what does not exist, and pick the status at run time when it depends on what happened.
Write a module with an application named ``app`` that keeps items in memory.

An item sent by the client is a JSON object ``{"name": <string>, "price": <number>}`` (both required). A
stored item is ``{"id": <int>, "name": ..., "price": ...}`` (exactly these three keys).

Contract (the hidden tests check exactly this):

- [q08.1] ``POST /items/`` with an item as the JSON body stores it under a new id and answers **201** with
  ``{"message": "Item created", "id": <the new id>}`` (exactly these two keys) and a ``Location`` header pointing
  at the new item: its path is ``/items/<id>`` (``/items/1``, or a full URL such as ``http://testserver/items/1``
  as ``request.url_for`` gives). A new id is a positive integer that no stored item holds (an item created by
  PUT may already hold 1, or any other id; and ids PUT stored at 0 or below never make a new id 0 or negative).
- [q08.2] ``GET /items/{item_id}`` answers **200** with the stored item, or **404** with
  ``{"detail": "Item not found"}`` when there is none.
- [q08.3] ``PUT /items/{item_id}`` with an item as the JSON body stores it under that id, which may be any integer
  (``/items/0`` and ``/items/-5`` too): it answers **201** when no item holds that id (never stored, or deleted
  since: created) and **200** when it replaced one. Both answers carry the stored item.
- [q08.4] ``DELETE /items/{item_id}`` removes the item and answers **204** with an empty body (no ``null``, no
  ``{}``: zero bytes), or **404** with ``{"detail": "Item not found"}`` when there is none.
- [q08.5] A body that is not an item answers 422 (FastAPI does that for you).

Run it: ``fastlings serve 8`` then open http://127.0.0.1:8000/docs
"""

from fastapi import FastAPI, HTTPException, Response, status
from pydantic import BaseModel

app = FastAPI()


class ItemIn(BaseModel):
    name: str
    price: float


class Item(ItemIn):
    id: int


items: dict[int, Item] = {}


def get_item_or_404(item_id: int) -> Item:
    if item_id not in items:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return items[item_id]


@app.post("/items/", status_code=status.HTTP_201_CREATED)
def create_item(data: ItemIn, response: Response) -> dict[str, str | int]:
    item_id = max([0, *items]) + 1  # above every stored id, and positive even if PUT stored only ids <= 0
    items[item_id] = Item(id=item_id, **data.model_dump())
    response.headers["Location"] = f"/items/{item_id}"
    return {"message": "Item created", "id": item_id}


@app.get("/items/{item_id}")
def read_item(item_id: int) -> Item:
    return get_item_or_404(item_id)


@app.put("/items/{item_id}")
def put_item(item_id: int, data: ItemIn, response: Response) -> Item:
    if item_id not in items:
        response.status_code = status.HTTP_201_CREATED
    items[item_id] = Item(id=item_id, **data.model_dump())
    return items[item_id]


@app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: int) -> None:
    get_item_or_404(item_id)
    del items[item_id]
