"""A second answer to q12, written blind from the contract in exercises/q12_error_handling.py."""

from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

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


def _error_body(message: str, status_code: int, **extra: Any) -> dict[str, Any]:
    return {"detail": message, "status": status_code, **extra}


class ErrorHandlers:
    """The app's error translators, grouped; registered on the app below."""

    @staticmethod
    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        # Registered for Starlette's HTTPException, the base of FastAPI's, so the router's own
        # 404 / 405 come through here too. The exception's headers (Allow, Retry-After, ...) are kept.
        assert isinstance(exc, StarletteHTTPException)
        return JSONResponse(
            _error_body(exc.detail, exc.status_code),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @staticmethod
    async def out_of_stock(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, OutOfStockError)
        code = status.HTTP_409_CONFLICT
        return JSONResponse(
            _error_body(
                "Not enough stock",
                code,
                item_id=exc.item_id,
                requested=exc.requested,
                available=exc.available,
            ),
            status_code=code,
        )

    @staticmethod
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Unhandled errors get the same shape (Starlette still re-raises them after answering).
        code = status.HTTP_500_INTERNAL_SERVER_ERROR
        return JSONResponse(_error_body("Internal Server Error", code), status_code=code)


app.add_exception_handler(StarletteHTTPException, ErrorHandlers.http_error)
app.add_exception_handler(OutOfStockError, ErrorHandlers.out_of_stock)
app.add_exception_handler(Exception, ErrorHandlers.unexpected)


# --- business logic: knows nothing about HTTP ---------------------------------------------------------


def reserve_stock(record: dict[str, Any], item_id: int, quantity: int) -> int:
    """Takes ``quantity`` from the record's stock and returns what is left, or raises OutOfStockError."""
    available = record["stock"]
    if quantity > available:
        raise OutOfStockError(item_id, quantity, available)
    record["stock"] = available - quantity
    return record["stock"]


# --- HTTP layer ---------------------------------------------------------------------------------------


def refuse_during_maintenance() -> None:
    # Reads the module global at request time (the tests flip it).
    if MAINTENANCE:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="Store under maintenance",
            headers={"Retry-After": "120"},
        )


def existing_item(item_id: int) -> dict[str, Any]:
    record = items_db.get(item_id)
    if record is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return record


@app.get("/items/{item_id}")
def read_item(item: Annotated[dict[str, Any], Depends(existing_item)]) -> dict[str, Any]:
    return item


@app.post("/items/{item_id}/reserve", dependencies=[Depends(refuse_during_maintenance)])
def reserve_item(
    item_id: int,
    body: ReserveRequest,
    item: Annotated[dict[str, Any], Depends(existing_item)],
) -> dict[str, Any]:
    left = reserve_stock(item, item_id, body.quantity)
    return {"item_id": item_id, "reserved": body.quantity, "stock": left}
