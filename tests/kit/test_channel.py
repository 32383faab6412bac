"""The judge's end of a host's channel (``grader.judge.bridge.channel``): deadlines in the host's CPU time with a
wall-clock
ceiling, a reply frame's own deadline and limits, and what happens to a host that is late, dies or misbehaves.

The host here is a forked child of this process speaking raw frames on a socketpair: what it sends, and when,
is the test's choice. A request's deadline counts the host's CPU seconds (a loaded machine does not make a right
answer late) up to ``WALL_FACTOR`` times as long by the clock (a host that sleeps); the CPU meter is a function
the judge is given, so here it is one the test controls.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from grader.judge.bridge.channel import LocalChannel, ProcessChannel
from grader.judge.bridge.errors import HostDied, HostTimeout
from grader.judge.cputime import WALL_FACTOR
from grader.protocol import receive, send

Host = Callable[[socket.socket], None]


@pytest.fixture
def hosts() -> Iterator[Callable[..., tuple[ProcessChannel, list[str]]]]:
    """``hosts(behaviour, cpu_s=None)``: a channel to a forked host that runs ``behaviour(its socket)`` then exits 0;
    the list records each cleanup."""
    made: list[tuple[ProcessChannel, int]] = []

    def start(behaviour: Host, cpu_s: Callable[[], float] | None = None) -> tuple[ProcessChannel, list[str]]:
        judge, host = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the host
            code = 0
            try:
                judge.close()
                behaviour(host)
            except BaseException:
                code = 70
            finally:
                os._exit(code)
        host.close()
        cleaned: list[str] = []
        channel = ProcessChannel(judge, pid, lambda: cleaned.append("cleaned"), cpu_s=cpu_s)
        made.append((channel, pid))
        return channel, cleaned

    yield start
    for channel, pid in made:
        channel.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def answering(reply: dict[str, Any], delay_s: float = 0.0, then_s: float = 60.0) -> Host:
    """A host that answers every request with ``reply`` after ``delay_s``, and idles ``then_s`` when the judge goes."""

    def behave(sock: socket.socket) -> None:
        with contextlib.suppress(Exception):
            while True:
                receive(sock)
                time.sleep(delay_s)
                send(sock, reply)
        time.sleep(then_s)

    return behave


def silent(sock: socket.socket) -> None:
    """A host that never answers (stuck in the candidate's code)."""
    time.sleep(60)


def test_a_reply_comes_back_and_the_host_lives_on(hosts: Callable[..., tuple[ProcessChannel, list[str]]]) -> None:
    channel, cleaned = hosts(answering({"ok": True, "result": [1, "two"]}))
    assert channel.exchange({"op": "fact", "name": "x"}, 5.0, "reading x") == {"ok": True, "result": [1, "two"]}
    assert channel.exchange({"op": "fact", "name": "y"}, 5.0, "reading y") == {"ok": True, "result": [1, "two"]}
    assert channel.alive and cleaned == []


def test_a_hello_is_read_within_its_deadline(hosts: Callable[..., tuple[ProcessChannel, list[str]]]) -> None:
    def hello(sock: socket.socket) -> None:
        send(sock, {"ok": True, "layers": ["pidns"]})
        time.sleep(60)

    channel, _ = hosts(hello)
    assert channel.hello(5.0) == {"ok": True, "layers": ["pidns"]}


def test_a_host_that_says_no_hello_is_dead_with_its_exit_code(
    hosts: Callable[..., tuple[ProcessChannel, list[str]]],
) -> None:
    channel, cleaned = hosts(lambda sock: os._exit(5))
    with pytest.raises(HostDied) as died:
        channel.hello(5.0)
    assert died.value.exit_code == 5
    assert str(died.value) == "HostDied: the app's process ended during start-up (exit code 5)"
    assert not channel.alive and cleaned == ["cleaned"]


def test_a_silent_host_without_a_cpu_meter_is_cut_at_the_deadline_and_killed(
    hosts: Callable[..., tuple[ProcessChannel, list[str]]],
) -> None:
    channel, cleaned = hosts(silent)
    started = time.monotonic()
    with pytest.raises(HostTimeout) as late:
        channel.exchange({"op": "load"}, 0.5, "importing the module")
    assert 0.45 <= time.monotonic() - started < 4
    assert str(late.value) == "Timeout: the app did not answer importing the module within 0.5 s"
    assert not channel.alive and cleaned == ["cleaned"]
    with pytest.raises(HostDied) as dead:
        channel.exchange({"op": "load"}, 5.0, "GET /")
    assert dead.value.exit_code == -signal.SIGKILL, "the late host was killed"
    assert str(dead.value) == "HostDied: the app's process ended during GET / (killed by SIGKILL)"
    channel.close()
    assert cleaned == ["cleaned"], "cleaned up once"


def test_a_host_that_spends_its_cpu_seconds_is_cut_long_before_the_wall_clock_ceiling(
    hosts: Callable[..., tuple[ProcessChannel, list[str]]],
) -> None:
    origin = time.monotonic()
    channel, _ = hosts(silent, cpu_s=lambda: 1000 + (time.monotonic() - origin) * 20)  # 20 CPU seconds a second
    started = time.monotonic()
    with pytest.raises(HostTimeout):
        channel.exchange({"op": "load"}, 2.0, "importing the module")
    assert time.monotonic() - started < 2.0, "2 CPU seconds are spent in a tenth of the time"


def test_a_host_that_sleeps_is_cut_at_the_wall_clock_ceiling(
    hosts: Callable[..., tuple[ProcessChannel, list[str]]],
) -> None:
    channel, _ = hosts(silent, cpu_s=lambda: 1000.0)  # no CPU spent: it sleeps
    started = time.monotonic()
    with pytest.raises(HostTimeout):
        channel.exchange({"op": "load"}, 0.3, "importing the module")
    assert 0.3 * WALL_FACTOR - 0.05 <= time.monotonic() - started < 0.3 * WALL_FACTOR + 3


def test_a_host_slow_by_the_clock_but_not_by_cpu_still_answers(
    hosts: Callable[..., tuple[ProcessChannel, list[str]]],
) -> None:
    """A loaded machine: the answer comes after the deadline by the clock, well inside it in CPU time."""
    channel, _ = hosts(answering({"ok": True, "result": "late but right"}, delay_s=0.8), cpu_s=lambda: 7.0)
    assert channel.exchange({"op": "load"}, 0.4, "importing the module")["result"] == "late but right"


def test_without_a_cpu_meter_the_deadline_is_the_clock_s(
    hosts: Callable[..., tuple[ProcessChannel, list[str]]],
) -> None:
    channel, _ = hosts(answering({"ok": True}, delay_s=0.8))
    with pytest.raises(HostTimeout):
        channel.exchange({"op": "load"}, 0.4, "importing the module")


def test_a_host_that_dies_is_reported_with_its_exit_code(
    hosts: Callable[..., tuple[ProcessChannel, list[str]]],
) -> None:
    def dies(sock: socket.socket) -> None:
        receive(sock)
        os._exit(3)

    channel, cleaned = hosts(dies)
    with pytest.raises(HostDied) as died:
        channel.exchange({"op": "load"}, 5.0, "importing the module")
    assert died.value.exit_code == 3
    assert str(died.value) == "HostDied: the app's process ended during importing the module (exit code 3)"
    assert not channel.alive and cleaned == ["cleaned"]


def trickling(sock: socket.socket) -> None:
    """Answers the first request a byte every 0.1 s: each read is quick, the frame takes 3 s."""
    receive(sock)
    reply = b'{"ok":true,"result":"trickled.........."}'
    with contextlib.suppress(OSError):
        for byte in struct.pack(">I", len(reply)) + reply:
            sock.sendall(bytes([byte]))
            time.sleep(0.07)
    time.sleep(60)


def test_a_reply_trickled_a_byte_at_a_time_is_cut_at_the_deadline(
    hosts: Callable[..., tuple[ProcessChannel, list[str]]],
) -> None:
    channel, _ = hosts(trickling)
    started = time.monotonic()
    with pytest.raises(HostTimeout):
        channel.exchange({"op": "load"}, 1.0, "importing the module")
    assert time.monotonic() - started < 2.5


def test_frame_limits_are_lifted_only_by_their_switches(
    hosts: Callable[..., tuple[ProcessChannel, list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIT_WEAKEN", "frame-deadline")
    channel, _ = hosts(trickling)
    assert channel.exchange({"op": "load"}, 1.0, "importing the module") == {"ok": True, "result": "trickled.........."}
    many = {"ok": True, "result": [0] * 250_001}
    monkeypatch.setenv("KIT_WEAKEN", "")
    channel, _ = hosts(answering(many))
    with pytest.raises(HostDied):
        channel.exchange({"op": "load"}, 10.0, "importing the module")
    monkeypatch.setenv("KIT_WEAKEN", "frame-values")
    channel, _ = hosts(answering(many))
    assert len(channel.exchange({"op": "load"}, 10.0, "importing the module")["result"]) == 250_001


def test_a_frame_over_the_size_limit_kills_the_host(
    hosts: Callable[..., tuple[ProcessChannel, list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def oversized(sock: socket.socket) -> None:
        receive(sock)
        sock.sendall(struct.pack(">I", 64 * 1024**2 + 1))
        time.sleep(60)

    channel, cleaned = hosts(oversized)
    started = time.monotonic()
    with pytest.raises(HostDied):
        channel.exchange({"op": "load"}, 10.0, "importing the module")
    assert time.monotonic() - started < 5, "refused at its header, not waited for"
    assert cleaned == ["cleaned"]


def test_an_in_process_session_sees_only_what_the_wire_carries() -> None:
    class Session:
        def __init__(self) -> None:
            self.seen: list[Any] = []
            self.closed = False

        def handle(self, message: dict[str, Any]) -> dict[str, Any]:
            self.seen.append(message)
            return {"ok": True, "result": (1, 2), "tuple": ("a",)}

        def close_all(self) -> None:
            self.closed = True

    session, cleaned = Session(), []
    channel = LocalChannel(session, lambda: cleaned.append("cleaned"))
    assert channel.layers == [] and channel.missing == {"all": "--in-process"}
    reply = channel.exchange({"op": "call", "args": (1, "x")}, 1.0, "calling f()")
    assert session.seen == [{"op": "call", "args": [1, "x"]}]
    assert reply == {"ok": True, "result": [1, 2], "tuple": ["a"]}
    channel.close()
    assert session.closed and cleaned == ["cleaned"]


def _sleeper() -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - a process that only waits to be killed
        time.sleep(60)
        os._exit(0)
    return pid


def test_a_host_is_killed_through_its_pidfd_not_a_pid_that_may_name_another_process() -> None:
    """Once the zygote has reaped a host, its pid may be another process's; the kill goes through the pidfd the
    zygote sent. Here the channel's pid names a bystander (as a reused pid would): the bystander lives, the host
    the pidfd names dies."""
    host, bystander = _sleeper(), _sleeper()
    pidfd = os.pidfd_open(host)
    judge, other = socket.socketpair()
    other.close()
    try:
        channel = ProcessChannel(judge, bystander, lambda: None, exit_code=lambda _wait: None, pidfd=pidfd)
        channel.close()
        assert os.waitstatus_to_exitcode(os.waitpid(host, 0)[1]) == -signal.SIGKILL, "the host was not killed"
        assert os.waitpid(bystander, os.WNOHANG) == (0, 0), "the kill reached the process the pid now names"
        with pytest.raises(OSError):
            os.fstat(pidfd)  # the channel closed the pidfd it owns
    finally:
        for pid in (host, bystander):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
