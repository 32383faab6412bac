"""Q20 · Background tasks (advanced)

Question: how do you run work after the response has been sent, without making the client wait for it?

Contract (the hidden tests check exactly this):

- [q20.1] ``LOG_PATH`` (module level, a ``pathlib.Path``): the log file. The tests set ``module.LOG_PATH`` to a
  ``pathlib.Path`` in a folder of their own before their requests (as ``monkeypatch.setattr`` would) and read that
  file, so read it when a task runs, not once at import (no default argument bound to it).
- [q20.2] ``write_log(message)`` (a plain ``def``, as in the stub) appends ``message`` plus a newline (``"\\n"``) to
  the file at ``LOG_PATH``, creating the file if needed and keeping what is already there. Every log line
  below is written by ``write_log`` running as a background task (``BackgroundTasks.add_task``): after the
  response has been sent, and finished before the app's request handling returns (no thread or task left
  running on its own). Nothing is written while the endpoint runs. The tests replace ``write_log`` by a fake
  that hands each line to them and may hold it back a few seconds (the response must be sent meanwhile, and the
  app's handling of the request must not return before the line is done), so refer to it by its module-level
  name when a request runs.
- [q20.3] ``POST /send-notification/`` answers 200 with ``{"message": "Notification sent"}`` and logs the line
  ``Notification sent``.
- [q20.4] ``POST /orders/`` takes the JSON body ``{"item": str, "quantity": int >= 1, "email": str}``. ``item`` must
  be one of ``CATALOGUE`` (given: ``widget``, ``gadget``, ``gizmo``), otherwise 404 with
  ``{"detail": "Item not found"}``; a ``quantity`` below 1 (or any other invalid body) answers 422. A valid
  order answers 201 with ``{"order_id": n, "item": ..., "quantity": ...}``. Only accepted orders get a number:
  ``n`` is 1 for the first order answered 201, 2 for the next one answered 201, and so on (an order refused with
  404 or 422 uses up no number). A valid order logs exactly these lines in this order:
  1. ``audit: POST /orders/`` — added by the dependency ``audit_request`` (a module-level function that
     takes ``BackgroundTasks``; the route uses it through ``Depends(audit_request)``). The tests replace it
     with ``app.dependency_overrides[module.audit_request]`` and then expect the other two lines only.
  2. ``order {n} created``
  3. ``email to {email}: order {n} confirmed``
- [q20.5] A request that fails (the 404 and the 422 above) logs nothing at all, not even the audit line.

Run it: ``fastlings serve 20`` then
``curl -X POST http://127.0.0.1:8000/send-notification/`` and look at ``log.txt``.
"""

from pathlib import Path

from fastapi import FastAPI
from pydantic import BaseModel, Field

LOG_PATH = Path("log.txt")
CATALOGUE = {"widget", "gadget", "gizmo"}

app = FastAPI()


class Order(BaseModel):
    item: str
    quantity: int = Field(ge=1)
    email: str


class OrderCreated(BaseModel):
    order_id: int
    item: str
    quantity: int


def write_log(message: str) -> None:
    # TODO: append the message and a newline to the file at LOG_PATH (look LOG_PATH up here, when it runs).
    pass


def audit_request() -> None:
    # TODO: take the BackgroundTasks (and whatever else you need) and add a task that logs "audit: {method} {path}".
    pass


# TODO: POST /send-notification/: answer {"message": "Notification sent"} and log "Notification sent" afterwards.

# TODO: POST /orders/ (201, uses Depends(audit_request)): 404 for an item not in CATALOGUE; otherwise log
#       "order {n} created" then "email to {email}: order {n} confirmed" after the response.
