"""Q06 · Request body (basic)

Question: how does a FastAPI endpoint read and validate the JSON body of a request?

Describe the body with Pydantic models and let FastAPI parse, validate and document it. Write a module with an
application named ``app`` that accepts items in the body of two routes.

The body of both routes is an *item*, a JSON object with these fields:

- ``name``: string, required.
- ``price``: number, required.
- ``description``: string or null, optional, default ``null``.
- ``tax``: number or null, optional, default ``null``.
- ``tags``: list of strings, optional, default ``[]``.
- ``images``: list of image objects, optional, default ``[]``. Each image is an object with two required
  string fields, ``url`` and ``name``.

Contract (the hidden tests check exactly this):

- [q06.1] ``POST /items/`` with an item as the JSON body answers 200 with a JSON object holding every item field
  (the values sent, defaults filled in for the fields left out) plus ``price_with_tax``: ``price + tax``,
  or ``price`` when ``tax`` is null or missing.
- [q06.2] ``PUT /items/{item_id}?q=...`` reads three things at once: ``item_id`` (an integer) from the path, the
  item from the JSON body (the body is the item object itself, not wrapped in another key) and ``q`` (an
  optional string, default null) from the query string. It answers 200 with
  ``{"item_id": <int>, "item": {<every item field, defaults filled in>}, "q": <string or null>}``.
- [q06.3] A body that does not fit the item (a required field missing, a value of the wrong type, an image without
  its ``url`` or ``name``, ``tags`` that is not a list of strings) answers 422, and FastAPI's error list
  names the failing field in ``loc``: for example ``["body", "price"]`` or ``["body", "images", 0, "name"]``.
- [q06.4] ``PUT /items/abc`` (an ``item_id`` that is not an integer) answers 422 with ``loc`` ``["path", "item_id"]``.

Run it: ``uvicorn q06_request_body:app --reload`` then open http://127.0.0.1:8000/docs
"""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Image(BaseModel):
    # TODO: two required string fields, url and name.
    pass


class Item(BaseModel):
    # TODO: name, price, description, tax, tags and images, with the types and defaults of the contract.
    pass


# TODO: POST /items/ answering the item's fields plus price_with_tax.

# TODO: PUT /items/{item_id} reading item_id from the path, the item from the body and q from the query string.
