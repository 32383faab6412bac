"""The judge's services: what the kit's fakes in a host call across the wall (see ``grader.host.services``).

A hidden test registers a handler per service name (``host.serve("q30.fetch", handler)``); every call the host
makes is recorded here, in arrival order, whether or not a handler exists (``host.service_calls(name)``). A
handler runs in a thread of its own, so it may block (hold a blocking call until the test has seen something
else) without stopping other calls. What a test asserts about calls is counted here, in the judge: the host can
only make calls, never edit the record.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader.protocol import ChannelClosed, receive, send

__all__ = ["ServiceCall", "ServiceHub"]

Handler = Callable[..., Any]
_MAX_CALLS = 10_000  # a host that calls without end is stopped being recorded, not the judge's memory
_MAX_IN_FLIGHT = 64  # calls answered at once; past that a call is refused at once, not given a thread


@dataclass(frozen=True)
class ServiceCall:
    name: str
    args: tuple[Any, ...]


class ServiceHub:
    """Serves one host's service socket from a daemon thread until the host closes it."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._handlers: dict[str, Handler] = {}
        self._calls: list[ServiceCall] = []
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._in_flight = threading.BoundedSemaphore(_MAX_IN_FLIGHT)
        threading.Thread(target=self._serve, name="judge-services", daemon=True).start()

    def serve(self, name: str, handler: Handler) -> None:
        """Answer calls of ``name`` with ``handler(*args)`` (its JSON result); unserved names answer None."""
        with self._lock:
            self._handlers[name] = handler

    def calls(self, name: str | None = None) -> list[ServiceCall]:
        """Every call received so far (of ``name``, or of every service), in arrival order."""
        with self._lock:
            return [c for c in self._calls if name is None or c.name == name]

    def wait_for(self, name: str, count: int, timeout: float) -> bool:
        """Wait until ``count`` calls of ``name`` have arrived (True), or ``timeout`` has passed (False)."""
        with self._arrived:
            return self._arrived.wait_for(
                lambda: sum(1 for c in self._calls if c.name == name) >= count, timeout=timeout
            )

    def _serve(self) -> None:
        with contextlib.suppress(ChannelClosed, OSError, ValueError):
            while True:
                message = receive(self._sock)
                name, args = str(message.get("name", "")), message.get("args", [])
                args = tuple(args) if isinstance(args, list) else ()
                with self._arrived:
                    if len(self._calls) < _MAX_CALLS:
                        self._calls.append(ServiceCall(name, args))
                    handler = self._handlers.get(name)
                    self._arrived.notify_all()
                if not self._in_flight.acquire(blocking=False):  # a flood: no thread per call for it
                    self._reply({"id": message.get("id"), "error": "too many calls in flight"})
                    continue
                threading.Thread(
                    target=self._answer,
                    args=(message.get("id"), handler, args),
                    name=f"judge-service-{name}",
                    daemon=True,
                ).start()

    def _answer(self, number: Any, handler: Handler | None, args: tuple[Any, ...]) -> None:
        try:
            reply = {"id": number, "result": handler(*args) if handler else None}
        except Exception as exc:  # a handler's refusal goes back to the fake, which raises it in the host
            reply = {"id": number, "error": f"{type(exc).__name__}: {exc}"}
        finally:
            self._in_flight.release()
        self._reply(reply)

    def _reply(self, reply: dict[str, Any]) -> None:
        with self._send_lock, contextlib.suppress(OSError, ValueError):
            send(self._sock, reply)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()
