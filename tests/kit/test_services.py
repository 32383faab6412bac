"""The services across the wall, in this process: the judge's hub (``grader.judge.bridge.services``) and the host's
link to
it (``grader.host.services``) over a socketpair, and each of them against raw frames a misbehaving peer could send.

What a hidden test concludes from service calls is counted by the hub, so the hub must record every call in
order, answer each with its own handler in a thread of its own (a held answer never stops the others), and stop
recording, not the judge, when a host calls without end. The host's side must give each call its own answer
whatever order the answers come in, and fail every waiting call, never hang it, when the judge is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from grader.host import services as host_services
from grader.host.services import ServiceError
from grader.judge.bridge import services as judge_services
from grader.judge.bridge.services import ServiceCall, ServiceHub
from grader.protocol import ChannelClosed, receive, send

WAIT_S = 10.0  # far more than any answer here needs: only a lost answer reaches it
# A thread of the hub or of the link that dies of an exception fails its test: each must end quietly.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")


def hang_up(*socks: socket.socket) -> None:
    """Shut both directions (which wakes a thread blocked reading, as ``close`` alone does not), then close."""
    for sock in socks:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ServiceHub, socket.socket]]:
    """A hub on the judge's end and the host's link attached to the other end, as a host has it."""
    judge_end, host_end = socket.socketpair()
    monkeypatch.setattr(host_services, "_LINK", None)  # put back after the test
    hub = ServiceHub(judge_end)
    host_services.attach(host_end)
    yield hub, judge_end
    hub.close()
    hang_up(judge_end, host_end)


@pytest.fixture
def hub_and_raw_host() -> Iterator[tuple[ServiceHub, socket.socket]]:
    """A hub, and the host's end of its socket as raw frames."""
    judge_end, host_end = socket.socketpair()
    hub = ServiceHub(judge_end)
    host_end.settimeout(WAIT_S)
    yield hub, host_end
    hub.close()
    hang_up(judge_end, host_end)


@pytest.fixture
def raw_judge(monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """The host's link attached to a socket whose other end the test drives with raw frames."""
    judge_end, host_end = socket.socketpair()
    monkeypatch.setattr(host_services, "_LINK", None)
    host_services.attach(host_end)
    judge_end.settimeout(WAIT_S)
    yield judge_end
    hang_up(judge_end, host_end)


def in_thread(function: Any, *args: Any) -> tuple[threading.Thread, list[Any]]:
    """Run ``function(*args)`` in a thread; the list gets its result, or the exception it raised."""
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(function(*args))
        except BaseException as exc:
            box.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


# -- the two sides together -----------------------------------------------------------------------------------------
def test_a_served_call_gets_its_handlers_answer_and_is_recorded(wall: tuple[ServiceHub, socket.socket]) -> None:
    hub, _judge_end = wall
    hub.serve("q30.fetch", lambda key, n: {"value": f"{key}-{n * 2}"})
    assert host_services.call("q30.fetch", "alpha", 21) == {"value": "alpha-42"}
    assert hub.calls() == [ServiceCall("q30.fetch", ("alpha", 21))]
    assert hub.calls("q30.fetch") == [ServiceCall("q30.fetch", ("alpha", 21))]


def test_each_handler_runs_in_a_thread_named_for_its_service(wall: tuple[ServiceHub, socket.socket]) -> None:
    """A handler the judge holds shows in a thread dump under the service it answers."""
    hub, _judge_end = wall
    hub.serve("q30.fetch", lambda: threading.current_thread().name)
    hub.serve("q31.other", lambda: [threading.current_thread().name, threading.current_thread().daemon])
    assert host_services.call("q30.fetch") == "judge-service-q30.fetch"
    assert host_services.call("q31.other") == ["judge-service-q31.other", True]


def test_an_unserved_name_answers_none_and_is_recorded_too(wall: tuple[ServiceHub, socket.socket]) -> None:
    hub, _judge_end = wall
    assert host_services.call("nobody.serves", 1) is None
    assert host_services.call("nobody.serves") is None
    assert hub.calls("nobody.serves") == [ServiceCall("nobody.serves", (1,)), ServiceCall("nobody.serves", ())]


def test_calls_are_recorded_in_arrival_order_and_filtered_by_name(wall: tuple[ServiceHub, socket.socket]) -> None:
    hub, _judge_end = wall
    for n in range(3):
        host_services.call("a", n)
        host_services.call("b", n)
    assert [c.args for c in hub.calls("a")] == [(0,), (1,), (2,)]
    assert [c.args for c in hub.calls("b")] == [(0,), (1,), (2,)]
    assert [(c.name, c.args) for c in hub.calls()] == [(name, (n,)) for n in range(3) for name in "ab"]
    assert hub.calls("c") == []


def test_a_handlers_refusal_is_raised_in_the_host_with_its_type(wall: tuple[ServiceHub, socket.socket]) -> None:
    hub, _judge_end = wall

    def refuse(amount: int) -> int:
        raise PermissionError(f"{amount} is over the limit")

    hub.serve("pay", refuse)
    with pytest.raises(ServiceError, match=r"^PermissionError: 5 is over the limit$"):
        host_services.call("pay", 5)
    assert hub.calls("pay") == [ServiceCall("pay", (5,))]
    hub.serve("pay", lambda amount: amount)  # a later handler replaces the first
    assert host_services.call("pay", 6) == 6


def test_a_held_answer_does_not_stop_other_calls_and_each_gets_its_own(wall: tuple[ServiceHub, socket.socket]) -> None:
    hub, _judge_end = wall
    """The judge holds the first call's answer until it has seen and answered a second one."""
    release = threading.Event()

    def slow(tag: str) -> str:
        assert release.wait(WAIT_S)
        return f"slow {tag}"

    hub.serve("slow", slow)
    hub.serve("fast", lambda tag: f"fast {tag}")
    held, held_box = in_thread(host_services.call, "slow", "first")
    assert hub.wait_for("slow", 1, WAIT_S)
    assert host_services.call("fast", "second") == "fast second"  # answered while the first is held
    assert held.is_alive() and held_box == []
    release.set()
    held.join(WAIT_S)
    assert held_box == ["slow first"]


def test_wait_for_counts_calls_of_one_name(wall: tuple[ServiceHub, socket.socket]) -> None:
    hub, _judge_end = wall
    assert hub.wait_for("tick", 0, 0.01) is True
    assert hub.wait_for("tick", 1, 0.05) is False
    host_services.call("tock")
    assert hub.wait_for("tick", 1, 0.05) is False  # another name does not count
    for _ in range(2):
        host_services.call("tick")
    assert hub.wait_for("tick", 2, WAIT_S) is True
    assert hub.wait_for("tick", 3, 0.05) is False


def test_wait_for_wakes_when_the_call_arrives(wall: tuple[ServiceHub, socket.socket]) -> None:
    hub, _judge_end = wall

    def later() -> None:
        time.sleep(0.2)
        host_services.call("late")

    caller = threading.Thread(target=later, daemon=True)
    caller.start()
    started = time.monotonic()
    assert hub.wait_for("late", 1, WAIT_S) is True
    assert time.monotonic() - started < WAIT_S / 2
    caller.join(WAIT_S)


def test_acall_waits_without_blocking_the_event_loop(wall: tuple[ServiceHub, socket.socket]) -> None:
    hub, _judge_end = wall
    release = threading.Event()
    hub.serve("held", lambda *args: release.wait(WAIT_S) and f"released {args}")
    hub.serve("refused", lambda: 1 / 0)

    async def main() -> tuple[Any, list[int], str]:
        ticks: list[int] = []

        async def ticker() -> None:
            for n in range(5):
                ticks.append(n)
                await asyncio.sleep(0.01)
            release.set()  # only a loop left free gets here

        answer, _ = await asyncio.gather(host_services.acall("held", 1, "two"), ticker())
        try:
            await host_services.acall("refused")
        except ServiceError as exc:
            return answer, ticks, str(exc)
        return answer, ticks, "no error"

    answer, ticks, refusal = asyncio.run(main())
    assert answer == "released (1, 'two')" and ticks == [0, 1, 2, 3, 4]
    assert hub.calls("held") == [ServiceCall("held", (1, "two"))]
    assert refusal == "ZeroDivisionError: division by zero"


def test_acall_without_a_link_raises_in_the_coroutine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(host_services, "_LINK", None)
    with pytest.raises(ServiceError, match="this host has no link to the judge's services"):
        asyncio.run(host_services.acall("anything"))


def test_a_call_before_attach_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(host_services, "_LINK", None)
    with pytest.raises(ServiceError, match=r"^this host has no link to the judge's services$"):
        host_services.call("anything")


def test_when_the_judge_goes_every_waiting_and_later_call_fails(wall: tuple[ServiceHub, socket.socket]) -> None:
    hub, _judge_end = wall
    hub.serve("never", lambda _n: threading.Event().wait(WAIT_S * 3))
    waiting = [in_thread(host_services.call, "never", n) for n in range(2)]
    assert hub.wait_for("never", 2, WAIT_S)
    hang_up(_judge_end)  # the judge's end goes away
    for thread, box in waiting:
        thread.join(WAIT_S)
        assert not thread.is_alive(), "a call waited on a judge that is gone"
        assert len(box) == 1 and isinstance(box[0], ServiceError)
        assert str(box[0]) == "the judge's services are gone"
    with pytest.raises(ServiceError, match=r"^the judge's services are gone$"):
        host_services.call("never")


# -- the hub against raw frames ------------------------------------------------------------------------------------
def test_the_hub_answers_with_the_callers_id(hub_and_raw_host: tuple[ServiceHub, socket.socket]) -> None:
    hub, host = hub_and_raw_host
    hub.serve("double", lambda n: n * 2)
    send(host, {"id": 7, "name": "double", "args": [4]})
    assert receive(host, time.monotonic() + WAIT_S) == {"id": 7, "result": 8}
    send(host, {"id": "x-1", "name": "double", "args": [5]})
    assert receive(host, time.monotonic() + WAIT_S) == {"id": "x-1", "result": 10}
    send(host, {"id": 9, "name": "unknown", "args": []})
    assert receive(host, time.monotonic() + WAIT_S) == {"id": 9, "result": None}


def test_the_hub_reads_odd_calls_as_plain_data(hub_and_raw_host: tuple[ServiceHub, socket.socket]) -> None:
    hub, host = hub_and_raw_host
    seen: list[tuple[Any, ...]] = []
    hub.serve("", lambda *args: seen.append(args) or "empty name")
    hub.serve("5", lambda *args: seen.append(args) or "five")
    send(host, {"id": 1})  # no name, no args
    assert receive(host, time.monotonic() + WAIT_S) == {"id": 1, "result": "empty name"}
    send(host, {"id": 2, "name": 5, "args": "not a list"})
    assert receive(host, time.monotonic() + WAIT_S) == {"id": 2, "result": "five"}
    send(host, {"id": 3, "name": "", "args": {"a": 1}})
    assert receive(host, time.monotonic() + WAIT_S) == {"id": 3, "result": "empty name"}
    assert hub.calls() == [ServiceCall("", ()), ServiceCall("5", ()), ServiceCall("", ())]
    assert seen == [(), (), ()]


def test_a_handler_that_answers_no_json_leaves_the_hub_serving(
    hub_and_raw_host: tuple[ServiceHub, socket.socket],
) -> None:
    hub, host = hub_and_raw_host
    hub.serve("bad", lambda: float("nan"))
    hub.serve("good", lambda: "fine")
    send(host, {"id": 1, "name": "bad", "args": []})
    send(host, {"id": 2, "name": "good", "args": []})
    assert receive(host, time.monotonic() + WAIT_S) == {"id": 2, "result": "fine"}


def test_the_hub_stops_recording_past_its_ceiling_but_keeps_answering(
    hub_and_raw_host: tuple[ServiceHub, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    hub, host = hub_and_raw_host
    assert judge_services._MAX_CALLS == 10_000
    monkeypatch.setattr(judge_services, "_MAX_CALLS", 3)
    hub.serve("n", lambda n: n)
    for n in range(5):
        send(host, {"id": n, "name": "n", "args": [n]})
        assert receive(host, time.monotonic() + WAIT_S) == {"id": n, "result": n}
    assert [c.args for c in hub.calls()] == [(0,), (1,), (2,)]


def test_a_flood_of_calls_is_refused_at_once_past_the_calls_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls held by their handlers take a slot each; past the ceiling a call is answered with a refusal at once
    (and still recorded), and a slot freed by an answer serves the next call."""
    assert judge_services._MAX_IN_FLIGHT == 64
    monkeypatch.setattr(judge_services, "_MAX_IN_FLIGHT", 2)
    judge_end, host = socket.socketpair()
    hub = ServiceHub(judge_end)
    host.settimeout(WAIT_S)
    release = threading.Event()
    try:
        hub.serve("held", lambda n: release.wait(WAIT_S) and n)
        for n in range(3):
            send(host, {"id": n, "name": "held", "args": [n]})
        assert receive(host, time.monotonic() + WAIT_S) == {"id": 2, "error": "too many calls in flight"}
        assert [c.args for c in hub.calls("held")] == [(0,), (1,), (2,)]
        release.set()
        assert {receive(host, time.monotonic() + WAIT_S)["id"] for _ in range(2)} == {0, 1}
        send(host, {"id": 3, "name": "held", "args": [3]})
        assert receive(host, time.monotonic() + WAIT_S) == {"id": 3, "result": 3}
        hub.serve("boom", lambda: 1 / 0)
        for n in range(4, 7):  # a refusing handler frees its slot too
            send(host, {"id": n, "name": "boom", "args": []})
            assert receive(host, time.monotonic() + WAIT_S) == {"id": n, "error": "ZeroDivisionError: division by zero"}
    finally:
        release.set()
        hub.close()
        hang_up(judge_end, host)


def test_a_non_frame_ends_the_hubs_service_quietly(hub_and_raw_host: tuple[ServiceHub, socket.socket]) -> None:
    hub, host = hub_and_raw_host
    send(host, {"id": 1, "name": "before", "args": []})
    assert receive(host, time.monotonic() + WAIT_S) == {"id": 1, "result": None}
    host.sendall(struct.pack(">I", 5) + b"[1,2]")  # not an object: the channel is closed
    time.sleep(0.2)
    send(host, {"id": 2, "name": "after", "args": []})
    host.settimeout(0.5)
    with pytest.raises((TimeoutError, ChannelClosed)):
        receive(host, time.monotonic() + 0.5)
    assert [c.name for c in hub.calls()] == ["before"]


def test_a_host_that_hangs_up_on_unread_answers_ends_the_hub_quietly(
    hub_and_raw_host: tuple[ServiceHub, socket.socket],
) -> None:
    """The host leaves with an answer unread: the hub's next read fails (a reset connection) and its thread ends."""
    hub, host = hub_and_raw_host
    hub.serve("x", lambda: "an answer nobody reads")
    send(host, {"id": 1, "name": "x", "args": []})
    deadline = time.monotonic() + WAIT_S
    while not select.select([host], [], [], 0)[0] and time.monotonic() < deadline:
        time.sleep(0.01)  # until the answer waits, unread, on the host's side
    host.close()
    time.sleep(0.3)  # the hub's thread meets the reset and ends
    assert [c.name for c in hub.calls()] == ["x"]


def test_an_answer_to_a_host_that_left_is_dropped_quietly(hub_and_raw_host: tuple[ServiceHub, socket.socket]) -> None:
    hub, host = hub_and_raw_host
    left = threading.Event()
    answered = threading.Event()

    def late() -> str:
        left.wait(WAIT_S)
        answered.set()
        return "too late"

    hub.serve("late", late)
    send(host, {"id": 1, "name": "late", "args": []})
    assert hub.wait_for("late", 1, WAIT_S)
    host.close()
    left.set()
    assert answered.wait(WAIT_S)
    time.sleep(0.3)  # the answer's thread meets the broken pipe and ends


def test_no_thread_of_the_hub_or_the_link_keeps_the_judge_or_the_host_alive(
    wall: tuple[ServiceHub, socket.socket],
) -> None:
    """Every thread they start is a daemon: a process whose main code is done exits even while a call is held."""
    hub, _judge_end = wall
    before = set(threading.enumerate())
    release = threading.Event()
    hub.serve("held", lambda: release.wait(WAIT_S))
    caller, _box = in_thread(host_services.call, "held")
    assert hub.wait_for("held", 1, WAIT_S)
    time.sleep(0.1)
    started = [t for t in threading.enumerate() if t not in before and t is not caller]
    release.set()
    caller.join(WAIT_S)
    assert started, "the held call has a thread answering it"
    assert all(t.daemon for t in started), [t.name for t in started if not t.daemon]
    release.clear()
    before = set(threading.enumerate())

    async def held_acall() -> list[threading.Thread]:
        waiting = asyncio.ensure_future(host_services.acall("held"))
        await asyncio.sleep(0.2)
        threads = [t for t in threading.enumerate() if t not in before]
        release.set()
        await waiting
        return threads

    acall_threads = asyncio.run(held_acall())
    assert acall_threads and all(t.daemon for t in acall_threads), [t.name for t in acall_threads]
    # a thread dump of a hung host names the service each waiting thread is held by
    assert "kit-service-held" in [t.name for t in acall_threads]
    judge_end, host_end = socket.socketpair()
    before = set(threading.enumerate())
    other = ServiceHub(judge_end)
    host_services.attach(host_end)  # the link is put back after the test
    try:
        new = set(threading.enumerate()) - before
        assert len(new) == 2 and all(t.daemon for t in new)
        assert sorted(t.name for t in new) == ["judge-services", "kit-services"], "named for a thread dump"
    finally:
        other.close()
        hang_up(judge_end, host_end)


def test_closing_the_hub_never_raises_into_the_judge(hub_and_raw_host: tuple[ServiceHub, socket.socket]) -> None:
    """The hub is closed while a host is torn down: a socket that fails to close is no error of the question."""
    hub, _host_end = hub_and_raw_host
    real = hub._sock

    class FailingSocket:
        def close(self) -> None:
            raise OSError(9, "Bad file descriptor")

    hub._sock = FailingSocket()  # type: ignore[assignment]
    try:
        hub.close()
    finally:
        hub._sock = real


def test_the_hub_answers_calls_one_frame_at_a_time(hub_and_raw_host: tuple[ServiceHub, socket.socket]) -> None:
    """Answers sent from many handler threads at once never interleave their bytes."""
    hub, host = hub_and_raw_host
    hub.serve("big", lambda n: str(n) * 200_000)
    for n in range(8):
        send(host, {"id": n, "name": "big", "args": [n]})
    answers = {}
    for _ in range(8):
        reply = receive(host, time.monotonic() + WAIT_S)
        answers[reply["id"]] = reply["result"]
    assert answers == {n: str(n) * 200_000 for n in range(8)}


# -- the host's link against raw frames ----------------------------------------------------------------------------
def test_the_host_sends_an_id_a_name_and_json_args(raw_judge: socket.socket) -> None:
    caller, box = in_thread(host_services.call, "q13.send_email", "ada@example.com", {"subject": "hi"})
    first = receive(raw_judge, time.monotonic() + WAIT_S)
    assert first == {"id": first["id"], "name": "q13.send_email", "args": ["ada@example.com", {"subject": "hi"}]}
    assert isinstance(first["id"], int)
    send(raw_judge, {"id": first["id"], "result": "sent"})
    caller.join(WAIT_S)
    assert box == ["sent"]
    caller, box = in_thread(host_services.call, "again")
    second = receive(raw_judge, time.monotonic() + WAIT_S)
    assert second["id"] != first["id"]
    send(raw_judge, {"id": second["id"]})  # no result: None
    caller.join(WAIT_S)
    assert box == [None]


def test_answers_in_another_order_reach_their_own_callers(raw_judge: socket.socket) -> None:
    callers = [in_thread(host_services.call, "echo", n) for n in range(3)]
    ids = {}
    for _ in range(3):
        message = receive(raw_judge, time.monotonic() + WAIT_S)
        ids[message["args"][0]] = message["id"]
    assert len(set(ids.values())) == 3
    send(raw_judge, {"id": 10_000, "result": "for nobody"})  # an answer no call waits for is dropped
    for n in (2, 0, 1):
        send(raw_judge, {"id": ids[n], "result": f"answer {n}"})
    for n, (thread, box) in enumerate(callers):
        thread.join(WAIT_S)
        assert box == [f"answer {n}"]


def test_an_error_answer_is_raised_as_its_text(raw_judge: socket.socket) -> None:
    caller, box = in_thread(host_services.call, "x")
    message = receive(raw_judge, time.monotonic() + WAIT_S)
    send(raw_judge, {"id": message["id"], "error": 404, "result": "ignored"})
    caller.join(WAIT_S)
    assert len(box) == 1 and isinstance(box[0], ServiceError) and str(box[0]) == "404"


def test_an_answer_without_an_id_reaches_no_caller(raw_judge: socket.socket) -> None:
    caller, box = in_thread(host_services.call, "x")
    message = receive(raw_judge, time.monotonic() + WAIT_S)
    send(raw_judge, {"result": "for no one"})
    send(raw_judge, {"id": 0, "result": "for no one either"})
    send(raw_judge, {"id": message["id"], "result": "its own"})
    caller.join(WAIT_S)
    assert box == ["its own"]


def test_an_answer_with_an_id_as_text_still_reaches_its_caller(raw_judge: socket.socket) -> None:
    caller, box = in_thread(host_services.call, "x")
    message = receive(raw_judge, time.monotonic() + WAIT_S)
    send(raw_judge, {"id": str(message["id"]), "result": "by text"})
    caller.join(WAIT_S)
    assert box == ["by text"]


@pytest.mark.parametrize("breakage", ["eof", "not a number", "not a frame"])
def test_a_broken_judge_fails_the_waiting_call_and_every_later_one(raw_judge: socket.socket, breakage: str) -> None:
    caller, box = in_thread(host_services.call, "x")
    receive(raw_judge, time.monotonic() + WAIT_S)
    if breakage == "eof":
        raw_judge.shutdown(socket.SHUT_WR)
    elif breakage == "not a number":
        send(raw_judge, {"id": "one", "result": 1})
    else:
        raw_judge.sendall(struct.pack(">I", 3) + b"{{{")
    caller.join(WAIT_S)
    assert not caller.is_alive()
    assert len(box) == 1 and isinstance(box[0], ServiceError)
    assert str(box[0]) == "the judge's services are gone"
    with pytest.raises(ServiceError, match=r"^the judge's services are gone$"):
        host_services.call("later")
