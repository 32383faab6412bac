"""Q13 · Response models (intermediate)

Question: what is a response model in FastAPI, and what does it guarantee about the data that leaves an
endpoint? Show how it filters fields, how it keeps a secret stored next to public data out of every answer,
how it drops fields the client never set, and what happens when an endpoint returns data that does not fit.

Build an item catalogue over the in-memory ``items_db``. The request model ``ItemIn`` is given; the stored
records carry a private ``cost_price`` that no response may ever contain.

Contract (the hidden tests check exactly this):

- [q13.1] Names the tests use: ``app``, ``items_db``. Each record in ``items_db`` (``dict[int, dict]``, keyed by id) is
  a dict holding ``"id"`` plus every field the client *sent* when creating the item (``cost_price`` included);
  fields the client left out are not stored. Tests read records and also insert or change records of their
  own: they put a mapping of theirs in place of ``items_db`` (it keeps the records on the tests' side), so use
  ``items_db`` through mapping operations only (``items_db[item_id] = record`` with the record complete,
  ``items_db[item_id]``, ``.get``, ``in``, ``.values()``, iteration), look it up when a request runs, and never
  rebind it.
- [q13.2] Response models (the tests read them from ``/openapi.json``): ``ItemOut`` with ``id: int``, ``name: str``;
  ``ItemDetail`` with ``id: int``, ``name: str``, ``price: float``, ``description: str | None = None``,
  ``tax: float | None = None``. Neither has a ``cost_price`` field.
- [q13.3] ``POST /items/`` (body ``ItemIn``) stores the item under the next id (1, 2, 3, ...) and answers 200 with
  exactly ``{"id": ..., "name": ...}`` (``response_model=ItemOut``). Ids count the items the app creates, from 1 with
  the module as imported: a counter of the module's own and one more than the largest id in ``items_db`` both do
  (the tests put their mapping in place of ``items_db`` only before the first item is created, and create no item
  after inserting a record of their own).
- [q13.4] ``GET /items/`` answers every item in creation order as a list of ``ItemOut``: ``[{"id": ..., "name": ...}]``.
- [q13.5] ``GET /items/{item_id}`` answers the item as ``ItemDetail`` without the fields that were never set: an item
  created without ``description`` and ``tax`` answers only ``id``, ``name``, ``price``; a field the client sent,
  even as ``null``, is present. An unknown id answers 404 ``{"detail": "Item not found"}``.
- [q13.6] ``cost_price`` appears in no response body, whatever route.
- [q13.7] A record that does not fit the response model (a test inserts one without ``price``) must not be sent as it
  is: ``GET /items/{item_id}`` on it fails as a server error. FastAPI does this by itself when it validates the return
  value against the declared response model: it raises ``ResponseValidationError``, which nothing handles. The tests
  send that request with a client that turns an unhandled exception into a 500 response (as
  ``TestClient(app, raise_server_exceptions=False)`` does) and require status 500; a handler of your own that
  answers 500 passes too.
- [q13.8] In the schema, ``POST /items/`` documents ``ItemOut``, ``GET /items/`` a list of ``ItemOut`` and
  ``GET /items/{item_id}`` ``ItemDetail``, each as its 200 response.

Run it: ``fastlings serve 13`` then open http://127.0.0.1:8000/docs
"""

from typing import Any

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel


class ItemIn(BaseModel):
    name: str
    price: float
    cost_price: float
    description: str | None = None
    tax: float | None = None


class ItemOut(BaseModel):
    id: int
    name: str


class ItemDetail(BaseModel):
    id: int
    name: str
    price: float
    description: str | None = None
    tax: float | None = None


items_db: dict[int, dict[str, Any]] = {}

app = FastAPI(title="Response models")


@app.post("/items/", response_model=ItemOut)
def create_item(item: ItemIn) -> Any:
    item_id = max(items_db, default=0) + 1
    items_db[item_id] = {"id": item_id, **item.model_dump(exclude_unset=True)}
    return items_db[item_id]


@app.get("/items/", response_model=list[ItemOut])
def list_items() -> Any:
    return list(items_db.values())


@app.get("/items/{item_id}", response_model=ItemDetail, response_model_exclude_unset=True)
def read_item(item_id: int) -> Any:
    if item_id not in items_db:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Item not found")
    return items_db[item_id]
