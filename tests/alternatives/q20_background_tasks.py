"""A second answer to q20, written blind from the contract in exercises/q20_background_tasks.py."""

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
