"""``AppHost``: what a hidden test holds instead of the candidate's module."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from grader.judge.bridge.channel import Channel
from grader.judge.bridge.errors import BridgeError, CandidateError
from grader.judge.bridge.services import ServiceCall, ServiceHub
from grader.protocol import b64decode, b64encode

__all__ = ["AppHost", "BridgeClient", "Endpoint", "RemoteWebSocket", "StartedResponse"]

_MISSING = object()


@dataclass(frozen=True)
class Endpoint:
    found: bool
    is_async: bool = False
    name: str = ""


class AppHost:
    """The candidate's module as the judge sees it: facts, calls, helpers and clients, all as plain data."""

    def __init__(
        self,
        channel: Channel,
        filename: str,
        request_timeout_s: float,
        *,
        services: ServiceHub | None = None,
        scratch: Path | None = None,
        source: bytes = b"",
    ) -> None:
        self._channel = channel
        self.filename = filename
        self.request_timeout_s = request_timeout_s
        self._services = services
        self.scratch = scratch  # the host's working folder, which the judge reads after the host answered
        self.source = source  # the graded file's bytes, read by the judge before the host started: parse, never run

    # -- services: what the kit's fakes in the host call, observed here -------------------------------------
    def serve(self, name: str, handler: Callable[..., Any]) -> None:
        """Answer the host's calls of service ``name`` with ``handler(*args)`` (see
        ``grader.judge.bridge.services``)."""
        self._hub().serve(name, handler)

    def service_calls(self, name: str | None = None) -> list[ServiceCall]:
        """The service calls the host made so far (of ``name``), in arrival order, as recorded by the judge."""
        return self._hub().calls(name)

    def wait_for_calls(self, name: str, count: int = 1, timeout: float | None = None) -> bool:
        """Wait until the host has called ``name`` ``count`` times (True) or the timeout passed (False)."""
        return self._hub().wait_for(name, count, self.request_timeout_s if timeout is None else timeout)

    def _hub(self) -> ServiceHub:
        if self._services is None:
            raise BridgeError("this host has no services")
        return self._services

    @property
    def layers(self) -> list[str]:
        """The sandbox layers active around this host."""
        return list(self._channel.layers)

    @property
    def missing_layers(self) -> dict[str, str]:
        return dict(self._channel.missing)

    def request(self, op: str, /, *, what: str = "", timeout: float | None = None, **fields: Any) -> Any:
        """Send one operation; its result, or ``CandidateError`` (the candidate's code raised) / ``BridgeError``."""
        reply = self._channel.exchange({"op": op, **fields}, timeout or self.request_timeout_s, what or op)
        if reply.get("ok"):
            return reply.get("result")
        if "fault" in reply:
            raise CandidateError(reply["fault"], self.filename)
        raise BridgeError(str(reply.get("error", "malformed reply")))

    def load(self) -> None:
        """Import a fresh copy of the module; an exception at import raises ``CandidateError``."""
        self.request("load", what="importing the module")

    def has(self, name: str) -> bool:
        return bool(self.request("fact", name=name)["exists"])

    def fact(self, name: str, default: Any = _MISSING) -> Any:
        """A module-level JSON value (``SECRET_KEY``, ``events``). A missing or non-JSON name fails the test."""
        result = self.request("fact", name=name, what=f"reading {name}")
        if not result["exists"]:
            if default is not _MISSING:
                return default
            raise AssertionError(f"the module defines no `{name}`")
        if result["kind"] != "value":
            raise AssertionError(f"`{name}` should be plain data, but it is a {result['kind']} ({result.get('type')})")
        return result["value"]

    def kind(self, name: str) -> str | None:
        """``value``, ``class``, ``function`` or ``object`` for a module-level name; None when it is missing."""
        result = self.request("fact", name=name)
        return result["kind"] if result["exists"] else None

    def call(self, name: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call a module-level function with JSON arguments; its JSON result (a Pydantic model as its fields)."""
        result = self.request("call", name=name, args=list(args), kwargs=kwargs, what=f"calling {name}()")
        if "value" not in result:
            raise AssertionError(f"{name}() returned a {result.get('type')}, which is not plain data")
        return result["value"]

    def endpoint(self, path: str, method: str = "GET", app: str = "app") -> Endpoint:
        return Endpoint(**self.request("endpoint", path=path, method=method, app=app))

    def helper(self, helper_name: str, /, **args: Any) -> Any:
        """Run the kit helper ``helper_name`` (``grader.host.helpers``) beside the module; what it observed."""
        return self.request("helper", name=helper_name, args=args, what=f"helper {helper_name}")

    def client(
        self,
        *,
        app: str = "app",
        raise_server_exceptions: bool = True,
        base_url: str = "http://testserver",
        client: tuple[str, int] | None = None,
        lifespan: bool = True,
    ) -> BridgeClient:
        """A client on the module's app (or an app a helper registered), like ``TestClient(app)``.

        The app's lifespan starts now when ``lifespan`` (as ``with TestClient(app)`` does) and ends when the
        client is closed or its ``with`` block ends.
        """
        cid = self.request(
            "client_open",
            app=app,
            raise_server_exceptions=raise_server_exceptions,
            base_url=base_url,
            client=list(client) if client else None,
            lifespan=lifespan,
            what="starting the app (lifespan)",
        )["cid"]
        return BridgeClient(self, cid, base_url)

    def close(self) -> None:
        self._channel.close()


class _BridgeTransport(httpx.BaseTransport):
    def __init__(self, host: AppHost, cid: int) -> None:
        self._host = host
        self._cid = cid

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        reply = self._host.request("http", cid=self._cid, what=_describe(request), **_request_fields(request))
        return _response(reply, request)


class BridgeClient(httpx.Client):
    """An ``httpx.Client`` on the candidate's app, behaving like Starlette's ``TestClient`` for the tests."""

    def __init__(self, host: AppHost, cid: int, base_url: str) -> None:
        super().__init__(
            transport=_BridgeTransport(host, cid),
            base_url=base_url,
            follow_redirects=True,
            headers={"user-agent": "testclient"},
        )
        self._host = host
        self._cid = cid
        self._open = True

    def start(self, method: str, url: str, **kwargs: Any) -> StartedResponse:
        """Send a request and return at once (``kwargs`` as for ``request``): collect it with ``response()``.

        The app serves it on the same event loop as every other request of this client, and its response is
        complete as soon as its last body part is sent, as a server would send it, even while the app still runs
        background tasks. Several may be in flight at once.
        """
        request = self.build_request(method, url, **kwargs)
        fields = _request_fields(request)
        rid = self._host.request("http_start", cid=self._cid, what=f"starting {_describe(request)}", **fields)["rid"]
        return StartedResponse(self._host, rid, request)

    def websocket_connect(
        self, url: str, subprotocols: list[str] | None = None, headers: dict[str, str] | None = None
    ) -> RemoteWebSocket:
        full = str(self.base_url.copy_with(scheme="ws").join(url))
        return RemoteWebSocket(self._host, self._cid, full, subprotocols, headers or {})

    def __exit__(self, *exc_info: object) -> None:
        # httpx.Client.__exit__ closes only the transport; the app's lifespan must end here too.
        self.close()

    def close(self) -> None:
        if self._open:
            self._open = False
            try:
                self._host.request("client_close", cid=self._cid, what="stopping the app (lifespan)")
            finally:
                super().close()


class StartedResponse:
    """A request in flight on the candidate's app (``BridgeClient.start``)."""

    def __init__(self, host: AppHost, rid: int, request: httpx.Request) -> None:
        self._host, self._rid, self.request = host, rid, request

    def response(self, timeout: float) -> httpx.Response | None:
        """The response, once complete within ``timeout`` seconds; None while it is still pending."""
        reply = self._host.request(
            "http_wait",
            rid=self._rid,
            timeout_s=timeout,
            timeout=timeout + self._host.request_timeout_s,
            what=f"waiting for {_describe(self.request)}",
        )
        if reply.get("pending"):
            return None
        return _response(reply, self.request)

    def returned(self, timeout: float) -> bool:
        """Whether the app's call has returned (its background tasks done) within ``timeout`` seconds."""
        reply = self._host.request(
            "http_returned", rid=self._rid, timeout_s=timeout, timeout=timeout + self._host.request_timeout_s
        )
        return bool(reply["returned"])


def _request_fields(request: httpx.Request) -> dict[str, Any]:
    """An httpx request as the protocol's ``http`` and ``http_start`` carry it."""
    return {
        "method": request.method,
        "url": str(request.url),
        "headers": _latin1_headers(request.headers.raw),
        "body": b64encode(request.read()),
    }


def _describe(request: httpx.Request) -> str:
    return f"{request.method} {request.url.raw_path.decode('ascii', 'replace')}"


def _latin1_headers(raw: list[tuple[bytes, bytes]]) -> list[list[str]]:
    """Headers as the protocol carries them: the bytes, one latin-1 character each, so any byte crosses intact."""
    return [[k.decode("latin-1"), v.decode("latin-1")] for k, v in raw]


def _response(reply: dict[str, Any], request: httpx.Request) -> httpx.Response:
    response = httpx.Response(
        reply["status"],
        headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in reply["headers"]],
        stream=httpx.ByteStream(b64decode(reply["body"])),
        request=request,
    )
    response.read()
    return response


class RemoteWebSocket:
    """A WebSocket session with the candidate's app, with Starlette's ``WebSocketTestSession`` methods."""

    def __init__(self, host: AppHost, cid: int, url: str, subprotocols: list[str] | None, headers: dict[str, str]):
        self._host, self._cid, self._url = host, cid, url
        self._subprotocols, self._headers = subprotocols, headers
        self._wid: int | None = None
        self.accepted_subprotocol: str | None = None

    def __enter__(self) -> RemoteWebSocket:
        from starlette.websockets import WebSocketDisconnect

        reply = self._host.request(
            "ws_connect",
            cid=self._cid,
            url=self._url,
            headers=[[k, v] for k, v in self._headers.items()],
            subprotocols=self._subprotocols,
            what=f"connecting to {self._url}",
        )
        if "closed" in reply:
            raise WebSocketDisconnect(code=reply["closed"]["code"], reason=reply["closed"].get("reason", ""))
        self._wid = reply["wid"]
        self.accepted_subprotocol = reply.get("subprotocol")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._wid is not None:
            wid, self._wid = self._wid, None
            self._host.request("ws_close", wid=wid, code=1000, what="closing the websocket")

    def send(self, message: dict[str, Any]) -> None:
        sent = dict(message)
        if isinstance(sent.get("bytes"), bytes):
            sent["bytes"] = b64encode(sent["bytes"])
        self._host.request("ws_send", wid=self._wid, message=sent, what="sending on the websocket")

    def send_text(self, data: str) -> None:
        self.send({"type": "websocket.receive", "text": data})

    def send_bytes(self, data: bytes) -> None:
        self.send({"type": "websocket.receive", "bytes": data})

    def send_json(self, data: Any, mode: str = "text") -> None:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if mode == "text":
            self.send_text(text)
        else:
            self.send_bytes(text.encode())

    def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.send({"type": "websocket.disconnect", "code": code, "reason": reason})

    def receive(self, timeout: float | None = None) -> dict[str, Any]:
        """The next message the app sent. With ``timeout``, ``TimeoutError`` if none came within it."""
        deadline = None if timeout is None else timeout + self._host.request_timeout_s
        message = self._host.request(
            "ws_receive", wid=self._wid, timeout_s=timeout, timeout=deadline, what="waiting for a websocket message"
        )
        if message.get("type") == "kit.timeout":
            raise TimeoutError(f"no websocket message within {timeout:g} s")
        for key, value in list(message.items()):
            if isinstance(value, dict) and "b64" in value:
                message[key] = b64decode(value["b64"])
        return message

    def _raise_on_close(self, message: dict[str, Any]) -> None:
        from starlette.websockets import WebSocketDisconnect

        if message.get("type") == "websocket.close":
            raise WebSocketDisconnect(code=message.get("code", 1000), reason=message.get("reason") or "")

    def receive_text(self, timeout: float | None = None) -> str:
        message = self.receive(timeout)
        self._raise_on_close(message)
        return message["text"]

    def receive_bytes(self, timeout: float | None = None) -> bytes:
        message = self.receive(timeout)
        self._raise_on_close(message)
        return message["bytes"]

    def receive_json(self, mode: str = "text", timeout: float | None = None) -> Any:
        message = self.receive(timeout)
        self._raise_on_close(message)
        return json.loads(message["text"] if mode == "text" else message["bytes"].decode())
