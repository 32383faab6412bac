"""The judge's view of a host as plain data (``grader.judge.bridge.host``, ``grader.judge.bridge.errors``) and
started requests
(``grader.host.started``), in this process.

``AppHost`` turns each question a hidden test asks into one protocol message and each reply into a value, an
assertion or an exception; here its channel is a script that records what was sent and answers what a host
would (or a broken one might). Started requests run on a real Starlette ``TestClient`` with a raw ASGI app that
shows what it was given. One test goes the whole way through an in-process host (``HostSession`` behind a
``LocalChannel``), so the script's replies cannot drift from what a host really answers.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from grader.host.started import StartedRequest
from grader.judge.bridge import (
    AppHost,
    BridgeError,
    CandidateError,
    Endpoint,
    HostDied,
    HostOptions,
    HostTimeout,
    launch,
)
from grader.judge.bridge.errors import describe_exit, describe_fault
from grader.judge.bridge.host import BridgeClient
from grader.protocol import b64decode, b64encode

TIMEOUT_S = 7.5
Reply = dict[str, Any]


class ScriptedChannel:
    """A channel whose host answers with ``answer(message)``; every exchange is kept in ``sent``."""

    def __init__(self, answer: Callable[[dict[str, Any]], Reply]) -> None:
        self.answer = answer
        self.sent: list[tuple[dict[str, Any], float, str]] = []
        self.layers = ["landlock", "seccomp"]
        self.missing = {"cgroup": "not writable"}
        self.closed = 0

    def exchange(self, message: dict[str, Any], timeout: float, what: str) -> Reply:
        self.sent.append((json.loads(json.dumps(message)), timeout, what))  # what the wire would carry
        return self.answer(message)

    def close(self) -> None:
        self.closed += 1

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [message for message, _timeout, _what in self.sent]


def ok(result: Any) -> Callable[[dict[str, Any]], Reply]:
    return lambda _message: {"ok": True, "result": result}


def scripted(answer: Callable[[dict[str, Any]], Reply], **kwargs: Any) -> tuple[AppHost, ScriptedChannel]:
    channel = ScriptedChannel(answer)
    return AppHost(channel, "q07_http_methods.py", TIMEOUT_S, **kwargs), channel


# -- errors -------------------------------------------------------------------------------------------------------
def test_a_fault_is_described_with_its_file_line_and_source() -> None:
    fault = {"type": "NameError", "message": "name 'helper' is not defined", "line": 12, "source": "return helper(x)"}
    assert describe_fault(fault, "q06_request_body.py") == (
        "NameError: name 'helper' is not defined (q06_request_body.py, line 12: return helper(x))"
    )
    assert describe_fault(fault) == "NameError: name 'helper' is not defined (line 12: return helper(x))"
    assert describe_fault({**fault, "source": ""}, "q.py") == "NameError: name 'helper' is not defined (q.py, line 12)"
    assert describe_fault({"type": "KeyError", "message": "'id'", "line": 0}, "q.py") == "KeyError: 'id'"
    assert describe_fault({"type": "SystemExit", "message": ""}) == "SystemExit"
    assert describe_fault({"message": "boom"}) == "Error: boom"
    assert describe_fault({}) == "Error"
    assert describe_fault({"type": "ValueError", "message": "over MAX"}) == "ValueError: over MAX"


def test_exit_codes_are_described_as_a_person_reads_them() -> None:
    assert describe_exit(None) == "no exit code"
    assert describe_exit(0) == "exit code 0"
    assert describe_exit(3) == "exit code 3"
    assert describe_exit(-signal.SIGKILL) == "killed by SIGKILL"
    assert describe_exit(-signal.SIGSEGV) == "killed by SIGSEGV"
    assert describe_exit(-99) == "killed by signal 99"


def test_the_bridges_exceptions_carry_what_happened() -> None:
    error = CandidateError({"type": "ValueError", "message": "bad", "line": 3}, "q.py")
    assert str(error) == "ValueError: bad (q.py, line 3)" and error.fault["line"] == 3
    assert str(CandidateError({"type": "ValueError", "message": "bad", "line": 3})) == "ValueError: bad (line 3)"
    timeout = HostTimeout("GET /items", 2.5)
    assert isinstance(timeout, CandidateError) and timeout.seconds == 2.5
    assert str(timeout) == "Timeout: the app did not answer GET /items within 2.5 s"
    assert timeout.fault == {"type": "Timeout", "message": "the app did not answer GET /items within 2.5 s"}
    died = HostDied("importing the module", -signal.SIGKILL)
    assert isinstance(died, CandidateError) and died.exit_code == -signal.SIGKILL
    assert str(died) == "HostDied: the app's process ended during importing the module (killed by SIGKILL)"
    assert died.fault["type"] == "HostDied"
    assert str(HostDied("start-up", None)) == "HostDied: the app's process ended during start-up (no exit code)"


# -- requests and replies ----------------------------------------------------------------------------------------
def test_a_request_is_one_message_with_the_hosts_deadline_unless_given_one() -> None:
    host, channel = scripted(ok({"done": 1}))
    assert host.request("anything", cid=3, name="x") == {"done": 1}
    assert host.request("other", what="doing it", timeout=2.0) == {"done": 1}
    assert channel.sent == [
        ({"op": "anything", "cid": 3, "name": "x"}, TIMEOUT_S, "anything"),
        ({"op": "other"}, 2.0, "doing it"),
    ]


def test_a_reply_without_a_result_is_none() -> None:
    host, _ = scripted(lambda _m: {"ok": True})
    assert host.request("x") is None


def test_a_fault_is_the_candidates_error_and_anything_else_the_kits() -> None:
    fault = {"type": "RuntimeError", "message": "db down", "line": 9, "source": "raise RuntimeError('db down')"}
    host, _ = scripted(lambda _m: {"ok": False, "fault": fault, "error": "not this"})
    with pytest.raises(CandidateError) as raised:
        host.request("call")
    assert raised.value.fault == fault
    assert str(raised.value) == "RuntimeError: db down (q07_http_methods.py, line 9: raise RuntimeError('db down'))"
    host, _ = scripted(lambda _m: {"ok": False, "error": "unknown op"})
    with pytest.raises(BridgeError, match=r"^unknown op$"):
        host.request("nonsense")
    for reply in ({"ok": False}, {}, {"ok": 0, "result": 1}):
        host, _ = scripted(lambda _m, reply=reply: reply)
        with pytest.raises(BridgeError, match=r"^malformed reply$"):
            host.request("x")


def test_load_imports_the_module() -> None:
    host, channel = scripted(ok({"loaded": True}))
    assert host.load() is None
    assert channel.sent == [({"op": "load"}, TIMEOUT_S, "importing the module")]


def test_facts_of_the_module() -> None:
    facts = {
        "SECRET_KEY": {"exists": True, "kind": "value", "value": "s3cret"},
        "EMPTY": {"exists": True, "kind": "value", "value": None},
        "helper": {"exists": True, "kind": "function", "type": "function"},
        "Model": {"exists": True, "kind": "class"},
    }
    host, channel = scripted(lambda m: {"ok": True, "result": facts.get(m["name"], {"exists": False})})
    assert host.fact("SECRET_KEY") == "s3cret"
    assert host.fact("EMPTY", "default") is None
    assert host.fact("MISSING", None) is None
    assert host.fact("MISSING", 42) == 42
    with pytest.raises(AssertionError, match=r"^the module defines no `MISSING`$"):
        host.fact("MISSING")
    with pytest.raises(AssertionError, match=r"^`helper` should be plain data, but it is a function \(function\)$"):
        host.fact("helper", "no default for the wrong kind")
    with pytest.raises(AssertionError, match=r"^`Model` should be plain data, but it is a class \(None\)$"):
        host.fact("Model")
    assert channel.sent[0] == ({"op": "fact", "name": "SECRET_KEY"}, TIMEOUT_S, "reading SECRET_KEY")
    assert host.has("SECRET_KEY") is True and host.has("MISSING") is False
    assert host.kind("helper") == "function" and host.kind("Model") == "class" and host.kind("MISSING") is None
    assert channel.sent[-1] == ({"op": "fact", "name": "MISSING"}, TIMEOUT_S, "fact")


def test_a_call_sends_json_arguments_and_wants_plain_data_back() -> None:
    host, channel = scripted(ok({"value": {"total": 3}}))
    assert host.call("add", 1, 2, rounding=None) == {"total": 3}
    assert channel.sent == [
        ({"op": "call", "name": "add", "args": [1, 2], "kwargs": {"rounding": None}}, TIMEOUT_S, "calling add()")
    ]
    host, _ = scripted(ok({"value": None}))
    assert host.call("nothing") is None
    host, _ = scripted(ok({"type": "Session"}))
    with pytest.raises(AssertionError, match=r"^make\(\) returned a Session, which is not plain data$"):
        host.call("make")


def test_endpoints_and_helpers() -> None:
    host, channel = scripted(ok({"found": True, "is_async": True, "name": "read_item"}))
    assert host.endpoint("/items/{id}") == Endpoint(True, True, "read_item")
    assert host.endpoint("/x", "POST", app="admin") == Endpoint(found=True, is_async=True, name="read_item")
    assert channel.messages == [
        {"op": "endpoint", "path": "/items/{id}", "method": "GET", "app": "app"},
        {"op": "endpoint", "path": "/x", "method": "POST", "app": "admin"},
    ]
    assert Endpoint(False) == Endpoint(found=False, is_async=False, name="")
    host, channel = scripted(ok({"seen": [1]}))
    assert host.helper("q13.spy", depth=2) == {"seen": [1]}
    assert channel.sent == [({"op": "helper", "name": "q13.spy", "args": {"depth": 2}}, TIMEOUT_S, "helper q13.spy")]


def test_layers_are_the_channels_and_close_closes_it() -> None:
    host, channel = scripted(ok(None))
    assert host.layers == ["landlock", "seccomp"] and host.missing_layers == {"cgroup": "not writable"}
    host.layers.append("forged")
    host.missing_layers.clear()
    assert host.layers == ["landlock", "seccomp"] and host.missing_layers == {"cgroup": "not writable"}
    assert host.filename == "q07_http_methods.py" and host.request_timeout_s == TIMEOUT_S
    assert host.scratch is None and host.source == b""
    host.close()
    assert channel.closed == 1


def test_services_go_to_the_judges_hub() -> None:
    class Hub:
        def __init__(self) -> None:
            self.log: list[tuple[Any, ...]] = []

        def serve(self, name: str, handler: Any) -> None:
            self.log.append(("serve", name, handler))

        def calls(self, name: str | None) -> list[str]:
            self.log.append(("calls", name))
            return ["a call"]

        def wait_for(self, name: str, count: int, timeout: float) -> bool:
            self.log.append(("wait_for", name, count, timeout))
            return True

    hub = Hub()
    host, _ = scripted(ok(None), services=hub, scratch=Path("/scratch"), source=b"app = 1")  # type: ignore[arg-type]
    assert host.scratch == Path("/scratch") and host.source == b"app = 1"
    host.serve("q30.fetch", len)
    assert host.service_calls() == ["a call"] and host.service_calls("q30.fetch") == ["a call"]
    assert host.wait_for_calls("q30.fetch") is True
    assert host.wait_for_calls("q30.fetch", 3, timeout=0.5) is True
    assert hub.log == [
        ("serve", "q30.fetch", len),
        ("calls", None),
        ("calls", "q30.fetch"),
        ("wait_for", "q30.fetch", 1, TIMEOUT_S),
        ("wait_for", "q30.fetch", 3, 0.5),
    ]
    bare, _ = scripted(ok(None))
    for use in (lambda: bare.serve("x", len), lambda: bare.service_calls(), lambda: bare.wait_for_calls("x")):
        with pytest.raises(BridgeError, match=r"^this host has no services$"):
            use()


# -- the HTTP client --------------------------------------------------------------------------------------------
def http_host(responses: dict[str, Reply]) -> tuple[AppHost, ScriptedChannel]:
    """A host whose app answers ``http`` by path (``responses``) and opens clients with cid 5."""

    def answer(message: dict[str, Any]) -> Reply:
        if message["op"] == "client_open":
            return {"ok": True, "result": {"cid": 5}}
        if message["op"] in ("http", "http_start"):
            path = httpx.URL(message["url"]).path
            return {"ok": True, "result": responses.get(path, {"rid": 11})}
        return {"ok": True, "result": {}}

    return scripted(answer)


def test_a_client_opens_on_the_host_and_closes_once() -> None:
    host, channel = http_host({})
    client = host.client()
    assert isinstance(client, BridgeClient) and str(client.base_url) == "http://testserver"
    other = host.client(
        app="admin", raise_server_exceptions=False, base_url="https://api.test", client=("10.0.0.1", 5), lifespan=False
    )
    assert str(other.base_url) == "https://api.test"
    assert channel.sent[:2] == [
        (
            {
                "op": "client_open",
                "app": "app",
                "raise_server_exceptions": True,
                "base_url": "http://testserver",
                "client": None,
                "lifespan": True,
            },
            TIMEOUT_S,
            "starting the app (lifespan)",
        ),
        (
            {
                "op": "client_open",
                "app": "admin",
                "raise_server_exceptions": False,
                "base_url": "https://api.test",
                "client": ["10.0.0.1", 5],
                "lifespan": False,
            },
            TIMEOUT_S,
            "starting the app (lifespan)",
        ),
    ]
    with client:
        pass
    client.close()
    closes = [sent for sent in channel.sent if sent[0]["op"] == "client_close"]
    assert closes == [({"op": "client_close", "cid": 5}, TIMEOUT_S, "stopping the app (lifespan)")]
    assert client.is_closed


def test_a_request_crosses_as_its_bytes_and_the_response_comes_back_whole() -> None:
    reply = {
        "status": 201,
        "headers": [["content-type", "application/json"], ["x-name", "caf\xc3\xa9"], ["set-cookie", "a=1"]],
        "body": b64encode(b'{"id": 1}'),
    }
    host, channel = http_host({"/items": reply})
    client = host.client()
    response = client.post("/items?q=a b", json={"name": "x"}, headers={"X-Token": "t\u00e9".encode()})
    message, timeout, what = channel.sent[-1]
    assert (timeout, what) == (TIMEOUT_S, "POST /items?q=a%20b")
    assert message["op"] == "http" and message["cid"] == 5 and message["method"] == "POST"
    assert message["url"] == "http://testserver/items?q=a%20b"
    assert ["X-Token", "t\xc3\xa9"] in message["headers"]  # the UTF-8 bytes, one latin-1 character each
    assert ["user-agent", "testclient"] in message["headers"]
    assert b64decode(message["body"]) == b'{"name":"x"}'
    assert response.status_code == 201 and response.json() == {"id": 1}
    assert response.headers["x-name"] == "café" and response.headers.raw[1] == (b"x-name", b"caf\xc3\xa9")
    assert response.request.url == "http://testserver/items?q=a%20b"
    assert client.cookies.get("a") == "1"


def test_redirects_are_followed_by_the_judges_client() -> None:
    host, channel = http_host(
        {
            "/old": {"status": 307, "headers": [["location", "/new"]], "body": ""},
            "/new": {"status": 200, "headers": [], "body": b64encode(b"moved")},
        }
    )
    response = host.client().get("/old")
    assert response.status_code == 200 and response.text == "moved"
    assert [httpx.URL(m["url"]).path for m in channel.messages if m["op"] == "http"] == ["/old", "/new"]


def test_a_started_request_is_collected_later() -> None:
    replies = iter(
        [
            {"ok": True, "result": {"pending": True}},
            {"ok": True, "result": {"status": 200, "headers": [["x", "1"]], "body": b64encode(b"done")}},
            {"ok": True, "result": {"returned": False}},
            {"ok": True, "result": {"returned": True}},
        ]
    )
    host, channel = http_host({})
    client = host.client()
    started = client.start("PUT", "/jobs/1?x=1", content=b"payload", headers={"x-key": "k"})
    message, _timeout, what = channel.sent[-1]
    assert message["op"] == "http_start" and message["cid"] == 5 and message["method"] == "PUT"
    assert message["url"] == "http://testserver/jobs/1?x=1" and b64decode(message["body"]) == b"payload"
    assert ["x-key", "k"] in message["headers"] and what == "starting PUT /jobs/1?x=1"
    channel.answer = lambda _m: next(replies)
    assert started.response(0.25) is None
    response = started.response(1.0)
    assert response is not None and response.status_code == 200 and response.content == b"done"
    assert response.headers["x"] == "1" and response.request is started.request
    assert started.returned(0.5) is False and started.returned(2.0) is True
    assert channel.sent[-4:] == [
        ({"op": "http_wait", "rid": 11, "timeout_s": 0.25}, 0.25 + TIMEOUT_S, "waiting for PUT /jobs/1?x=1"),
        ({"op": "http_wait", "rid": 11, "timeout_s": 1.0}, 1.0 + TIMEOUT_S, "waiting for PUT /jobs/1?x=1"),
        ({"op": "http_returned", "rid": 11, "timeout_s": 0.5}, 0.5 + TIMEOUT_S, "http_returned"),
        ({"op": "http_returned", "rid": 11, "timeout_s": 2.0}, 2.0 + TIMEOUT_S, "http_returned"),
    ]


# -- WebSockets ---------------------------------------------------------------------------------------------------
def ws_host(received: list[Reply], connect: Reply | None = None) -> tuple[BridgeClient, ScriptedChannel]:
    """A client whose app accepts a WebSocket (wid 4) and then sends the messages ``received``, in order."""
    queue = list(received)

    def answer(message: dict[str, Any]) -> Reply:
        if message["op"] == "client_open":
            return {"ok": True, "result": {"cid": 5}}
        if message["op"] == "ws_connect":
            return {"ok": True, "result": connect or {"wid": 4, "subprotocol": "chat"}}
        if message["op"] == "ws_receive":
            return {"ok": True, "result": queue.pop(0)}
        return {"ok": True, "result": {}}

    host, channel = scripted(answer)
    return host.client(base_url="http://testserver/root/"), channel


def test_a_websocket_session_sends_and_receives_plain_data() -> None:
    client, channel = ws_host(
        [
            {"type": "websocket.send", "text": "hello"},
            {"type": "websocket.send", "bytes": {"b64": b64encode(b"\x00\xff")}},
            {"type": "websocket.send", "text": '{"n": 1}'},
            {"type": "websocket.send", "bytes": {"b64": b64encode(b'{"n": 2}')}},
            {"type": "websocket.send", "text": "raw"},
        ]
    )
    with client.websocket_connect("chat?room=1", subprotocols=["chat"], headers={"X-User": "ada"}) as ws:
        assert ws.accepted_subprotocol == "chat"
        ws.send_text("hi")
        ws.send_bytes(b"\x01\x02")
        ws.send_json({"a": "é"})
        ws.send_json([1], mode="binary")
        ws.close(1001, "bye")
        assert ws.receive_text() == "hello"
        assert ws.receive_bytes() == b"\x00\xff"
        assert ws.receive_json() == {"n": 1}
        assert ws.receive_json(mode="binary") == {"n": 2}
        assert ws.receive(timeout=1.5) == {"type": "websocket.send", "text": "raw"}
    ops = [(m, what) for m, _t, what in channel.sent if m["op"] != "client_open"]
    assert ops[0] == (
        {
            "op": "ws_connect",
            "cid": 5,
            "url": "ws://testserver/root/chat?room=1",
            "headers": [["X-User", "ada"]],
            "subprotocols": ["chat"],
        },
        "connecting to ws://testserver/root/chat?room=1",
    )
    sends = [m["message"] for m, what in ops if m["op"] == "ws_send" and what == "sending on the websocket"]
    assert sends == [
        {"type": "websocket.receive", "text": "hi"},
        {"type": "websocket.receive", "bytes": b64encode(b"\x01\x02")},
        {"type": "websocket.receive", "text": '{"a":"é"}'},
        {"type": "websocket.receive", "bytes": b64encode(b"[1]")},
        {"type": "websocket.disconnect", "code": 1001, "reason": "bye"},
    ]
    assert all(m["wid"] == 4 for m, _what in ops[1:])
    receives = [(m, t) for m, t, _what in channel.sent if m["op"] == "ws_receive"]
    assert receives[0] == ({"op": "ws_receive", "wid": 4, "timeout_s": None}, TIMEOUT_S)
    assert receives[-1] == ({"op": "ws_receive", "wid": 4, "timeout_s": 1.5}, 1.5 + TIMEOUT_S)
    assert channel.sent[-1] == ({"op": "ws_close", "wid": 4, "code": 1000}, TIMEOUT_S, "closing the websocket")
    assert [m["op"] for m in channel.messages].count("ws_close") == 1
    assert ops[-2][1] == "waiting for a websocket message"


def test_a_websocket_the_app_refuses_raises_its_close_code() -> None:
    client, channel = ws_host([], connect={"closed": {"code": 1008, "reason": "no token"}})
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/ws"):
        pass
    assert (refused.value.code, refused.value.reason) == (1008, "no token")
    client, channel = ws_host([], connect={"closed": {"code": 1011}})
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/ws"):
        pass
    assert (refused.value.code, refused.value.reason) == (1011, "")
    assert "ws_close" not in [m["op"] for m in channel.messages]


def test_a_websocket_without_a_subprotocol_has_none() -> None:
    client, _ = ws_host([], connect={"wid": 9})
    with client.websocket_connect("/ws") as ws:
        assert ws.accepted_subprotocol is None


@pytest.mark.parametrize("receive", ["receive_text", "receive_bytes", "receive_json"])
def test_a_close_from_the_app_raises_where_data_was_expected(receive: str) -> None:
    client, _ = ws_host(
        [{"type": "websocket.close", "code": 4001, "reason": "kicked"}, {"type": "websocket.close", "reason": None}]
    )
    with client.websocket_connect("/ws") as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            getattr(ws, receive)()
        assert (closed.value.code, closed.value.reason) == (4001, "kicked")
        with pytest.raises(WebSocketDisconnect) as closed:
            getattr(ws, receive)()
        assert (closed.value.code, closed.value.reason) == (1000, "")


def test_no_websocket_message_within_the_timeout_is_a_timeout_error() -> None:
    client, _ = ws_host([{"type": "kit.timeout"}, {"type": "kit.timeout"}])
    with client.websocket_connect("/ws") as ws:
        with pytest.raises(TimeoutError, match=r"^no websocket message within 0.25 s$"):
            ws.receive(timeout=0.25)
        with pytest.raises(TimeoutError, match=r"^no websocket message within 2 s$"):
            ws.receive_text(timeout=2.0)


def test_only_b64_objects_are_decoded_in_a_websocket_message() -> None:
    client, _ = ws_host([{"type": "websocket.send", "bytes": {"b64": "AAE="}, "extra": {"other": "x"}, "n": 1}])
    with client.websocket_connect("/ws") as ws:
        assert ws.receive() == {"type": "websocket.send", "bytes": b"\x00\x01", "extra": {"other": "x"}, "n": 1}


def test_has_asks_for_the_fact_of_that_name() -> None:
    host, channel = scripted(lambda m: {"ok": True, "result": {"exists": m == {"op": "fact", "name": "app"}}})
    assert host.has("app") is True and host.has("other") is False
    assert channel.sent == [
        ({"op": "fact", "name": "app"}, TIMEOUT_S, "fact"),
        ({"op": "fact", "name": "other"}, TIMEOUT_S, "fact"),
    ]


def test_a_websocket_closes_normally_by_default_and_sends_json_as_compact_text() -> None:
    client, channel = ws_host([])
    with client.websocket_connect("/ws") as ws:
        ws.close()
        ws.send_json({"a": 1, "b": [1, 2]})
        ws.send_json({"a": 1, "b": [1, 2]}, mode="binary")
    sends = [m["message"] for m in channel.messages if m["op"] == "ws_send"]
    assert sends == [
        {"type": "websocket.disconnect", "code": 1000, "reason": None},
        {"type": "websocket.receive", "text": '{"a":1,"b":[1,2]}'},
        {"type": "websocket.receive", "bytes": b64encode(b'{"a":1,"b":[1,2]}')},
    ]


def test_every_receive_passes_its_timeout_to_the_host() -> None:
    client, channel = ws_host(
        [
            {"type": "websocket.send", "text": "t"},
            {"type": "websocket.send", "bytes": {"b64": b64encode(b"b")}},
            {"type": "websocket.send", "text": "[1]"},
        ]
    )
    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text(timeout=0.5) == "t"
        assert ws.receive_bytes(timeout=1.5) == b"b"
        assert ws.receive_json(timeout=2.5) == [1]
    receives = [(m["timeout_s"], t) for m, t, _what in channel.sent if m["op"] == "ws_receive"]
    assert receives == [(0.5, 0.5 + TIMEOUT_S), (1.5, 1.5 + TIMEOUT_S), (2.5, 2.5 + TIMEOUT_S)]


def test_a_refused_websocket_has_no_subprotocol_and_closes_nothing() -> None:
    client, channel = ws_host([], connect={"closed": {"code": 1008}})
    ws = client.websocket_connect("/ws")
    assert ws.accepted_subprotocol is None
    with pytest.raises(WebSocketDisconnect):
        ws.__enter__()
    assert ws.accepted_subprotocol is None
    ws.__exit__(None, None, None)
    assert [m["op"] for m in channel.messages] == ["client_open", "ws_connect"]


# -- started requests on a real event loop -------------------------------------------------------------------------
def echo_app(gate: threading.Event, log: list[str]) -> Callable[..., Any]:
    """A raw ASGI app: the response shows its scope and body; a background part runs until ``gate`` opens."""

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        import anyio

        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    scope["state"]["ready"] = "yes"
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        first = await receive()
        shown = {
            "method": scope["method"],
            "path": scope["path"],
            "raw_path": scope["raw_path"].decode("latin-1"),
            "root_path": scope["root_path"],
            "scheme": scope["scheme"],
            "query_string": scope["query_string"].decode("latin-1"),
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
            "client": list(scope["client"]),
            "server": list(scope["server"]),
            "http_version": scope["http_version"],
            "asgi": scope["asgi"],
            "state": scope["state"].get("ready"),
            "extensions": sorted(scope.get("extensions", {})),
            "body": first["body"].decode(),
            "more_body": first["more_body"],
            "type": scope["type"],
        }
        scope["state"]["touched"] = True  # a request's own copy: the lifespan's state is not changed
        await send({"type": "http.response.start", "status": 202, "headers": [(b"x-a", b"caf\xc3\xa9")]})
        await send({"type": "http.response.body", "body": json.dumps(shown).encode()[:10], "more_body": True})
        await send({"type": "http.response.body", "body": json.dumps(shown).encode()[10:]})
        log.append("sent")
        while not gate.is_set():  # a background task after the response
            await anyio.sleep(0.01)
        log.append("returned")

    return app


def test_a_started_request_is_served_like_a_server_serves_it() -> None:
    gate, log = threading.Event(), []
    with TestClient(echo_app(gate, log), root_path="/api", client=("10.1.2.3", 4321)) as client:
        started = StartedRequest(
            client, "POST", "https://example.test:8443/a%20b/c?x=1&y=%20", [("X-Token", "caf\xc3\xa9")], b"payload"
        )
        assert started.complete.wait(10), "the response was complete before the app returned"
        assert not started.returned.is_set() and log == ["sent"]
        assert started.status == 202 and started.error is None
        assert started.headers == [("x-a", "caf\xc3\xa9")]
        shown = json.loads(bytes(started.body))
        gate.set()
        assert started.returned.wait(10)
        deadline = time.monotonic() + 5
        while len(log) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert log == ["sent", "returned"]
        state = client._transport.app_state  # type: ignore[attr-defined]
        assert "touched" not in state
    assert shown == {
        "method": "POST",
        "path": "/a b/c",
        "raw_path": "/a%20b/c",
        "root_path": "/api",
        "scheme": "https",
        "query_string": "x=1&y=%20",
        "headers": [["x-token", "caf\xc3\xa9"]],
        "client": ["10.1.2.3", 4321],
        "server": ["example.test", 8443],
        "http_version": "1.1",
        "asgi": {"version": "3.0"},
        "state": "yes",
        "extensions": ["http.response.debug"],
        "body": "payload",
        "more_body": False,
        "type": "http",
    }


@pytest.mark.parametrize(
    ("url", "scheme", "server"),
    [
        ("http://testserver/x", "http", ["testserver", 80]),
        ("https://secure/x", "https", ["secure", 443]),
        ("/x", "http", ["testserver", 80]),
        ("http://h:81/x", "http", ["h", 81]),
    ],
)
def test_a_started_requests_server_and_scheme_default_as_a_servers_do(url: str, scheme: str, server: list[Any]) -> None:
    gate, log = threading.Event(), []
    gate.set()
    with TestClient(echo_app(gate, log)) as client:
        started = StartedRequest(client, "GET", url, [], b"")
        assert started.returned.wait(10)
    shown = json.loads(bytes(started.body))
    assert (shown["scheme"], shown["server"], shown["body"]) == (scheme, server, "")


def test_an_app_that_fails_before_its_response_completes_the_request_with_its_error() -> None:
    async def failing(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise LookupError("half way")

    with TestClient(failing) as client:
        started = StartedRequest(client, "GET", "http://testserver/", [], b"")
        assert started.complete.wait(10) and started.returned.wait(10)
    assert isinstance(started.error, LookupError) and str(started.error) == "half way"
    assert started.status == 200 and bytes(started.body) == b""


def test_an_app_that_fails_before_any_response_leaves_none() -> None:
    async def failing(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        raise KeyError("config")

    with TestClient(failing) as client:
        started = StartedRequest(client, "GET", "http://testserver/", [], b"")
        assert started.complete.wait(10) and started.returned.wait(10)
    assert started.status is None and started.headers == [] and bytes(started.body) == b""
    assert isinstance(started.error, KeyError)


def test_a_response_start_without_headers_has_none() -> None:
    async def bare(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"ok"})

    with TestClient(bare) as client:
        started = StartedRequest(client, "GET", "http://testserver/", [], b"")
        assert started.complete.wait(10) and started.returned.wait(10)
    assert (started.status, started.headers, bytes(started.body), started.error) == (200, [], b"ok", None)


def test_a_response_of_several_parts_is_complete_only_after_the_last() -> None:
    parts = threading.Event()

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        import anyio

        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"one,", "more_body": True})
        await send({"type": "http.response.body", "more_body": True})
        while not parts.is_set():
            await anyio.sleep(0.01)
        await send({"type": "http.response.body", "body": b"two"})

    with TestClient(app) as client:
        started = StartedRequest(client, "GET", "http://testserver/", [], b"")
        time.sleep(0.3)
        assert not started.complete.is_set() and bytes(started.body) == b"one,"
        parts.set()
        assert started.complete.wait(10) and started.returned.wait(10)
    assert bytes(started.body) == b"one,two" and started.error is None


def test_the_client_of_a_started_request_stays_until_it_has_the_whole_response() -> None:
    """An app that listens for the client leaving while it streams (as Starlette's streaming responses do) hears
    nothing before its last body part: a server's client waits for the whole response, then leaves."""
    log: list[str] = []

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        import anyio

        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        log.append((await receive())["type"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        async with anyio.create_task_group() as group:

            async def listen() -> None:
                log.append((await receive())["type"])
                group.cancel_scope.cancel()  # the client left: stop streaming

            group.start_soon(listen)
            for part in (b"a", b"b", b"c"):
                await send({"type": "http.response.body", "body": part, "more_body": True})
                await anyio.sleep(0.05)
            log.append("last part")
            await send({"type": "http.response.body", "body": b"!"})
            await anyio.sleep(0.1)
            group.cancel_scope.cancel()

    with TestClient(app) as client:
        started = StartedRequest(client, "GET", "http://testserver/", [], b"")
        assert started.complete.wait(10) and started.returned.wait(10)
    assert bytes(started.body) == b"abc!"
    assert log == ["http.request", "last part", "http.disconnect"]


def test_an_app_that_reads_after_its_response_hears_the_client_leave() -> None:
    """The client leaves once it has the whole response: the app's next read says so at once (it does not wait for
    the app's own return, which would never come)."""
    log: list[str] = []

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await receive()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        log.append((await receive())["type"])

    with TestClient(app) as client:
        started = StartedRequest(client, "GET", "http://testserver/", [], b"")
        assert started.complete.wait(10)
        assert started.returned.wait(10), "the app waited for a client that had left"
    assert started.status == 204 and log == ["http.disconnect"]


# -- the whole way through an in-process host ---------------------------------------------------------------------
APP = """
import asyncio
from fastapi import BackgroundTasks, FastAPI, Header, Request
from fastapi.responses import JSONResponse

from grader.host import services

app = FastAPI()
LIMIT = 3
EVENTS = []


@app.get("/hello/{name}")
async def hello(name: str, request: Request, x_token: str = Header("")):
    return {"hello": name, "token": x_token, "q": request.query_params.get("q")}


@app.get("/slow")
async def slow(tasks: BackgroundTasks):
    async def later():
        EVENTS.append(await services.acall("judge.after"))

    tasks.add_task(later)
    return {"sent": True}


@app.get("/fail")
def fail():
    raise KeyError("missing")


def double(n):
    return n * 2
"""


def test_the_judges_view_agrees_with_a_real_host_in_this_process(tmp_path: Path) -> None:
    module = tmp_path / "q99_probe.py"
    module.write_text(APP)
    host = launch(module, HostOptions(in_process=True, request_timeout_s=TIMEOUT_S))
    try:
        host.load()
        assert host.fact("LIMIT") == 3 and host.kind("double") == "function" and host.call("double", 21) == 42
        assert host.endpoint("/slow") == Endpoint(True, True, "slow") and not host.endpoint("/nothing").found
        assert host.source == APP.encode() and host.scratch is not None and host.scratch.is_dir()
        release = threading.Event()
        host.serve("judge.after", lambda: release.wait(TIMEOUT_S) and "after")
        with host.client() as client:
            response = client.get("/hello/ada?q=1", headers={"x-token": "caf\u00e9".encode()})
            assert response.status_code == 200
            assert response.json() == {"hello": "ada", "token": "caf\xc3\xa9", "q": "1"}
            started = client.start("GET", "/slow")
            collected = started.response(TIMEOUT_S)
            assert collected is not None and collected.json() == {"sent": True}
            assert host.wait_for_calls("judge.after")
            assert started.returned(0.1) is False, "the background task waits for the judge's answer"
            release.set()
            assert started.returned(TIMEOUT_S) is True
            assert [c.name for c in host.service_calls()] == ["judge.after"]
            assert host.fact("EVENTS") == ["after"]
            with pytest.raises(CandidateError, match=r"^KeyError: 'missing' \(q99_probe.py, line \d+: "):
                client.get("/fail")
    finally:
        host.close()
