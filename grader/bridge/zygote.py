"""A clean parent for app hosts: forked by the judge before it imports any hidden test.

A host forked straight from the judge inherits the judge's memory, the compiled hidden tests of its question
among it: candidate code could read the expected values there and answer just those. The zygote is forked
at the judge's start, when its memory holds the web stack and the kit's own code but no test; every host of
the question is then forked from the zygote. The judge asks over a SOCK_SEQPACKET pair (one JSON message per
request) and receives the new host's end of its channel as a passed file descriptor.

Only the grader's judge uses a zygote. ``pytest tests/hidden`` run by a maintainer forks hosts from the pytest
process itself (its tests are the kit's own, against trusted solutions).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
from dataclasses import asdict
from pathlib import Path
from typing import Any

from grader.sandbox import Policy

__all__ = ["Zygote", "current", "start"]

_MESSAGE_LIMIT = 1 << 20
_CURRENT: Zygote | None = None


def current() -> Zygote | None:
    """The zygote of this judge, if it started one."""
    return _CURRENT


def start() -> Zygote:
    """Fork this process's zygote (call it before importing any hidden test); hosts are forked from it."""
    global _CURRENT
    _CURRENT = Zygote()
    return _CURRENT


def _policy_from(data: dict[str, Any]) -> Policy:
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    fields["env"] = tuple(tuple(pair) for pair in data.get("env", ()))
    return Policy(**fields)


class Zygote:
    def __init__(self) -> None:
        from grader.interrupts import signals_blocked_for_fork

        self._control, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        judge_pid = os.getpid()
        with signals_blocked_for_fork():
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the zygote; it never returns
                code = 0
                try:
                    self._control.close()
                    _serve(zygote_end, judge_pid)
                except BaseException:
                    code = 70
                finally:
                    os._exit(code)
        zygote_end.close()
        self.pid = pid

    def _ask(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
        self._control.sendall(json.dumps(request).encode())
        data, fds, _flags, _address = socket.recv_fds(self._control, _MESSAGE_LIMIT, 1)
        if not data:
            raise ConnectionError("the zygote is gone")
        return json.loads(data), fds

    def spawn(self, policy: Policy, module_file: Path) -> tuple[socket.socket, int]:
        """A new host for ``module_file`` under ``policy``: the judge's end of its channel, and its pid."""
        reply, fds = self._ask({"op": "spawn", "policy": asdict(policy), "module_file": str(module_file)})
        if not fds:
            raise ConnectionError("the zygote sent no channel")
        return socket.socket(fileno=fds[0]), int(reply["pid"])

    def exit_code(self, pid: int, wait: bool) -> int | None:
        """The host's exit code once it has ended (waiting for it when ``wait``), else None."""
        while True:
            reply, _fds = self._ask({"op": "status", "pid": pid})
            if reply["done"] or not wait:
                return reply.get("code")
            select.select([], [], [], 0.005)


def _serve(control: socket.socket, judge_pid: int) -> None:  # pragma: no cover - runs in the zygote
    from grader.host.main import become_host
    from grader.sandbox.process import set_parent_death_signal

    set_parent_death_signal()  # the judge gone, the zygote goes, and with it (by their own signal) every host
    if os.getppid() != judge_pid:
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the judge decides; a terminal's Ctrl-C is not for us
    own_pid = os.getpid()
    ended: dict[int, int] = {}
    while True:
        with contextlib.suppress(ChildProcessError):
            while True:
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                ended[pid] = os.waitstatus_to_exitcode(status)
        ready, _, _ = select.select([control], [], [], 0.02)
        if not ready:
            continue
        data = control.recv(_MESSAGE_LIMIT)
        if not data:
            return  # the judge closed its end: nothing more to start
        request = json.loads(data)
        if request.get("op") == "spawn":
            policy, module_file = _policy_from(request["policy"]), Path(request["module_file"])
            host_end, judge_end = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                become_host(host_end, policy, module_file, own_pid, close=(control, judge_end))
            host_end.close()
            socket.send_fds(control, [json.dumps({"pid": pid}).encode()], [judge_end.fileno()])
            judge_end.close()
        elif request.get("op") == "status":
            pid = int(request["pid"])
            done = pid in ended
            control.sendall(json.dumps({"done": done, "code": ended.pop(pid, None)}).encode())
