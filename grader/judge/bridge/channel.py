"""Two ways to reach a host: a socket to a sandboxed process, or a session in this very process (debugging)."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import time
from collections.abc import Callable
from typing import Any, Protocol

from grader.judge.bridge.errors import HostDied, HostTimeout
from grader.protocol import MAX_FRAME_BYTES, MAX_FRAME_ITEMS, ChannelClosed, receive, send

__all__ = ["Channel", "LocalChannel", "ProcessChannel"]

_CPU_LOOK_S = 0.1  # how often a waiting judge looks at its host's CPU time


class Channel(Protocol):
    layers: list[str]
    missing: dict[str, str]

    def exchange(self, message: dict[str, Any], timeout: float, what: str) -> dict[str, Any]: ...

    def close(self) -> None: ...


class ProcessChannel:
    """A forked host behind a socketpair. Any timeout or EOF kills the host: a channel out of step is useless."""

    def __init__(
        self,
        sock: socket.socket,
        pid: int,
        cleanup: Callable[[], None],
        exit_code: Callable[[bool], int | None] | None = None,
        cpu_s: Callable[[], float] | None = None,
        pidfd: int | None = None,
    ) -> None:
        self._sock = sock
        # Names the host for good (its pid may be reused once the zygote that forked it has reaped it): the kill
        # goes through it where there is one. The channel owns it and closes it.
        self._pidfd = pidfd
        # The host's CPU seconds so far (its cgroup, every process it started included), when they can be read:
        # then a request's deadline is CPU time, with a wall-clock ceiling WALL_FACTOR times as long.
        self._cpu_s = cpu_s
        self.pid = pid
        self._cleanup = cleanup
        # How to learn the host's exit code (waiting for it, or not): waitpid for a child of this process,
        # or a question to the zygote that forked it.
        self._exit_code_of = exit_code or self._own_child_exit_code
        self._exit_code: int | None = None
        self._reaped = False
        self.layers: list[str] = []
        self.missing: dict[str, str] = {}
        self.alive = True

    def hello(self, timeout: float) -> dict[str, Any]:
        self._sock.settimeout(timeout)
        try:
            return receive(self._sock, *_frame_limits(time.monotonic() + timeout))
        except (TimeoutError, ChannelClosed, OSError):
            self._reap(grace_s=0.5)
            self.close()
            raise HostDied("start-up", self._exit_code) from None

    def exchange(self, message: dict[str, Any], timeout: float, what: str) -> dict[str, Any]:
        if not self.alive:
            raise HostDied(what, self._exit_code)
        self._sock.settimeout(timeout)
        try:
            send(self._sock, message)
            self._await_reply(timeout)
            # Once the reply has begun, the whole frame must arrive within the deadline, however slowly it trickles.
            return receive(self._sock, *_frame_limits(time.monotonic() + timeout))
        except TimeoutError:
            self.close()
            raise HostTimeout(what, timeout) from None
        except (ChannelClosed, OSError):
            self._reap(grace_s=0.5)
            self.close()
            raise HostDied(what, self._exit_code) from None

    def _await_reply(self, timeout: float) -> None:
        """Wait until the host starts its reply: ``timeout`` CPU seconds of the host (or wall-clock seconds where its
        CPU time cannot be read), and at most ``WALL_FACTOR`` times as long by the clock, for a host that sleeps.
        A busy machine slows a host by the clock, not by its CPU time, so load does not turn an answer into a
        timeout. Raises ``TimeoutError``."""
        from grader.judge.cputime import WALL_FACTOR

        started = time.monotonic()
        if self._cpu_s is None:
            ceiling = started + timeout
            while not select.select([self._sock], [], [], max(0.0, ceiling - time.monotonic()))[0]:
                if time.monotonic() >= ceiling:
                    raise TimeoutError
            return
        cpu_at_start = self._cpu_s()
        ceiling = started + timeout * WALL_FACTOR
        while not select.select([self._sock], [], [], _CPU_LOOK_S)[0]:
            if time.monotonic() >= ceiling or self._cpu_s() - cpu_at_start >= timeout:
                raise TimeoutError

    def _own_child_exit_code(self, wait: bool) -> int | None:
        try:
            pid, status = os.waitpid(self.pid, 0 if wait else os.WNOHANG)
        except ChildProcessError:
            return None
        return os.waitstatus_to_exitcode(status) if pid else None

    def _reap(self, grace_s: float) -> None:
        """After EOF, give the host a moment to finish dying so that its own exit code is known."""
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            code = self._exit_code_of(False)
            if code is not None:
                self._exit_code, self._reaped = code, True
                return
            time.sleep(0.005)

    def close(self) -> None:
        if not self.alive:
            return
        self.alive = False
        with contextlib.suppress(OSError):
            self._sock.close()
        if not self._reaped:
            with contextlib.suppress(ProcessLookupError):
                self._kill()  # the namespace's waiter: its death takes PID 1 and the rest
            with contextlib.suppress(OSError):
                self._exit_code = self._exit_code_of(True)
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None
        self._cleanup()

    def _kill(self) -> None:
        if self._pidfd is not None:
            signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
        else:
            os.kill(self.pid, signal.SIGKILL)


def _frame_limits(deadline: float) -> tuple[float | None, int, int]:
    """The deadline, value count and size a reply frame must meet (``KIT_WEAKEN`` lifts them, for the kit's
    tests)."""
    from grader.weaken import weakened

    return (
        None if weakened("frame-deadline") else deadline,
        2**62 if weakened("frame-values") else MAX_FRAME_ITEMS,
        MAX_FRAME_BYTES * 1024 if weakened("frame-bytes") else MAX_FRAME_BYTES,
    )


class LocalChannel:
    """The host's session run in this process (``--in-process``): no fork, no sandbox, real tracebacks nearby.

    Messages still go through a JSON round trip, so a test that passes here sends only what the wire carries.
    """

    def __init__(self, session: Any, cleanup: Callable[[], None]) -> None:
        self._session = session
        self._cleanup = cleanup
        self.layers: list[str] = []
        self.missing = {"all": "--in-process"}

    def exchange(self, message: dict[str, Any], timeout: float, what: str) -> dict[str, Any]:
        reply = self._session.handle(json.loads(json.dumps(message)))
        return json.loads(json.dumps(reply))

    def close(self) -> None:
        self._session.close_all()
        self._cleanup()
