"""Requests the judge starts and collects later, so that it can have several in flight at once.

A ``TestClient`` call returns when the app has *returned*, after its background tasks; a server sends the
response as soon as the app has sent its last body part. A started request is served like a server serves it:
the app is called on the client's event loop (the one every other request of that client shares), the response
is complete when its last body part is sent, and whether the app has returned is a separate fact. The judge
sends a request, keeps it pending while it sends others or answers the host's service calls, then collects the
response; what it concludes from the order in which things happened, it concludes itself.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = ["StartedRequest"]


class StartedRequest:
    """One request running on an entered ``TestClient``'s event loop (its portal)."""

    def __init__(self, client: Any, method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> None:
        transport = client._transport  # Starlette's own: the app, root path, client address and lifespan state
        parts = urlsplit(url)
        default_port = 443 if parts.scheme == "https" else 80
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "path": unquote(parts.path),
            "raw_path": parts.path.encode("latin-1"),
            "root_path": transport.root_path,
            "scheme": parts.scheme or "http",
            "query_string": parts.query.encode("latin-1"),
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            "client": transport.client,
            "server": [parts.hostname or "testserver", parts.port or default_port],
            "extensions": {"http.response.debug": {}},
            "state": transport.app_state.copy(),
        }
        self.status: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.body = bytearray()
        self.error: BaseException | None = None
        self.complete = threading.Event()  # the last body part was sent (or the app failed before it)
        self.returned = threading.Event()  # the app's call returned (background tasks included)
        self._body = body
        self._app = transport.app
        self._scope = scope
        self._sent_body = False
        self._future = client.portal.start_task_soon(self._run)

    async def _receive(self) -> dict[str, Any]:
        if not self._sent_body:
            self._sent_body = True
            return {"type": "http.request", "body": self._body, "more_body": False}
        import anyio

        while not self.complete.is_set():  # the client stays until it has its whole response, then leaves
            await anyio.sleep(0.01)
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
            if not message.get("more_body", False):
                self.complete.set()

    async def _run(self) -> None:
        try:
            await self._app(self._scope, self._receive, self._send)
        except BaseException as exc:
            self.error = exc
        finally:
            self.returned.set()
            self.complete.set()
