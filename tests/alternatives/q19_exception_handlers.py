"""A second answer to q19, written blind from the contract in exercises/q19_exception_handlers.py."""

import json
from collections.abc import Awaitable, Callable
from datetime import date
from itertools import count
from typing import Annotated, Any, Self

from fastapi import Body, FastAPI, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError, model_validator

app = FastAPI()


class Booking(BaseModel):
    room: str = Field(min_length=1)
    guests: int = Field(ge=1, le=4)
    check_in: date
    check_out: date

    @model_validator(mode="after")
    def check_dates(self) -> Self:
        if self.check_out <= self.check_in:
            raise ValueError("check_out must be after check_in")
        return self


class RoomUnavailableError(Exception):
    def __init__(self, room: str) -> None:
        super().__init__(f"room {room} is already booked")
        self.room = room


BOOKINGS: dict[int, Booking] = {}
_ids = count(1)


def _store(booking: Booking) -> dict[str, Any]:
    for other in BOOKINGS.values():
        overlaps = booking.check_in < other.check_out and other.check_in < booking.check_out
        if other.room == booking.room and overlaps:
            raise RoomUnavailableError(booking.room)
    booking_id = next(_ids)
    BOOKINGS[booking_id] = booking
    return {"id": booking_id, **booking.model_dump(mode="json")}


@app.post("/bookings/", status_code=status.HTTP_201_CREATED)
def create_booking(booking: Booking) -> dict[str, Any]:
    return _store(booking)


@app.post("/bookings/import", status_code=status.HTTP_201_CREATED)
def import_booking(payload: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    booking = Booking.model_validate(payload)  # raises pydantic.ValidationError on bad data
    return _store(booking)


@app.get("/bookings/{booking_id}")
def read_booking(booking_id: int) -> dict[str, Any]:
    if booking_id not in BOOKINGS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Booking not found")
    return {"id": booking_id, **BOOKINGS[booking_id].model_dump(mode="json")}


@app.get("/reports/daily")
def daily_report() -> dict[str, Any]:
    raise RuntimeError("cannot reach postgres://admin:hunter2@10.0.0.5/reports")


PARTNER_KEYS: dict[str, str] = {}  # filled from the vault in production; empty here


@app.get("/reports/partners")
def partner_report() -> dict[str, Any]:
    return {"partner": "acme", "key": PARTNER_KEYS["acme-hunter2-api-key"]}  # fails with a KeyError


# --- exception handlers -------------------------------------------------------------------------------
# Registered with add_exception_handler (no decorators). Starlette picks the most specific class in the
# MRO, so HTTPException keeps FastAPI's own handler and the Exception handler only sees what is left.


async def endpoint_validation_failed(request: Request, exc: Exception) -> JSONResponse:
    """A pydantic.ValidationError raised by our own code: 422 with pydantic's own JSON rendering of the errors.

    ``exc.json()`` already turns the ValueError of a model validator (in ``ctx``) into a string, so the result
    is JSON-safe without hand-written cleaning; ``loc`` comes out as a list.
    """
    assert isinstance(exc, ValidationError)
    errors = json.loads(exc.json(include_url=False))
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": errors})


async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's RequestValidationError (body, path, query...): 400 with one {loc, msg, type} per problem."""
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", "")), "type": str(error.get("type", ""))}
        for error in exc.errors()
    ]
    return JSONResponse(
        status_code=status.HTTP_400_BAD_REQUEST,
        content={"error": "invalid_request", "problems": problems},
    )


async def room_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RoomUnavailableError)
    return JSONResponse(status_code=status.HTTP_409_CONFLICT, content={"error": "room_unavailable", "room": exc.room})


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """Anything else: tell the client nothing about it (ServerErrorMiddleware still re-raises it for the server log)."""
    return JSONResponse(status_code=status.HTTP_500_INTERNAL_SERVER_ERROR, content={"error": "internal_error"})


_HANDLERS: dict[type[Exception], Callable[[Request, Exception], Awaitable[JSONResponse]]] = {
    ValidationError: endpoint_validation_failed,
    RequestValidationError: invalid_request,
    RoomUnavailableError: room_unavailable,
    Exception: internal_error,
}
for exc_class, handler in _HANDLERS.items():
    app.add_exception_handler(exc_class, handler)
