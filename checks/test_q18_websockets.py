"""Public checks for q18: an echo socket and a chat room, as tests you can read and run.

`fastlings check 18` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, several rooms and the member list included.

A wrong server could leave a socket waiting forever, so each check runs its conversation in a
background thread and fails if that conversation has not finished within a few seconds.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

TIMEOUT_SECONDS = 5.0
POLICY_VIOLATION = 1008


def run_within_timeout(conversation: Callable[[], None], what: str) -> None:
    """Run `conversation` in a daemon thread; fail if it has not returned after TIMEOUT_SECONDS."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            conversation()
        except BaseException as exc:  # handed over to the test's own thread below
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=target, name=f"q18-check: {what}", daemon=True)
    thread.start()
    thread.join(TIMEOUT_SECONDS)
    if thread.is_alive():
        pytest.fail(
            f"{what}: the conversation did not finish within {TIMEOUT_SECONDS:g} s "
            "(a message or the close that should have come never arrived)",
            pytrace=False,
        )
    if outcome[0] is not None:
        raise outcome[0]


@contextmanager
def accepted_socket(client: TestClient, url: str) -> Iterator[WebSocketTestSession]:
    """Connect to `url`, failing with a clear message if the server refuses the connection."""
    with ExitStack() as stack:
        try:
            websocket = stack.enter_context(client.websocket_connect(url))
        except WebSocketDisconnect as disconnect:
            pytest.fail(f"{url} should accept the connection, but it was closed with code {disconnect.code}")
        yield websocket


def test_ws_echoes_every_message(target_module: ModuleType) -> None:
    def conversation() -> None:
        with TestClient(target_module.app) as client, accepted_socket(client, "/ws") as websocket:
            for text in ("hello", "again"):
                websocket.send_text(text)
                reply = websocket.receive_text()
                assert reply == f"Message: {text}", f"/ws should answer {text!r} with 'Message: {text}', got {reply!r}"

    run_within_timeout(conversation, "echo on /ws")


def test_room_message_reaches_the_other_member_not_the_sender(target_module: ModuleType) -> None:
    def conversation() -> None:
        with (
            TestClient(target_module.app) as client,
            accepted_socket(client, "/ws/rooms/lobby?token=alice-token") as alice,
            accepted_socket(client, "/ws/rooms/lobby?token=bob-token") as bob,
        ):
            alice.send_text("hello")
            received = bob.receive_text()
            assert received == "alice: hello", f"bob should receive alice's message as 'alice: hello', got {received!r}"

            bob.send_text("hi alice")
            received = alice.receive_text()
            assert received == "bob: hi alice", (
                f"alice's first message should be bob's reply 'bob: hi alice' (never her own message), got {received!r}"
            )

    run_within_timeout(conversation, "alice and bob in room lobby")


@pytest.mark.parametrize(
    ("url", "case"),
    [
        ("/ws/rooms/lobby", "without a token"),
        ("/ws/rooms/lobby?token=mallory-token", "with a token not in TOKENS"),
    ],
    ids=["no-token", "unknown-token"],
)
def test_room_refuses_a_missing_or_unknown_token_with_1008(target_module: ModuleType, url: str, case: str) -> None:
    def conversation() -> None:
        with TestClient(target_module.app) as client:
            try:
                with client.websocket_connect(url) as websocket:
                    # Accepting and closing at once is allowed: the close then arrives as the first message.
                    message = websocket.receive_text()
            except WebSocketDisconnect as disconnect:
                code = getattr(disconnect, "code", None)
                assert code == POLICY_VIOLATION, (
                    f"a connection {case} should be closed with code {POLICY_VIOLATION}, got code {code}"
                )
            else:
                pytest.fail(
                    f"a connection {case} should be refused with close code {POLICY_VIOLATION}, "
                    f"but it was accepted and received {message!r}"
                )

    run_within_timeout(conversation, f"connecting {case}")
