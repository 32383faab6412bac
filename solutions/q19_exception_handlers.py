"""Q19 · Custom exception handlers (advanced)

Question: how do you turn exceptions into the HTTP responses you want, and which handler catches what?

The booking endpoints below are given and finished: do not change them. Your job is the exception
handlers. Keep in mind that a ``pydantic.ValidationError`` raised by your own code inside an endpoint and
the ``RequestValidationError`` FastAPI raises for an invalid request are two different exceptions.

Contract (the hidden tests check exactly this):

- [q19.1] Given endpoints (in the stub): ``POST /bookings/`` (body: a ``Booking``) answers 201 with the booking
  and its ``id``; ``GET /bookings/{booking_id}`` answers 200 with a booking or 404
  ``{"detail": "Booking not found"}``; ``POST /bookings/import`` takes any JSON object and validates it
  with ``Booking.model_validate`` inside the endpoint; ``GET /reports/daily`` fails with an unexpected
  ``RuntimeError`` and ``GET /reports/partners`` with an unexpected ``KeyError``. A ``Booking`` needs
  ``check_out`` after ``check_in``: its model validator raises ``ValueError("check_out must be after
  check_in")``; ``guests`` must be from 1 to 4.
- [q19.2] A ``pydantic.ValidationError`` raised inside an endpoint answers 422 with ``{"detail": <the error
  list>}``: the list of ``exc.errors()``, made JSON-safe (a model validator's ``ValueError`` must not break
  the response), where each error keeps at least ``type``, ``loc`` (a list) and ``msg``. Example: an import
  with ``check_out`` before ``check_in`` gives an error with ``type == "value_error"``, ``loc == []`` and
  ``msg == "Value error, check_out must be after check_in"``.
- [q19.3] An invalid request (body, path or query, as FastAPI validates it: ``RequestValidationError``) answers
  **400** (not 422) with ``{"error": "invalid_request", "problems": [...]}``, one problem per error, each
  ``{"loc": [...], "msg": "..."}`` with pydantic's ``loc`` as a list (e.g. ``["body", "guests"]``,
  ``["path", "booking_id"]``) and its ``msg`` unchanged, word for word (e.g. ``"Value error, check_out must be
  after check_in"`` at ``["body"]`` for the model validator, prefix included; extra keys allowed).
- [q19.4] ``RoomUnavailableError`` (given; raised by ``POST /bookings/`` when the room is already booked for
  overlapping dates) answers 409 with ``{"error": "room_unavailable", "room": <the room>}`` (extra keys
  allowed).
- [q19.5] Any other unhandled exception answers 500 with the JSON ``{"error": "internal_error"}`` (extra keys
  allowed) and nothing that leaks the failure: not the exception's text, not its class name, no
  traceback. The tests see this on the given ``GET /reports/daily`` (a ``RuntimeError``) and
  ``GET /reports/partners`` (a ``KeyError``), calling the app with
  ``TestClient(app, raise_server_exceptions=False)``.
- [q19.6] ``HTTPException`` keeps FastAPI's usual answers: the 404 above and ``{"detail": "Not Found"}`` for an
  unknown path.

Run it: ``fastlings serve 19`` then open http://127.0.0.1:8000/docs
"""

from datetime import date
from itertools import count
from typing import Annotated, Any, Self

import pydantic
from fastapi import Body, FastAPI, HTTPException, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

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


@app.exception_handler(pydantic.ValidationError)
async def pydantic_validation_handler(request: Request, exc: pydantic.ValidationError) -> JSONResponse:
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": jsonable_encoder(exc.errors())},
    )


@app.exception_handler(RequestValidationError)
async def request_validation_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [{"loc": list(error["loc"]), "msg": error["msg"]} for error in exc.errors()]
    return JSONResponse(
        status_code=status.HTTP_400_BAD_REQUEST,
        content={"error": "invalid_request", "problems": problems},
    )


@app.exception_handler(RoomUnavailableError)
async def room_unavailable_handler(request: Request, exc: RoomUnavailableError) -> JSONResponse:
    return JSONResponse(
        status_code=status.HTTP_409_CONFLICT,
        content={"error": "room_unavailable", "room": exc.room},
    )


@app.exception_handler(Exception)
async def unhandled_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    # Starlette re-raises the exception after this response is sent, so the server still logs the traceback.
    return JSONResponse(
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        content={"error": "internal_error"},
    )
