"""Hidden tests for q18: WebSockets (echo, a chat room with broadcast to the others, refused connections).

Every receive is bounded (``_receive``), so a server that never answers fails the test instead of hanging it.
"Not sent back to the sender" is proved by the order of what arrives next, never by waiting for silence.
Every connection of a test goes through the one entered client of the ``client`` fixture (the host enters its
TestClient, as ``with TestClient(app)`` does), so all of them share one event loop, as the contract says: a
docs-style connection manager must work here.
"""

import httpx
import pytest
from starlette.websockets import WebSocketDisconnect

from grader.bridge.host import RemoteWebSocket

WAIT_SECONDS = 5.0


def _receive(ws: RemoteWebSocket, who: str, *, closing_is_ok: bool = False) -> str:
    """``ws.receive_text()``, but failing the test when nothing arrives within WAIT_SECONDS."""
    try:
        return ws.receive_text(timeout=WAIT_SECONDS)
    except TimeoutError:
        pytest.fail(f"{who} received nothing within {WAIT_SECONDS:g} s")
    except WebSocketDisconnect as error:
        if not closing_is_ok:
            pytest.fail(f"{who}: the server closed the connection (code {error.code}) instead of sending a message")
        raise


def _room(client: httpx.Client, room: str, token: str) -> RemoteWebSocket:
    return client.websocket_connect(f"/ws/rooms/{room}?token={token}")


def _members(client: httpx.Client, room: str) -> list[str]:
    response = client.get(f"/rooms/{room}")
    assert response.status_code == 200, f"GET /rooms/{room} should answer 200, got {response.status_code}"
    body = response.json()
    assert body.get("room") == room, f'GET /rooms/{room} should answer {{"room": "{room}", ...}}, got {body}'
    return sorted(body.get("members", []))


def _assert_refused(client: httpx.Client, url: str, what: str) -> None:
    who = f"a connection {what} (it should be closed with code 1008)"
    try:
        with client.websocket_connect(url) as ws:
            got = _receive(ws, who, closing_is_ok=True)
    except WebSocketDisconnect as closed:
        assert closed.code == 1008, f"a connection {what} should be closed with code 1008, got {closed.code}"
    else:
        pytest.fail(f"{who} was accepted and received {got!r}")


@pytest.mark.contract("q18.1")
def test_echo_prefixes_the_message(client: httpx.Client) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_text("hello")
        assert _receive(ws, "the /ws client") == "Message: hello", "/ws should answer 'hello' with 'Message: hello'"


@pytest.mark.contract("q18.1")
def test_echo_answers_every_message_in_order(client: httpx.Client) -> None:
    with client.websocket_connect("/ws") as ws:
        for text in ("one", "two", "three"):
            ws.send_text(text)
            got = _receive(ws, "the /ws client")
            assert got == f"Message: {text}", f"/ws should answer {text!r} with 'Message: {text}', got {got!r}"


@pytest.mark.contract("q18.2")
def test_room_refuses_a_connection_without_token(client: httpx.Client) -> None:
    _assert_refused(client, "/ws/rooms/lobby", "without a token")


@pytest.mark.contract("q18.2")
def test_room_refuses_an_unknown_token(client: httpx.Client) -> None:
    _assert_refused(client, "/ws/rooms/lobby?token=not-a-token", "with an unknown token")


@pytest.mark.contract("q18.2")
def test_room_message_reaches_the_other_member(client: httpx.Client) -> None:
    with _room(client, "lobby", "alice-token") as alice, _room(client, "lobby", "bob-token") as bob:
        alice.send_text("hello")
        got = _receive(bob, "bob (after alice sent 'hello')")
        assert got == "alice: hello", f"bob should receive 'alice: hello', got {got!r}"


@pytest.mark.contract("q18.2")
def test_sender_does_not_receive_its_own_message(client: httpx.Client) -> None:
    with _room(client, "lobby", "alice-token") as alice, _room(client, "lobby", "bob-token") as bob:
        alice.send_text("ping")
        got = _receive(bob, "bob (after alice sent 'ping')")
        assert got == "alice: ping", f"bob should receive 'alice: ping', got {got!r}"
        bob.send_text("pong")
        got = _receive(alice, "alice (after bob sent 'pong')")
        assert got == "bob: pong", (
            f"alice's next message should be bob's 'bob: pong'; got {got!r} (the sender must not get its own message)"
        )


@pytest.mark.contract("q18.2")
def test_message_reaches_every_other_member(client: httpx.Client) -> None:
    with (
        _room(client, "lobby", "alice-token") as alice,
        _room(client, "lobby", "bob-token") as bob,
        _room(client, "lobby", "carol-token") as carol,
    ):
        bob.send_text("hi all")
        for name, ws in (("alice", alice), ("carol", carol)):
            got = _receive(ws, f"{name} (after bob sent 'hi all')")
            assert got == "bob: hi all", f"{name} should receive 'bob: hi all', got {got!r}"
        carol.send_text("hi bob")
        got = _receive(bob, "bob (after carol sent 'hi bob')")
        assert got == "carol: hi bob", f"bob's next message should be 'carol: hi bob', got {got!r}"


@pytest.mark.contract("q18.2")
def test_rooms_are_isolated(client: httpx.Client) -> None:
    with (
        _room(client, "red", "alice-token") as alice,
        _room(client, "red", "bob-token") as bob,
        _room(client, "blue", "carol-token") as carol,
        _room(client, "blue", "dave-token") as dave,
    ):
        alice.send_text("in red")
        got = _receive(bob, "bob in room red")
        assert got == "alice: in red", f"bob (room red) should receive 'alice: in red', got {got!r}"
        dave.send_text("in blue")
        got = _receive(carol, "carol in room blue")
        assert got == "dave: in blue", (
            f"carol (room blue) should next receive 'dave: in blue', got {got!r} (rooms must not leak into each other)"
        )


@pytest.mark.contract("q18.2")
def test_room_keeps_working_after_a_member_disconnects(client: httpx.Client) -> None:
    with _room(client, "lobby", "alice-token") as alice, _room(client, "lobby", "bob-token") as bob:
        with _room(client, "lobby", "carol-token") as carol:
            carol.send_text("bye")
            assert _receive(alice, "alice (after carol sent 'bye')") == "carol: bye", "alice should get 'carol: bye'"
            assert _receive(bob, "bob (after carol sent 'bye')") == "carol: bye", "bob should get 'carol: bye'"
        alice.send_text("still here?")
        got = _receive(bob, "bob (after carol left and alice sent 'still here?')")
        assert got == "alice: still here?", f"after carol left, bob should receive alice's message, got {got!r}"
        bob.send_text("yes")
        got = _receive(alice, "alice (after carol left and bob sent 'yes')")
        assert got == "bob: yes", f"after carol left, alice should receive bob's message, got {got!r}"


@pytest.mark.contract("q18.2", "q18.3")
def test_members_endpoint_follows_connects_and_disconnects(client: httpx.Client) -> None:
    assert _members(client, "lobby") == [], "an empty room should have no members"
    with _room(client, "lobby", "alice-token"):
        with _room(client, "lobby", "bob-token"):
            assert _members(client, "lobby") == ["alice", "bob"], "alice and bob are connected to lobby"
            assert _members(client, "other") == [], "a room nobody joined should have no members"
        assert _members(client, "lobby") == ["alice"], "bob disconnected: only alice should remain"
    assert _members(client, "lobby") == [], "everyone disconnected: the room should be empty"
