"""Q06 · Request body (basic)

Question: how does a FastAPI endpoint read and validate the JSON body of a request?

Describe the body with Pydantic models and let FastAPI parse, validate and document it. Write a module with an
application named ``app`` that accepts items in the body of two routes.

The body of both routes is an *item*, a JSON object with these fields:

- ``name``: string, required (any string, the empty one too).
- ``price``: number, required (any number: 0 and negative ones too, as for ``tax``).
- ``description``: string or null, optional, default ``null``.
- ``tax``: number or null, optional, default ``null``.
- ``tags``: list of strings, optional, default ``[]``.
- ``images``: list of image objects, optional, default ``[]``. Each image is an object with two required
  string fields, ``url`` and ``name``.

Contract (the hidden tests check exactly this):

- [q06.1] ``POST /items/`` with an item as the JSON body answers 200 with a JSON object holding every item field
  (the values sent, text in any script kept as sent, lists in their order; defaults filled in for the fields left
  out) plus ``price_with_tax``, and no other key. ``price_with_tax`` is ``price + tax``, not rounded, or ``price``
  when ``tax`` is null or missing.
- [q06.2] ``PUT /items/{item_id}?q=...`` reads three things at once: ``item_id`` (an integer) from the path, the
  item from the JSON body (the body is the item object itself, not wrapped in another key) and ``q`` (an
  optional string, default null) from the query string. It answers 200 with exactly
  ``{"item_id": <int>, "item": {<every item field, defaults filled in>}, "q": <string or null>}`` (no other key,
  at the top or in ``item``, where ``price_with_tax`` does not belong).
- [q06.3] A body that does not fit the item (a required field missing, a value of the wrong type, an image without
  its ``url`` or ``name``, ``tags`` that is not a list of strings) answers 422 on both routes, and FastAPI's error
  list names every failing field in ``loc``: for example ``["body", "price"]``, ``["body", "tags", 1]`` or
  ``["body", "images", 1, "name"]`` (the image at index 1). "The wrong type" is what Pydantic refuses in its
  default (lax) mode: a price or tax that is no number (``"cheap"``, a list), a number where a string belongs
  (``"name": 5``, a tag ``7``), ``null`` for a required field. A value lax mode converts (the string ``"3"`` as a
  price) is yours to decide: read as the number it spells (200) or refused as in strict mode (422) both pass.
- [q06.4] ``PUT /items/abc`` (an ``item_id`` that is not an integer) answers 422 with ``loc`` ``["path", "item_id"]``.

Run it: ``fastlings serve 6`` then open http://127.0.0.1:8000/docs
"""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Image(BaseModel):
    url: str
    name: str


class Item(BaseModel):
    name: str
    price: float
    description: str | None = None
    tax: float | None = None
    tags: list[str] = []
    images: list[Image] = []


@app.post("/items/")
def create_item(item: Item) -> dict[str, Any]:
    return {**item.model_dump(), "price_with_tax": item.price + (item.tax or 0)}


@app.put("/items/{item_id}")
def update_item(item_id: int, item: Item, q: str | None = None) -> dict[str, Any]:
    return {"item_id": item_id, "item": item.model_dump(), "q": q}
