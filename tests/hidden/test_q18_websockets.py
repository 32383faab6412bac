"""Hidden tests for q18: WebSockets (echo, a chat room with broadcast to the others, refused connections).

Every receive is bounded (``_receive``), so a server that never answers fails the test instead of hanging it.
"Not sent back to the sender" is proved by the order of what arrives next, never by waiting for silence.
Every connection of a test goes through the one entered client of the ``client`` fixture (the host enters its
TestClient, as ``with TestClient(app)`` does), so all of them share one event loop, as the contract says: a
docs-style connection manager must work here.
"""

from contextlib import ExitStack

import httpx
import pytest
from starlette.websockets import WebSocketDisconnect

from grader.judge.bridge.host import RemoteWebSocket

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
    assert isinstance(body, dict) and set(body) == {"room", "members"}, (
        f"GET /rooms/{room} should answer exactly the keys room and members, got {body}"
    )
    assert body["room"] == room, f'GET /rooms/{room} should answer {{"room": "{room}", ...}}, got {body}'
    return sorted(body["members"])


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


TEXTS = ("", "  spaced out  ", "caf\u00e9 \u4f60\u597d \U0001f30d e\u0301", '{"json": [1, 2]}', "a: b")


@pytest.mark.contract("q18.1")
def test_echo_passes_any_text_unchanged(client: httpx.Client) -> None:
    with client.websocket_connect("/ws") as ws:
        for text in TEXTS:
            ws.send_text(text)
            got = _receive(ws, f"the /ws client (after sending {text!r})")
            assert got == f"Message: {text}", f"/ws should answer {text!r} with {'Message: ' + text!r}, got {got!r}"


@pytest.mark.contract("q18.1")
def test_echo_keeps_answering_a_long_conversation(client: httpx.Client) -> None:
    with client.websocket_connect("/ws") as ws:
        for number in range(1, 24):
            ws.send_text(f"n{number}")
            got = _receive(ws, f"the /ws client (message {number})")
            assert got == f"Message: n{number}", f"/ws should answer message {number} 'n{number}', got {got!r}"


@pytest.mark.contract("q18.2")
def test_room_relays_any_text_unchanged_and_in_order(client: httpx.Client) -> None:
    with _room(client, "lobby", "alice-token") as alice, _room(client, "lobby", "bob-token") as bob:
        for text in TEXTS:
            alice.send_text(text)
        for text in TEXTS:
            got = _receive(bob, f"bob (after alice sent {text!r})")
            assert got == f"alice: {text}", f"bob should receive {'alice: ' + text!r} (in order), got {got!r}"


@pytest.mark.contract("q18.2", "q18.3")
def test_a_room_with_a_non_ascii_name(client: httpx.Client) -> None:
    room = "caf\u00e9-\u4f1a\u8bae"
    with _room(client, room, "carol-token") as carol, _room(client, room, "dave-token") as dave:
        assert _members(client, room) == ["carol", "dave"], f"carol and dave are connected to {room!r}"
        dave.send_text("bonjour")
        got = _receive(carol, f"carol in room {room!r}")
        assert got == "dave: bonjour", f"carol should receive 'dave: bonjour', got {got!r}"


@pytest.mark.contract("q18.2", "q18.3")
def test_one_user_with_two_connections_is_two_members(client: httpx.Client) -> None:
    with ExitStack() as stack:
        tab_one = stack.enter_context(_room(client, "lobby", "alice-token"))
        bob = stack.enter_context(_room(client, "lobby", "bob-token"))
        tab_two = stack.enter_context(_room(client, "lobby", "alice-token"))
        assert _members(client, "lobby") == ["alice", "alice", "bob"], (
            "alice connected twice and bob once: GET /rooms/lobby should list alice twice and bob once"
        )
        bob.send_text("hi alice")
        for name, ws in (("alice's first connection", tab_one), ("alice's second connection", tab_two)):
            got = _receive(ws, f"{name} (after bob sent 'hi alice')")
            assert got == "bob: hi alice", f"{name} should receive 'bob: hi alice', got {got!r}"
        tab_one.send_text("from tab one")
        for name, ws in (("bob", bob), ("alice's second connection", tab_two)):
            got = _receive(ws, f"{name} (after alice's first connection sent 'from tab one')")
            assert got == "alice: from tab one", f"{name} should receive 'alice: from tab one', got {got!r}"
        tab_two.send_text("from tab two")
        got = _receive(tab_one, "alice's first connection (after her second sent 'from tab two')")
        assert got == "alice: from tab two", (
            f"alice's first connection should next receive 'alice: from tab two', got {got!r}"
            " (a connection never gets its own message back, the user's other connections do)"
        )
        assert _receive(bob, "bob (after 'from tab two')") == "alice: from tab two", "bob should get 'from tab two'"
        tab_one.__exit__(None, None, None)  # the first connection leaves, the second stays
        assert _members(client, "lobby") == ["alice", "bob"], (
            "after alice closed one of her two connections, she should still be listed once, with bob"
        )
        bob.send_text("still there?")
        got = _receive(tab_two, "alice's second connection (after her first one left)")
        assert got == "bob: still there?", f"alice's remaining connection should still get bob's messages, got {got!r}"
        tab_two.send_text("yes")
        assert _receive(bob, "bob (after alice's second connection sent 'yes')") == "alice: yes", "bob should get 'yes'"


@pytest.mark.contract("q18.2", "q18.3")
def test_the_first_member_leaving_keeps_the_room_working(client: httpx.Client) -> None:
    with ExitStack() as stack:
        dave = stack.enter_context(_room(client, "lobby", "dave-token"))
        carol = stack.enter_context(_room(client, "lobby", "carol-token"))
        bob = stack.enter_context(_room(client, "lobby", "bob-token"))
        dave.__exit__(None, None, None)
        assert _members(client, "lobby") == ["bob", "carol"], "dave, the first to join, left: bob and carol remain"
        bob.send_text("after dave")
        assert _receive(carol, "carol (after dave left)") == "bob: after dave", "carol should get bob's message"
        carol.send_text("ok")
        assert _receive(bob, "bob (after dave left)") == "carol: ok", "bob should get carol's message"


@pytest.mark.contract("q18.2")
def test_room_refuses_a_connection_without_token(client: httpx.Client) -> None:
    _assert_refused(client, "/ws/rooms/lobby", "without a token")


@pytest.mark.contract("q18.2")
def test_room_refuses_an_unknown_token(client: httpx.Client) -> None:
    _assert_refused(client, "/ws/rooms/lobby?token=not-a-token", "with an unknown token")


@pytest.mark.contract("q18.2", "q18.3")
def test_room_refuses_every_near_miss_token_and_keeps_it_out(client: httpx.Client) -> None:
    with _room(client, "lobby", "alice-token") as alice:
        for token, what in (
            ("", "with an empty token"),
            ("alice", "with a user name as the token"),
            ("Alice-token", "with the token in other letter case"),
            ("alice-token-", "with the token plus a character"),
            ("bob", "with the user name bob as the token"),
        ):
            _assert_refused(client, f"/ws/rooms/lobby?token={token}", what)
        assert _members(client, "lobby") == ["alice"], "refused connections must never count as members"
        with _room(client, "lobby", "bob-token") as bob:
            bob.send_text("first")
            got = _receive(alice, "alice (after bob sent 'first')")
            assert got == "bob: first", f"alice's first message should be 'bob: first' (no notices), got {got!r}"


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


@pytest.mark.contract("q18.2", "q18.3")
def test_rooms_whose_names_differ_only_in_case_are_isolated(client: httpx.Client) -> None:
    # The room is the path segment as sent: "Lobby" and "lobby" are two rooms, like any two different names.
    with (
        _room(client, "Lobby", "alice-token") as alice,
        _room(client, "Lobby", "bob-token") as bob,
        _room(client, "lobby", "carol-token") as carol,
        _room(client, "lobby", "dave-token") as dave,
    ):
        alice.send_text("in Lobby")
        got = _receive(bob, "bob in room Lobby")
        assert got == "alice: in Lobby", f"bob (room Lobby) should receive 'alice: in Lobby', got {got!r}"
        dave.send_text("in lobby")
        got = _receive(carol, "carol in room lobby")
        assert got == "dave: in lobby", (
            f"carol (room lobby) should next receive 'dave: in lobby', got {got!r}"
            " (Lobby and lobby are different rooms: names differing in case must not be merged)"
        )
        carol.send_text("lower only")
        got = _receive(dave, "dave in room lobby")
        assert got == "carol: lower only", (
            f"dave (room lobby) should next receive 'carol: lower only', got {got!r}"
            " (Lobby and lobby are different rooms: names differing in case must not be merged)"
        )
        bob.send_text("upper only")
        got = _receive(alice, "alice in room Lobby")
        assert got == "bob: upper only", (
            f"alice (room Lobby) should next receive 'bob: upper only', got {got!r}"
            " (Lobby and lobby are different rooms: names differing in case must not be merged)"
        )
        assert _members(client, "Lobby") == ["alice", "bob"], "alice and bob are connected to Lobby, not lobby"
        assert _members(client, "lobby") == ["carol", "dave"], "carol and dave are connected to lobby, not Lobby"
        assert _members(client, "LOBBY") == [], "nobody joined LOBBY"


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
