"""Q12 · Errors and HTTPException (intermediate)

Question: how do you report errors from a FastAPI application: expected HTTP errors, errors that need
extra response headers, and exceptions from your own business code that know nothing about HTTP? How do
clients get one predictable error format?

Build a tiny stock-keeping API over the in-memory ``items_db``.

Contract (the hidden tests check exactly this):

- [q12.1] Names the tests use: ``app``, ``items_db`` (``dict[int, dict]``, tests may read it), ``MAINTENANCE`` (a bool
  the tests set to ``True``; read it at request time), ``OutOfStockError``. ``ReserveRequest`` is given too.
- [q12.2] Error body shape: every error response except request validation answers a JSON object with at least
  ``"detail"`` (the message, a string) and ``"status"`` (the HTTP status code, an int), e.g.
  ``{"detail": "Item not found", "status": 404}``. This covers the app's own ``HTTPException``s *and* the errors
  the framework raises itself: an unknown path answers 404 ``{"detail": "Not Found", "status": 404}``, a wrong
  method 405 ``{"detail": "Method Not Allowed", "status": 405}``. Headers an exception carries (such as ``Allow``
  on a 405 or ``Retry-After`` below) stay on the response.
- [q12.3] Request validation errors (422) keep FastAPI's default body: ``{"detail": [ ...errors... ]}``.
- [q12.4] ``GET /items/{item_id}`` answers the stored item, e.g. ``{"name": "Hammer", "stock": 3}``; an unknown id
  answers 404 with detail ``"Item not found"``.
- [q12.5] ``POST /items/{item_id}/reserve`` with JSON ``{"quantity": n}`` (``n`` >= 1, else 422) takes ``n`` from the
  item's stock and answers ``{"item_id": ..., "reserved": n, "stock": <what is left>}``. Unknown id → 404
  ``"Item not found"``.
- [q12.6] Not enough stock: the reservation logic raises ``OutOfStockError(item_id, requested, available)`` (the class
  is given) and an exception handler registered on the app for that class turns it, from any route, into 409
  ``{"detail": "Not enough stock", "status": 409, "item_id": ..., "requested": ..., "available": ...}``. The
  stock is left unchanged. The tests read that registration in the source, in one of these forms:
  ``@app.exception_handler(OutOfStockError)``, ``app.add_exception_handler(OutOfStockError, ...)``,
  ``FastAPI(exception_handlers={OutOfStockError: ...})``.
- [q12.7] Maintenance: while ``MAINTENANCE`` is true, ``POST /items/{item_id}/reserve`` answers 503 with detail
  ``"Store under maintenance"`` and the header ``Retry-After: 120``; ``GET /items/{item_id}`` still works.

Run it: ``fastlings serve 12`` then open http://127.0.0.1:8000/docs
"""

from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

MAINTENANCE = False

items_db: dict[int, dict[str, Any]] = {
    1: {"name": "Hammer", "stock": 3},
    2: {"name": "Screwdriver", "stock": 10},
}


class OutOfStockError(Exception):
    """Raised by the business logic; it knows nothing about HTTP."""

    def __init__(self, item_id: int, requested: int, available: int):
        super().__init__(f"item {item_id}: {requested} requested, {available} available")
        self.item_id = item_id
        self.requested = requested
        self.available = available


class ReserveRequest(BaseModel):
    quantity: int = Field(ge=1)


app = FastAPI(title="Errors and HTTPException")

# TODO: one exception handler that gives every HTTP error, the framework's own 404/405 included, the body
#       {"detail": ..., "status": ...} and keeps the exception's headers.

# TODO: an exception handler for OutOfStockError -> 409 with the body described in the contract.

# TODO: GET /items/{item_id}: the item, or 404 "Item not found".

# TODO: POST /items/{item_id}/reserve: 503 + Retry-After while MAINTENANCE, 404 for an unknown item,
#       OutOfStockError when the stock is too low, else take the quantity from the stock.
