"""Q07 · HTTP methods (basic)

Question: which HTTP methods does FastAPI support, and how do you serve each of them?

Write a module with an application named ``app`` that keeps one resource, items, in memory and serves it
with every standard method: GET, POST, PUT, PATCH, DELETE, HEAD and OPTIONS.

An item sent by the client is a JSON object with ``name`` (string, required), ``price`` (number, required)
and ``description`` (string or null, optional, default ``null``). A stored item is the same object plus an
integer ``id`` chosen by the server: the JSON object ``{"id", "name", "price", "description"}``, exactly these
four keys, in every answer that carries an item. Other keys in a request body (``"colour"``, ``"id"``) are ignored
or refused with 422, your choice; never stored, never obeyed.

Contract (the hidden tests check exactly this):

- [q07.1] ``POST /items/`` with an item as the JSON body stores it and answers 201 with the stored item
  (``{"id": ..., "name": ..., "price": ..., "description": ...}``). Ids are positive integers, unique, and
  never reused, not even after the item holding one was deleted.
- [q07.2] ``GET /items/`` answers 200 with a JSON list of every stored item (any order).
- [q07.3] ``GET /items/{item_id}`` answers 200 with the stored item.
- [q07.4] ``PUT /items/{item_id}`` replaces the whole item with the body, which must be a complete item (a body
  without ``name`` or ``price`` answers 422); a field left out of the body takes its default again
  (``description`` becomes null). Answers 200 with the new stored item; the ``id`` does not change.
- [q07.5] ``PATCH /items/{item_id}`` is a partial update: the body may hold any subset of the item's fields, and
  only the fields present in the body change; the others keep their stored values. A field sent with an
  explicit ``null`` is set to null (``{"description": null}`` clears the description). Answers 200 with the
  updated stored item; an empty body ``{}`` changes nothing. ``name`` and ``price`` may be left out but never set
  to null: ``{"name": null}`` or ``{"price": null}`` answers 422 naming the field (``["body", "name"]``), as does a
  value of the wrong type, and a refused PATCH leaves the item as it was.
- [q07.6] ``DELETE /items/{item_id}`` removes the item and answers 204 with an empty body; the item is gone after.
- [q07.7] ``HEAD /items/`` and ``HEAD /items/{item_id}`` answer like the matching GET, with the same status (404
  for an id that is not stored, too) and the same ``content-type`` and ``content-length`` headers (a length in
  bytes, whatever the script of the names), but an empty body.
- [q07.8] ``OPTIONS /items/`` answers 204 with an empty body and an ``Allow`` header listing exactly the methods of
  the collection: ``GET, HEAD, POST, OPTIONS``.
- [q07.9] ``OPTIONS /items/{item_id}`` answers 204 with an empty body and an ``Allow`` header listing exactly the
  methods of one item: ``GET, HEAD, PUT, PATCH, DELETE, OPTIONS``. It describes the path, not a stored item: an
  id that is not stored gets the same answer (204 and the same ``Allow``). A CORS preflight (an ``OPTIONS`` with
  ``Origin`` and ``Access-Control-Request-Method`` headers) gets the same answers as any OPTIONS, on both paths.
  (The tests read ``Allow`` as a comma-separated list: order and spaces are free, each method only once.)
- [q07.10] GET, HEAD, PUT, PATCH and DELETE on an ``item_id`` that is not stored (never created, or deleted)
  answer 404; OPTIONS does not (q07.9).
- [q07.11] A method a path does not serve answers 405 (``POST /items/1``, ``PUT /items/``, ``PATCH /items/``,
  ``DELETE /items/``, ``TRACE`` on either path, ...), whether or not the id is stored.

Run it: ``fastlings serve 7`` then open http://127.0.0.1:8000/docs
"""

from itertools import count

from fastapi import FastAPI, HTTPException, Response, status
from pydantic import BaseModel, field_validator

app = FastAPI()


class ItemIn(BaseModel):
    name: str
    price: float
    description: str | None = None


class ItemPatch(BaseModel):
    name: str | None = None
    price: float | None = None
    description: str | None = None

    @field_validator("name", "price")
    @classmethod
    def not_null(cls, value: object) -> object:
        # Runs only on values sent (defaults are not validated): a field left out stays unset, an explicit null
        # for a required field of the item is refused.
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value


class Item(ItemIn):
    id: int


items: dict[int, Item] = {}
_next_id = count(1)


def get_item_or_404(item_id: int) -> Item:
    if item_id not in items:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return items[item_id]


@app.api_route("/items/", methods=["GET", "HEAD"])
def list_items() -> list[Item]:
    return list(items.values())


@app.post("/items/", status_code=status.HTTP_201_CREATED)
def create_item(data: ItemIn) -> Item:
    item = Item(id=next(_next_id), **data.model_dump())
    items[item.id] = item
    return item


@app.options("/items/")
def collection_options() -> Response:
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"Allow": "GET, HEAD, POST, OPTIONS"})


@app.api_route("/items/{item_id}", methods=["GET", "HEAD"])
def read_item(item_id: int) -> Item:
    return get_item_or_404(item_id)


@app.put("/items/{item_id}")
def replace_item(item_id: int, data: ItemIn) -> Item:
    get_item_or_404(item_id)
    items[item_id] = Item(id=item_id, **data.model_dump())
    return items[item_id]


@app.patch("/items/{item_id}")
def update_item(item_id: int, data: ItemPatch) -> Item:
    stored = get_item_or_404(item_id)
    items[item_id] = stored.model_copy(update=data.model_dump(exclude_unset=True))
    return items[item_id]


@app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: int) -> None:
    get_item_or_404(item_id)
    del items[item_id]


@app.options("/items/{item_id}")
def item_options() -> Response:
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"Allow": "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"})
