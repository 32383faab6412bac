"""Q20 · Background tasks (advanced)

Question: how do you run work after the response has been sent, without making the client wait for it?

Contract (the hidden tests check exactly this):

- ``LOG_PATH`` (module level, a ``pathlib.Path``): the log file. The tests replace it with
  ``monkeypatch.setattr(module, "LOG_PATH", tmp_path / "...")`` before their requests, so read it when a
  task runs, not once at import (no default argument bound to it).
- ``write_log(message)`` (a plain ``def``, as in the stub) appends ``message`` plus a newline (``"\\n"``) to
  the file at ``LOG_PATH``, creating the file if needed and keeping what is already there. Every log line
  below is written by ``write_log`` running as a background task (``BackgroundTasks.add_task``): after the
  response has been sent, and finished before the app's request handling returns (no thread or task left
  running on its own). Nothing is written while the endpoint runs. The tests may wrap ``write_log`` (a
  slower copy), so refer to it by its module-level name when a request runs.
- ``POST /send-notification/`` answers 200 with ``{"message": "Notification sent"}`` and logs the line
  ``Notification sent``.
- ``POST /orders/`` takes the JSON body ``{"item": str, "quantity": int >= 1, "email": str}``. ``item`` must
  be one of ``CATALOGUE`` (given: ``widget``, ``gadget``, ``gizmo``), otherwise 404 with
  ``{"detail": "Item not found"}``; a ``quantity`` below 1 (or any other invalid body) answers 422. A valid
  order answers 201 with ``{"order_id": n, "item": ..., "quantity": ...}``, ``n`` counting 1, 2, 3, ... from
  the first order, and logs exactly these lines in this order:
  1. ``audit: POST /orders/`` — added by the dependency ``audit_request`` (a module-level function that
     takes ``BackgroundTasks``; the route uses it through ``Depends(audit_request)``). The tests replace it
     with ``app.dependency_overrides[module.audit_request]`` and then expect the other two lines only.
  2. ``order {n} created``
  3. ``email to {email}: order {n} confirmed``
- A request that fails (the 404 and the 422 above) logs nothing at all, not even the audit line.

Run it: ``uvicorn q20_background_tasks:app --reload`` then
``curl -X POST http://127.0.0.1:8000/send-notification/`` and look at ``log.txt``.
"""

from itertools import count
from pathlib import Path

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Depends,
    FastAPI,
    HTTPException,
    Request,
    status,
)
from pydantic import BaseModel, Field

LOG_PATH = Path("log.txt")
CATALOGUE = {"widget", "gadget", "gizmo"}

app = FastAPI()
router = APIRouter()


class Order(BaseModel):
    item: str
    quantity: int = Field(ge=1)
    email: str


class OrderCreated(BaseModel):
    order_id: int
    item: str
    quantity: int


def write_log(message: str) -> None:
    # LOG_PATH is looked up in the module globals each time the task runs, so a monkeypatched path is used.
    with LOG_PATH.open("a", encoding="utf-8") as log_file:
        log_file.write(f"{message}\n")


def _log_later(background_tasks: BackgroundTasks, message: str) -> None:
    # `write_log` is resolved here, per request, from the module globals: a wrapped copy set on the module wins.
    background_tasks.add_task(write_log, message)


def audit_request(request: Request, background_tasks: BackgroundTasks) -> None:
    _log_later(background_tasks, f"audit: {request.method} {request.url.path}")


class OrderNumbers:
    """Numbers successful orders 1, 2, 3, ...; a refused order does not use up a number."""

    def __init__(self) -> None:
        self._numbers = count(1)

    def next(self) -> int:
        return next(self._numbers)


order_numbers = OrderNumbers()


@router.post("/send-notification/")
async def send_notification(background_tasks: BackgroundTasks) -> dict[str, str]:
    _log_later(background_tasks, "Notification sent")
    return {"message": "Notification sent"}


@router.post(
    "/orders/",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderCreated,
    dependencies=[Depends(audit_request)],
)
async def create_order(order: Order, background_tasks: BackgroundTasks) -> OrderCreated:
    if order.item not in CATALOGUE:
        # The tasks queued so far (the audit line) are dropped with the error response: nothing is logged.
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    order_id = order_numbers.next()
    _log_later(background_tasks, f"order {order_id} created")
    _log_later(background_tasks, f"email to {order.email}: order {order_id} confirmed")
    return OrderCreated(order_id=order_id, item=order.item, quantity=order.quantity)


app.include_router(router)
