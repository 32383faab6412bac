"""Q24 · CORS (advanced)

Question: how do you let a browser front end on another origin call your FastAPI API, with cookies or an
``Authorization`` header, without opening the API to every web site?

The routes below are given. Configure CORS for ``app`` with Starlette's ``CORSMiddleware``
(``fastapi.middleware.cors``). A wildcard origin together with credentials is the classic mistake: it lets
any site send credentialed requests and read the answers.

Contract (the hidden tests check exactly this):

- [q24.1] Allowed origins, matched exactly (scheme, host and port): ``https://app.example.com`` and
  ``http://localhost:3000``. No other origin is allowed: not ``https://evil.example.com``, not
  ``http://app.example.com``, not ``http://localhost:8080``.
- [q24.2] Credentials are allowed: every response to an allowed origin, errors included (404, 422), carries
  ``Access-Control-Allow-Credentials: true`` and ``Access-Control-Allow-Origin`` equal to that origin (never
  ``*``), and its ``Vary`` header lists ``Origin`` (the answer depends on it, so caches must not share it
  between origins).
- [q24.3] Cross-origin methods: ``GET`` and ``POST`` only. Cross-origin request headers: ``Authorization`` and
  ``Content-Type`` (plus the CORS-safelisted ones Starlette always allows).
- [q24.4] Exposed response header: ``X-Total-Count`` (listed in ``Access-Control-Expose-Headers`` on every
  response to an allowed origin that is not a preflight).
- [q24.5] Preflight cache: ``Access-Control-Max-Age: 3600`` (one hour; Starlette's default is 600).
- [q24.6] A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) from an allowed origin for
  an allowed method and allowed headers answers 200 with every one of: ``Access-Control-Allow-Origin`` (that
  origin), ``Access-Control-Allow-Credentials: true``, an ``Access-Control-Allow-Methods`` that lists GET and POST
  but not DELETE, PUT or PATCH, an ``Access-Control-Allow-Headers`` that lists ``Authorization`` and
  ``Content-Type``, ``Access-Control-Max-Age: 3600`` and a ``Vary`` that lists ``Origin``.
  ``Access-Control-Expose-Headers`` belongs to the actual responses; a preflight may carry it or not.
- [q24.7] A preflight that asks for any other method or header answers 400 (``DELETE /items/{item_id}`` exists,
  but only for same-origin callers).
- [q24.8] A request (preflight or not) from an origin that is not allowed gets no ``Access-Control-Allow-Origin``
  header; a non-preflight one is still answered normally (the browser, not the server, blocks it). Only that
  header is checked: the other CORS headers may be there or not (Starlette still sends
  ``Access-Control-Allow-Credentials`` and ``Access-Control-Expose-Headers``, which a browser ignores without
  ``Access-Control-Allow-Origin``), and the status of a refused preflight is not checked.
- [q24.9] Given routes: ``GET /items`` answers the list of items with an ``X-Total-Count`` header holding their
  number; ``POST /items`` with ``{"name": str}`` (any text, non-ASCII included) answers 201 with
  ``{"id": int, "name": str}``, a new id never in use; items are exactly ``{"id", "name"}`` in every answer;
  ``DELETE /items/{item_id}`` answers 204 (404 for an unknown id).

Run it: ``fastlings serve 24`` then send a preflight:
``curl -i -X OPTIONS localhost:8000/items -H "Origin: http://localhost:3000" -H "Access-Control-Request-Method: POST"``
"""

from fastapi import FastAPI, HTTPException, Response, status
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

app = FastAPI()

# TODO: add CORSMiddleware: the two allowed origins, credentials, GET and POST, the Authorization and
#       Content-Type headers, X-Total-Count exposed, max age 3600.


class ItemIn(BaseModel):
    name: str


class Item(BaseModel):
    id: int
    name: str


items: dict[int, Item] = {1: Item(id=1, name="Hammer"), 2: Item(id=2, name="Saw")}


@app.get("/items")
def list_items(response: Response) -> list[Item]:
    response.headers["X-Total-Count"] = str(len(items))
    return list(items.values())


@app.post("/items", status_code=status.HTTP_201_CREATED)
def create_item(item: ItemIn) -> Item:
    new_item = Item(id=max(items, default=0) + 1, name=item.name)
    items[new_item.id] = new_item
    return new_item


@app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: int) -> None:
    if items.pop(item_id, None) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
