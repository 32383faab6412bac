"""Calls from the host to services the judge runs: the kit's fakes forward, the judge observes and answers.

Where a hidden test needs to know what the candidate's code did with a dependency (how often it read the slow
source, whether a blocking call was left on the event loop, what a background task wrote), the dependency is
replaced by a fake that does nothing but forward the call across the wall (``call`` / ``acall``). The judge
counts, orders and times the calls it receives and chooses the answers (values the app cannot guess, or an
answer held back until the judge has seen something else). Nothing the judge concludes is computed here, so
there is nothing here for the candidate's code to rewrite: it can only make calls, which is behaviour.

Frames are ``grader.protocol`` frames on a socket of their own: ``{"id", "name", "args"}`` from the host,
``{"id", "result"}`` or ``{"id", "error"}`` back. Calls may be made from any thread; each waits for its answer.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
from typing import Any

from grader.protocol import ChannelClosed, receive, send

__all__ = ["ServiceError", "acall", "attach", "call"]


class ServiceError(RuntimeError):
    """The judge's service refused the call, or the judge is gone."""


class _Link:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.ids = itertools.count(1)
        self.send_lock = threading.Lock()
        self.waiting: dict[int, tuple[threading.Event, list[dict[str, Any]]]] = {}
        self.closed = False
        threading.Thread(target=self._read, name="kit-services", daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                reply = receive(self.sock)
                slot = self.waiting.pop(int(reply.get("id", 0)), None)
                if slot is not None:
                    slot[1].append(reply)
                    slot[0].set()
        except (ChannelClosed, OSError, ValueError):
            self.closed = True
            for event, _box in list(self.waiting.values()):
                event.set()

    def call(self, name: str, args: list[Any]) -> Any:
        if self.closed:
            raise ServiceError("the judge's services are gone")
        number = next(self.ids)
        event, box = threading.Event(), []
        self.waiting[number] = (event, box)
        with self.send_lock:
            send(self.sock, {"id": number, "name": name, "args": args})
        event.wait()
        if not box:
            raise ServiceError("the judge's services are gone")
        if "error" in box[0]:
            raise ServiceError(str(box[0]["error"]))
        return box[0].get("result")


_LINK: _Link | None = None


def attach(sock: socket.socket) -> None:
    """Called once by the host, before the candidate's module is imported."""
    global _LINK
    _LINK = _Link(sock)


def call(name: str, *args: Any) -> Any:
    """Call the judge's service ``name`` with JSON arguments and wait for its JSON answer."""
    if _LINK is None:
        raise ServiceError("this host has no link to the judge's services")
    return _LINK.call(name, list(args))


async def acall(name: str, *args: Any) -> Any:
    """``call`` from a coroutine, without blocking the event loop while the judge answers.

    Each call waits in a thread of its own (not a pool's): the judge may hold any number of answers back.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(outcome: tuple[bool, Any]) -> None:
        if not future.done():
            (future.set_result if outcome[0] else future.set_exception)(outcome[1])

    def wait_for_the_judge() -> None:
        try:
            outcome: tuple[bool, Any] = (True, call(name, *args))
        except BaseException as exc:
            outcome = (False, exc)
        loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=wait_for_the_judge, name=f"kit-service-{name}", daemon=True).start()
    return await future
