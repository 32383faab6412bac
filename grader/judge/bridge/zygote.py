"""The judge's side of the zygote (``grader.host.zygote``): start it by ``exec``, attach judges, ask for hosts.

The zygote is a new interpreter, not a fork: nothing of the process that starts it (the files a batch has read,
the grader's environment, an open gradebook) reaches it, and so nothing of that reaches a host. It gets a fixed
minimal environment, its working folder is ``/``, and it inherits one descriptor, its control socket.

A grading run starts one ``ZygoteServer`` before its judges and gives each judge its own client socket
(``attach``), inherited across the judge's fork; the judge then asks for its hosts with ``use(fd)`` and
``current()``. A process that was given none (a maintainer's ``pytest tests/hidden``) starts its own on first use.
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
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from grader.judge.bridge.errors import BridgeError
from grader.sandbox import Policy

__all__ = ["ZYGOTE_ENVIRONMENT", "ZygoteClient", "ZygoteServer", "current", "use"]

_MESSAGE_LIMIT = 1 << 20
_START_TIMEOUT_S = 120.0  # importing the web stack takes about a second; a loaded machine may take far longer
# What the zygote (and so every host before its sandbox sets its own) sees as its environment: nothing of the
# grader's. The strings a process is exec'd with stay above its stack for its whole life.
ZYGOTE_ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/"}
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from grader.host.zygote import main; main(int(sys.argv[2]), int(sys.argv[3]))"
)

_CURRENT: tuple[int, ZygoteClient] | None = None  # (pid, client): a client inherited across a fork is not ours
_OWN: tuple[int, ZygoteServer] | None = None  # (pid, server) started by this very process for itself


class ZygoteServer:
    """A running zygote, owned by the process that started it (which alone may attach judges to it)."""

    def __init__(self) -> None:
        self.master, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        path = [entry for entry in sys.path if entry and os.path.isabs(entry)]
        try:
            self._popen = subprocess.Popen(
                [sys.executable, "-E", "-c", _BOOT, json.dumps(path), str(theirs.fileno()), str(os.getpid())],
                env=ZYGOTE_ENVIRONMENT,
                cwd="/",
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # a terminal's Ctrl-C goes to the grader, which then closes the zygote
            )
        finally:
            theirs.close()
        self.pid = self._popen.pid
        self._ready = False  # it imports while its owner goes on; the first attach waits for it

    def _await_ready(self) -> None:
        if self._ready:
            return
        hello = self._receive(_START_TIMEOUT_S)
        if not hello.get("ready"):
            self.stop()
            raise BridgeError(f"the host zygote did not start: {hello.get('error', 'it exited')}")
        self._ready = True

    def _receive(self, timeout: float) -> dict[str, Any]:
        ready, _, _ = select.select([self.master], [], [], timeout)
        data = self.master.recv(_MESSAGE_LIMIT) if ready else b""
        return json.loads(data) if data else {}

    def attach(self) -> socket.socket:
        """A new client socket for one judge (inheritable, so that a forked or spawned judge keeps it)."""
        self._await_ready()
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            socket.send_fds(self.master, [b'{"op": "attach"}'], [theirs.fileno()])
        finally:
            theirs.close()
        if not self._receive(_START_TIMEOUT_S).get("ok"):
            mine.close()
            raise BridgeError("the host zygote refused a judge")
        mine.set_inheritable(True)
        return mine

    def stop(self) -> None:
        """Close the zygote: it kills every host it started and exits."""
        with contextlib.suppress(OSError):
            self.master.close()
        try:
            self._popen.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._popen.pid, signal.SIGKILL)
            self._popen.wait()


class ZygoteClient:
    """One judge's socket to the zygote."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def _ask(self, request: dict[str, Any], fds: tuple[int, ...] = ()) -> tuple[dict[str, Any], list[int]]:
        socket.send_fds(self._sock, [json.dumps(request).encode()], list(fds))
        data, fds, _flags, _address = socket.recv_fds(self._sock, _MESSAGE_LIMIT, 1)
        if not data:
            raise BridgeError("the host zygote is gone")
        return json.loads(data), fds

    def spawn(self, policy: Policy, module_file: Path, service: socket.socket) -> tuple[socket.socket, int]:
        """A new host for ``module_file`` under ``policy``, calling the judge's services on ``service`` (the
        host's end, passed to it): the judge's end of its channel, and its pid."""
        request = {"op": "spawn", "policy": asdict(policy), "module_file": str(module_file)}
        reply, fds = self._ask(request, (service.fileno(),))
        if not fds:
            raise BridgeError("the host zygote sent no channel")
        return socket.socket(fileno=fds[0]), int(reply["pid"])

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
    """This process's zygote client: the one ``use`` set, else a zygote of this process's own, started now."""
    global _CURRENT, _OWN
    if _CURRENT is not None and _CURRENT[0] == os.getpid():
        return _CURRENT[1]
    if _OWN is None or _OWN[0] != os.getpid():
        _OWN = (os.getpid(), ZygoteServer())
        atexit.register(_stop_own, os.getpid())
    client = ZygoteClient(_OWN[1].attach())
    _CURRENT = (os.getpid(), client)
    return client


def _stop_own(pid: int) -> None:
    if _OWN is not None and _OWN[0] == pid == os.getpid():
        _OWN[1].stop()
