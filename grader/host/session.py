"""What the app host does for each request of the judge: one ``HostSession`` per host process.

The session imports the candidate's module (a fresh copy on every ``load``), keeps TestClients and WebSocket
sessions open between requests, and turns every exception the candidate's code raises into a fault
description. It never sends an object back: results are JSON values built here, from data the kit chose.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.host import faults, helpers
from grader.loading import load_module_from_path, unload_module
from grader.protocol import b64decode, b64encode, json_safe

__all__ = ["HostSession", "RequestError", "refuse_servers"]


class RequestError(Exception):
    """The judge asked for something malformed or unknown: a kit bug, reported as ``error`` (never a fault)."""


class _Fault(Exception):
    def __init__(self, fault: dict[str, Any]) -> None:
        super().__init__(fault.get("message", ""))
        self.fault = fault


class HostSession:
    """Serves the judge's operations (see ``grader.protocol``) against one candidate file."""

    def __init__(self, module_file: Path, *, reraise: bool = False) -> None:
        self.module_file = module_file
        self.module: ModuleType | None = None
        self.apps: dict[str, Any] = {}  # apps a helper built around the module's (spies, wrappers)
        self.state: dict[str, Any] = {}  # what helpers observed, read back by later helper calls
        self.reraise = reraise  # in-process debugging: let the original exception through
        self._clients: dict[int, Any] = {}
        self._sockets: dict[int, Any] = {}
        self._started: dict[int, Any] = {}  # requests the judge started and collects later
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    # -- dispatch ---------------------------------------------------------------------------------------
    def handle(self, message: dict[str, Any]) -> dict[str, Any]:
        """One reply for one request; never raises (a fault or an error is a reply too)."""
        op = message.get("op")
        handler: Callable[[dict[str, Any]], Any] | None = getattr(self, f"_op_{op}", None)
        if not isinstance(op, str) or handler is None:
            return {"ok": False, "error": f"unknown operation {op!r}"}
        try:
            return {"ok": True, "result": handler(message)}
        except _Fault as fault:
            return {"ok": False, "fault": fault.fault}
        except RequestError as exc:
            return {"ok": False, "error": str(exc)}

    def _candidate(self, where: str, action: Callable[[], Any]) -> Any:
        """Run candidate code; its exceptions (any, even SystemExit) become a fault of phase ``where``."""
        try:
            return action()
        except BaseException as exc:
            if self.reraise:
                raise
            raise _Fault(faults.describe(exc, str(self.module_file), where)) from None

    def _need_module(self) -> ModuleType:
        if self.module is None:
            raise RequestError("no module loaded: send load first")
        return self.module

    # -- module -----------------------------------------------------------------------------------------
    def _op_load(self, message: dict[str, Any]) -> dict[str, Any]:
        self.close_all()
        if self.module is not None:
            unload_module(self.module)
            self.module = None
        self.apps.clear()
        self.state.clear()
        restore = refuse_servers()
        try:
            self.module = self._candidate("import", lambda: load_module_from_path(self.module_file))
        finally:
            restore()  # in-process (--in-process), the judge's own uvicorn must work again afterwards
        return {"loaded": True}

    def _op_fact(self, message: dict[str, Any]) -> dict[str, Any]:
        module = self._need_module()
        name = _name(message)
        if not hasattr(module, name):
            return {"exists": False}
        value = getattr(module, name)
        if json_safe(value):
            return {"exists": True, "value": value, "kind": "value"}
        kind = "class" if inspect.isclass(value) else "function" if callable(value) else "object"
        return {"exists": True, "kind": kind, "type": type(value).__name__}

    def _op_call(self, message: dict[str, Any]) -> dict[str, Any]:
        module = self._need_module()
        function = getattr(module, _name(message), None)
        if not callable(function):
            missing = f"the module has no function {_name(message)}"
            raise _Fault({"type": "AttributeError", "message": missing, "where": "call"})
        args, kwargs = message.get("args", []), message.get("kwargs", {})
        result = self._candidate("call", lambda: function(*args, **kwargs))
        if inspect.isawaitable(result):
            import anyio

            result = self._candidate("call", lambda: anyio.run(_await, result))
        return _jsonable_result(result)

    def _op_endpoint(self, message: dict[str, Any]) -> dict[str, Any]:
        from grader.host.routes import find_endpoint

        app = self._app(message.get("app", "app"))
        endpoint = find_endpoint(app, str(message.get("path")), str(message.get("method", "GET")))
        if endpoint is None:
            return {"found": False}
        return {
            "found": True,
            "is_async": inspect.iscoroutinefunction(endpoint),
            "name": getattr(endpoint, "__name__", ""),
        }

    def _op_helper(self, message: dict[str, Any]) -> Any:
        helper = helpers.find(str(message.get("name")))
        if helper is None:
            raise RequestError(f"no helper named {message.get('name')!r}")
        self._need_module()
        args = message.get("args", {})
        result = self._candidate("helper", lambda: helper(self, **args))
        if not json_safe(result):
            raise RequestError(f"helper {message.get('name')} returned a value that is not JSON")
        return result

    def _app(self, name: str) -> Any:
        module = self._need_module()
        app = self.apps.get(name, getattr(module, name, None))
        if app is None:
            raise _Fault({"type": "AttributeError", "message": f"the module defines no `{name}`", "where": "import"})
        return app

    # -- HTTP -------------------------------------------------------------------------------------------
    def _op_client_open(self, message: dict[str, Any]) -> dict[str, Any]:
        from fastapi.testclient import TestClient

        app = self._app(str(message.get("app", "app")))
        options: dict[str, Any] = {"raise_server_exceptions": bool(message.get("raise_server_exceptions", True))}
        if message.get("base_url"):
            options["base_url"] = str(message["base_url"])
        if message.get("client"):
            host, port = message["client"]
            options["client"] = (str(host), int(port))
        client = self._candidate("lifespan", lambda: TestClient(app, **options))
        if message.get("lifespan", True):
            self._candidate("lifespan", client.__enter__)
            client._kit_entered = True
        cid = next(self._ids)
        self._clients[cid] = client
        return {"cid": cid}

    def _op_client_close(self, message: dict[str, Any]) -> dict[str, Any]:
        client = self._clients.pop(int(message.get("cid", 0)), None)
        if client is not None and getattr(client, "_kit_entered", False):
            self._candidate("lifespan", lambda: client.__exit__(None, None, None))
        return {}

    def _client(self, message: dict[str, Any]) -> Any:
        client = self._clients.get(int(message.get("cid", 0)))
        if client is None:
            raise RequestError("unknown client: open one first")
        return client

    def _op_http(self, message: dict[str, Any]) -> dict[str, Any]:
        client = self._client(message)
        request = client.build_request(
            str(message["method"]),
            str(message["url"]),
            headers=_raw_headers(message),
            content=b64decode(message.get("body", "")),
        )
        client.cookies.clear()  # the judge's client keeps the cookies; sending them twice would be wrong

        def send() -> tuple[int, list[tuple[str, str]], bytes]:
            response = client.send(request, follow_redirects=False, stream=True)
            try:
                body = b"".join(response.iter_raw())
            finally:
                response.close()
            return (
                response.status_code,
                [[k.decode("latin-1"), v.decode("latin-1")] for k, v in response.headers.raw],
                body,
            )

        status, headers, body = self._candidate("request", send)
        return {"status": status, "headers": headers, "body": b64encode(body)}

    def _op_http_start(self, message: dict[str, Any]) -> dict[str, Any]:
        from grader.host.started import StartedRequest

        client = self._client(message)
        if getattr(client, "portal", None) is None:
            raise RequestError("started requests need a client opened with its lifespan")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in _raw_headers(message)]
        started = self._candidate(
            "request",
            lambda: StartedRequest(
                client, str(message["method"]), str(message["url"]), headers, b64decode(message.get("body", ""))
            ),
        )
        rid = next(self._ids)
        self._started[rid] = started
        return {"rid": rid}

    def _started_request(self, message: dict[str, Any]) -> Any:
        started = self._started.get(int(message.get("rid", 0)))
        if started is None:
            raise RequestError("unknown started request")
        return started

    def _op_http_wait(self, message: dict[str, Any]) -> dict[str, Any]:
        """The started request's response once its last body part is sent, or ``pending`` after ``timeout_s``."""
        started = self._started_request(message)
        if not started.complete.wait(float(message.get("timeout_s", 0))):
            return {"pending": True}
        if started.status is None or (started.error is not None and not started.body):
            error = started.error or RuntimeError("the app returned without sending a response")
            self._candidate("request", lambda: _reraise(error))
        return {"status": started.status, "headers": started.headers, "body": b64encode(bytes(started.body))}

    def _op_http_returned(self, message: dict[str, Any]) -> dict[str, Any]:
        """Whether the started request's app call has returned (its background tasks done) within ``timeout_s``."""
        started = self._started_request(message)
        return {"returned": started.returned.wait(float(message.get("timeout_s", 0)))}

    # -- WebSocket --------------------------------------------------------------------------------------
    def _op_ws_connect(self, message: dict[str, Any]) -> dict[str, Any]:
        from starlette.websockets import WebSocketDisconnect

        client = self._client(message)
        headers = {str(k): str(v) for k, v in message.get("headers", [])}
        subprotocols = message.get("subprotocols")

        def connect() -> tuple[Any, dict[str, Any] | None]:
            session = client.websocket_connect(str(message["url"]), subprotocols=subprotocols, headers=headers)
            try:
                return session.__enter__(), None
            except WebSocketDisconnect as exc:  # refused before accept: an answer, not a fault
                return None, {"code": exc.code, "reason": exc.reason or ""}

        session, closed = self._candidate("websocket", connect)
        if closed is not None:
            return {"closed": closed}
        wid = next(self._ids)
        self._sockets[wid] = session
        return {"wid": wid, "subprotocol": session.accepted_subprotocol}

    def _socket(self, message: dict[str, Any]) -> Any:
        session = self._sockets.get(int(message.get("wid", 0)))
        if session is None:
            raise RequestError("unknown websocket")
        return session

    def _op_ws_send(self, message: dict[str, Any]) -> dict[str, Any]:
        session = self._socket(message)
        sent = dict(message.get("message", {}))
        if "bytes" in sent:
            sent["bytes"] = b64decode(sent["bytes"])
        self._candidate("websocket", lambda: session.send(sent))
        return {}

    def _op_ws_receive(self, message: dict[str, Any]) -> dict[str, Any]:
        session = self._socket(message)
        timeout = message.get("timeout_s")
        if timeout is None:
            received = self._candidate("websocket", session.receive)
            return _plain_asgi_message(received)
        import anyio

        async def receive_within() -> Any:
            with anyio.fail_after(float(timeout)):
                return await session._send_rx.receive()  # WebSocketTestSession.receive, with a bound

        try:
            received = self._candidate("websocket", lambda: session.portal.call(receive_within))
        except _Fault as fault:
            if fault.fault.get("type") == "TimeoutError":
                return {"type": "kit.timeout"}
            raise
        return _plain_asgi_message(received)

    def _op_ws_close(self, message: dict[str, Any]) -> dict[str, Any]:
        session = self._sockets.pop(int(message.get("wid", 0)), None)
        if session is not None:
            code = int(message.get("code", 1000))
            self._candidate("websocket", lambda: (session.close(code), session.__exit__(None, None, None)))
        return {}

    # -- cleanup ----------------------------------------------------------------------------------------
    def close_all(self) -> None:
        """Close every WebSocket and client (their lifespans exit); a candidate error here is swallowed."""
        for session in self._sockets.values():
            with contextlib.suppress(BaseException):
                session.__exit__(None, None, None)
        self._sockets.clear()
        self._started.clear()
        for client in self._clients.values():
            with contextlib.suppress(BaseException):
                if getattr(client, "_kit_entered", False):
                    client.__exit__(None, None, None)
        self._clients.clear()


class ServerStartedAtImport(RuntimeError):
    """The module started a web server while being imported (``uvicorn.run(app)`` outside a main guard)."""


def refuse_servers() -> Callable[[], None]:
    """Make ``uvicorn.run`` raise in the host, so a module that serves itself at import fails at once, the same
    way for every question, instead of hanging until the deadline (or being refused a socket by the sandbox).
    Returns what puts uvicorn back, for the caller to call once the import is over."""
    try:
        import uvicorn
    except ImportError:
        return lambda: None
    saved = (uvicorn.run, uvicorn.Server.run, uvicorn.Server.serve)

    def restore() -> None:
        uvicorn.run, uvicorn.Server.run, uvicorn.Server.serve = saved  # type: ignore[method-assign]

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise ServerStartedAtImport(
            'the module starts a server when imported (uvicorn.run): put it under if __name__ == "__main__":'
        )

    uvicorn.run = refuse  # type: ignore[assignment]
    uvicorn.Server.run = refuse  # type: ignore[method-assign]
    uvicorn.Server.serve = refuse  # type: ignore[method-assign]
    return restore


def _raw_headers(message: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    """A request's headers as the bytes the judge sent: each travels as a latin-1 string (one char per byte)."""
    return [(str(k).encode("latin-1"), str(v).encode("latin-1")) for k, v in message.get("headers", [])]


def _reraise(error: BaseException) -> None:
    raise error


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _name(message: dict[str, Any]) -> str:
    name = message.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise RequestError(f"not a name: {name!r}")
    return name


def _jsonable_result(value: Any) -> dict[str, Any]:
    if json_safe(value):
        return {"value": value, "kind": "value"}
    if hasattr(value, "model_dump"):  # a Pydantic model: its fields, as FastAPI would serialise them
        try:
            import fastapi.encoders

            plain = fastapi.encoders.jsonable_encoder(value)
            return {"value": plain, "kind": "model", "type": type(value).__name__}
        except Exception:
            pass
    return {"kind": "object", "type": type(value).__name__}


def _plain_asgi_message(message: Any) -> dict[str, Any]:
    if not isinstance(message, dict):
        return {"type": "invalid", "repr_type": type(message).__name__}
    plain: dict[str, Any] = {}
    for key, value in message.items():
        if isinstance(value, bytes | bytearray):
            plain[str(key)] = {"b64": b64encode(bytes(value))}
        elif json_safe(value):
            plain[str(key)] = value
        else:
            plain[str(key)] = None
    return plain
