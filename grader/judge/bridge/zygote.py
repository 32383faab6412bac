"""The judge's side of the zygote (``grader.host.zygote``): start it by ``exec``, attach judges, ask for hosts.

The zygote is a new interpreter, not a fork: nothing of the process that starts it (the files a batch has read,
the grader's environment, an open gradebook) reaches it, and so nothing of that reaches a host. It gets a fixed
minimal environment, its working folder is ``/``, and it inherits one descriptor, its control socket.

A grading run starts one ``ZygoteServer`` before its judges and gives each judge its own client socket
(``attach``), inherited across the judge's fork; the judge then asks for its hosts with ``use(fd)`` and
``current()``. A process that was given none (a maintainer's ``pytest tests/hidden``) starts its own on first use.

A zygote that is slow to start is waited for by its CPU time, not the clock (a loaded machine starves it); one that
dies is reported as gone, with how it ended, and a run starts a new one once (``RunZygote``); a judge that cannot be
attached is that question's error (``ZygoteUnavailable``), never the end of the run.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, NamedTuple

from grader.judge.bridge.errors import BridgeError, describe_exit
from grader.judge.cputime import process_cpu_s
from grader.sandbox import Policy

__all__ = [
    "ZYGOTE_ENVIRONMENT",
    "RunZygote",
    "SpawnedHost",
    "ZygoteClient",
    "ZygoteServer",
    "ZygoteUnavailable",
    "current",
    "use",
]

_MESSAGE_LIMIT = 1 << 20
# Waits on the zygote scale with the load: what bounds its start is its own CPU time (importing the web stack costs
# about a second of it, however busy the machine), and the clock only as a last resort, far beyond what a loaded
# machine needs (the zygote may get almost no CPU while ten other processes compete for it).
_START_CPU_S = 60.0
_START_WALL_S = 900.0
_REPLY_WALL_S = 300.0  # an attach costs the zygote microseconds: this long alive and silent means it is wedged
_LOOK_S = 0.1  # how often a wait looks whether the zygote is still alive
# What the zygote (and so every host before its sandbox sets its own) sees as its environment: nothing of the
# grader's. The strings a process is exec'd with stay above its stack for its whole life.
ZYGOTE_ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/"}
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from grader.host.zygote import main; main(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == '1')"
)

_CURRENT: tuple[int, ZygoteClient] | None = None  # (pid, client): a client inherited across a fork is not ours
_OWN: tuple[int, ZygoteServer] | None = None  # (pid, server) started by this very process for itself


class ZygoteUnavailable(BridgeError):
    """No zygote could take a judge: it did not start, it died, or it stopped answering. The grader's trouble,
    never the candidate's: the question it was for is an error with this reason, not a verdict."""


class ZygoteServer:
    """A running zygote, owned by the process that started it (which alone may attach judges to it)."""

    def __init__(self) -> None:
        self.master, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        path = [entry for entry in sys.path if entry and os.path.isabs(entry)]
        # PR_SET_PDEATHSIG fires when the *thread* that started the zygote ends, not its process: started from any
        # other thread, the zygote would be killed as soon as that thread is done. It then watches its parent itself.
        main_thread = threading.current_thread() is threading.main_thread()
        try:
            self._popen = subprocess.Popen(
                [
                    sys.executable,
                    "-E",
                    "-c",
                    _BOOT,
                    json.dumps(path),
                    str(theirs.fileno()),
                    str(os.getpid()),
                    "1" if main_thread else "0",
                ],
                env=ZYGOTE_ENVIRONMENT,
                cwd="/",
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # a terminal's Ctrl-C goes to the grader, which then closes the zygote
            )
        except BaseException:
            self.master.close()
            raise
        finally:
            theirs.close()
        self.pid = self._popen.pid
        self._ready = False  # it imports while its owner goes on; the first attach waits for it
        self.stopped = False  # by its owner, or after it failed

    def alive(self) -> bool:
        """Whether the zygote still runs (False once it exited, was killed, or was stopped by its owner)."""
        return not self.stopped and self._popen.poll() is None

    def ended(self) -> str:
        """How the zygote ended, in words (it is given a moment to finish dying: its exit code is the evidence)."""
        deadline = time.monotonic() + 2.0
        while self._popen.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        code = self._popen.poll()
        return "it is still running" if code is None else describe_exit(code)

    def _fail(self, reason: str) -> ZygoteUnavailable:
        """Give up on this zygote: stop it (so that a new one can take its place) and say why."""
        self.stop()
        return ZygoteUnavailable(reason)

    def _await_ready(self) -> None:
        if self._ready:
            return
        if self.stopped:
            raise ZygoteUnavailable("the host zygote was stopped")
        started = time.monotonic()
        while not _readable(self.master, _LOOK_S):
            cpu_s = process_cpu_s(self.pid)
            if self._popen.poll() is not None:
                break  # its end of the socket is closed: the read below says so
            if cpu_s >= _START_CPU_S:
                raise self._fail(f"the host zygote did not start: no word after {cpu_s:.0f} s of its CPU time")
            if time.monotonic() - started >= _START_WALL_S:
                raise self._fail(f"the host zygote did not start: no word within {_START_WALL_S:g} s")
        hello = self._read()
        if hello is None:
            raise self._fail(f"the host zygote did not start: it ended before it was ready ({self.ended()})")
        if not hello.get("ready"):
            raise self._fail(f"the host zygote did not start: {hello.get('error', 'it said it was not ready')}")
        self._ready = True

    def _read(self) -> dict[str, Any] | None:
        """One message from the zygote, or None once it has closed its end (it exited or was killed)."""
        try:
            data = self.master.recv(_MESSAGE_LIMIT)
        except OSError:
            return None
        if not data:
            return None
        try:
            reply = json.loads(data)
        except ValueError:
            return {}
        return reply if isinstance(reply, dict) else {}

    def attach(self) -> socket.socket:
        """A new client socket for one judge (inheritable, so that a forked or spawned judge keeps it).

        Raises ``ZygoteUnavailable``, naming the cause, when the zygote did not start, has died or does not answer.
        """
        self._await_ready()
        try:
            mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        except OSError as exc:
            raise ZygoteUnavailable(f"no socket could be made for a judge: {exc}") from None
        try:
            socket.send_fds(self.master, [b'{"op": "attach"}'], [theirs.fileno()])
        except OSError:
            mine.close()
            raise self._fail(f"the host zygote is gone ({self.ended()})") from None
        finally:
            theirs.close()
        asked = time.monotonic()
        while not _readable(self.master, _LOOK_S):
            if self._popen.poll() is not None:
                break
            if time.monotonic() - asked >= _REPLY_WALL_S:
                mine.close()
                raise self._fail(f"the host zygote did not answer a judge's attach within {_REPLY_WALL_S:g} s")
        reply = self._read()
        if reply is None:
            mine.close()
            raise self._fail(f"the host zygote is gone ({self.ended()})")
        if not reply.get("ok"):
            mine.close()
            raise self._fail("the host zygote refused a judge (it received no socket for it)")
        mine.set_inheritable(True)
        return mine

    def stop(self) -> None:
        """Close the zygote: it kills every host it started and exits."""
        self.stopped = True
        with contextlib.suppress(OSError):
            self.master.close()
        try:
            self._popen.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._popen.pid, signal.SIGKILL)
            self._popen.wait()


def _readable(sock: socket.socket, timeout_s: float) -> bool:
    """Whether ``sock`` has a message (or its end) within ``timeout_s``; ``poll``, not ``select``: a long-lived
    grader may hold more than ``select``'s 1024 descriptors."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(timeout_s * 1000))


class RunZygote:
    """The zygote of one grading run, started at once (it imports while the run warms up) and restarted once.

    ``attach`` gives a judge its socket, starting a new zygote in place of one that died (killed by the kernel's
    OOM killer, by a stray signal, or by its own bug) the first time that happens; after that, or when a new one
    cannot start either, it raises ``ZygoteUnavailable`` at once for every later judge, with the reason, so that
    a run whose hosts cannot be had still ends, each question an error that says why.
    """

    RESTARTS = 1

    def __init__(self) -> None:
        self._servers: list[ZygoteServer] = []
        self._failure: str | None = None
        self._restarts = 0
        self._start()

    def _start(self) -> None:
        try:
            self._servers.append(ZygoteServer())
        except OSError as exc:  # no process could be started (a full process table, no memory)
            self._failure = f"the host zygote could not be started: {exc}"

    def masters(self) -> tuple[socket.socket, ...]:
        """Every control socket of the run's zygotes, for a judge to close in its copy of this process."""
        return tuple(server.master for server in self._servers)

    def attach(self) -> tuple[socket.socket, ZygoteServer]:
        """A judge's socket, and the zygote it is attached to. Raises ``ZygoteUnavailable``, naming the cause."""
        while True:
            server = self._servers[-1] if self._servers else None
            if server is not None and not server.stopped:
                try:
                    return server.attach(), server
                except ZygoteUnavailable as exc:
                    if not server.stopped:
                        raise  # the zygote is fine (this process is short of sockets): this judge's trouble alone
                    self._failure = str(exc)  # it stopped itself: a new one may take its place
            if self._restarts >= self.RESTARTS:
                reason = self._failure or "the host zygote is gone"
                raise ZygoteUnavailable(f"{reason} (after {self._restarts} restart(s) of it in this run)")
            self._restarts += 1
            self._start()

    def stop(self) -> None:
        for server in self._servers:
            server.stop()


class SpawnedHost(NamedTuple):
    """A host the zygote forked: the judge's end of its channel, its pid, and a pidfd naming it (None where the
    kernel has none), through which it is killed: its pid alone may name another process once it is reaped."""

    channel: socket.socket
    pid: int
    pidfd: int | None


class ZygoteClient:
    """One judge's socket to the zygote."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def close(self) -> None:
        self._sock.close()

    def _ask(
        self, request: dict[str, Any], fds: tuple[int, ...] = (), max_fds: int = 1
    ) -> tuple[dict[str, Any], list[int]]:
        socket.send_fds(self._sock, [json.dumps(request).encode()], list(fds))
        data, fds, _flags, _address = socket.recv_fds(self._sock, _MESSAGE_LIMIT, max_fds)
        if not data:
            raise BridgeError("the host zygote is gone")
        return json.loads(data), fds

    def spawn(self, policy: Policy, module_file: Path, service: socket.socket) -> SpawnedHost:
        """A new host for ``module_file`` under ``policy``, calling the judge's services on ``service`` (the
        host's end, passed to it): the judge's end of its channel, its pid, and a pidfd for it where the kernel
        has them (the caller closes it)."""
        request = {"op": "spawn", "policy": asdict(policy), "module_file": str(module_file)}
        reply, fds = self._ask(request, (service.fileno(),), max_fds=3)
        if not fds:
            raise BridgeError("the host zygote sent no channel")
        for extra in fds[2:]:
            os.close(extra)
        return SpawnedHost(socket.socket(fileno=fds[0]), int(reply["pid"]), fds[1] if len(fds) > 1 else None)

    def exit_code(self, pid: int, wait: bool) -> int | None:
        """The host's exit code once it has ended (waiting for it when ``wait``), else None."""
        while True:
            reply, _fds = self._ask({"op": "status", "pid": pid})
            if reply.get("done") or not wait:
                return reply.get("code")
            time.sleep(0.005)


def use(fd: int) -> ZygoteClient:
    """In a judge: talk to the zygote through the client socket ``fd`` its parent attached for it."""
    global _CURRENT
    client = ZygoteClient(socket.socket(fileno=fd))
    _CURRENT = (os.getpid(), client)
    return client


def current() -> ZygoteClient:
    """This process's zygote client: the one ``use`` set, else a zygote of this process's own, started now (and
    started again if the one it had died: a maintainer's ``pytest tests/hidden`` then goes on)."""
    global _CURRENT, _OWN
    pid = os.getpid()
    own = _OWN[1] if _OWN is not None and _OWN[0] == pid else None
    if _CURRENT is not None and _CURRENT[0] == pid and (own is None or own.alive()):
        return _CURRENT[1]
    if own is None or not own.alive():
        if own is not None:
            own.stop()
            if _CURRENT is not None and _CURRENT[0] == pid:
                _CURRENT[1].close()
        else:
            atexit.register(_stop_own, pid)
        own = ZygoteServer()
        _OWN = (pid, own)
    client = ZygoteClient(own.attach())
    _CURRENT = (pid, client)
    return client


def _stop_own(pid: int) -> None:
    if _OWN is not None and _OWN[0] == pid == os.getpid():
        _OWN[1].stop()
