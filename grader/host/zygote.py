"""The zygote: a fresh interpreter that app hosts are forked from, and nothing else.

A host forked from a process that has lived a while inherits all of it: a batch's parent has read the class's
files (classmates' answers lie in its freed heap), holds the grader's environment strings above its stack, and
maps the gradebook's WAL index shared and writable. So hosts are never forked from such a process. The zygote
is started by ``exec`` (``grader.judge.bridge.zygote.ZygoteServer``) with a minimal environment, no descriptor but its
control socket, and an argv of paths only; it imports the web stack and the host's own code once, freezes its
heap, and then does one thing: fork a host when a judge asks, and report how hosts ended.

Control: the process that started the zygote holds the *master* socket (SOCK_SEQPACKET, one JSON message per
packet). On it, ``{"op": "attach"}`` with a passed descriptor adds a *client*: one judge's own socket. On a client,
``{"op": "spawn", "policy", "module_file"}`` with a passed descriptor (the host's
link to the judge's services) forks a host and answers ``{"pid"}`` with the judge's end of the
host's channel as a passed descriptor; ``{"op": "status", "pid"}`` answers ``{"done", "code"}``. A client that
closes (its judge ended or was killed) takes its hosts with it; the master closing ends the zygote and every host.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from grader.sandbox import Policy

__all__ = ["MESSAGE_LIMIT", "main", "policy_from"]

MESSAGE_LIMIT = 1 << 20
_POLL_S = 0.02


def policy_from(data: dict[str, Any]) -> Policy:
    """The ``Policy`` a judge sent as plain data (lists back to tuples)."""
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    fields["env"] = tuple(tuple(pair) for pair in data.get("env", ()))
    return Policy(**fields)


def _warm() -> None:
    """Import what every host needs, once: each fork then starts with it instead of importing it again."""
    from grader.host.main import preload
    from grader.host.warm import warm_imports

    warm_imports()
    preload()
    gc.collect()
    gc.freeze()  # hosts skip walking the inherited heap at exit


def _quiet_stdio() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


class _Zygote:
    def __init__(self, master: socket.socket, parent_pid: int = 0) -> None:
        self.master = master
        self.parent_pid = parent_pid  # when set, the zygote ends once that process is gone (it is then reparented)
        self.clients: dict[int, socket.socket] = {}  # fileno -> a judge's socket
        self.hosts: dict[int, set[int]] = {}  # client fileno -> pids of its live hosts
        self.ended: dict[int, int] = {}  # pid -> exit code, until its judge asks

    def serve(self) -> None:
        while True:
            self._reap()
            if self.parent_pid and os.getppid() != self.parent_pid:
                return  # the grader is gone, and with no death signal (it started us from a thread) nothing said so
            ready, _, _ = select.select([self.master, *self.clients.values()], [], [], _POLL_S)
            for sock in ready:
                if sock is self.master:
                    if not self._on_master():
                        return
                else:
                    self._on_client(sock)

    def _reap(self) -> None:
        with contextlib.suppress(ChildProcessError):
            while True:
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    return
                self.ended[pid] = os.waitstatus_to_exitcode(status)
                for pids in self.hosts.values():
                    pids.discard(pid)

    def _on_master(self) -> bool:
        try:
            data, fds, _flags, _address = socket.recv_fds(self.master, MESSAGE_LIMIT, 4)
        except OSError:
            return False  # the control socket broke: the grader cannot reach us any more
        if not data:
            return False  # the grader is done (or gone): nothing more to start
        try:
            request = json.loads(data)
        except ValueError:
            request = None
        if isinstance(request, dict) and request.get("op") == "attach" and fds:
            client = socket.socket(fileno=fds[0])
            for extra in fds[1:]:
                os.close(extra)
            self.clients[client.fileno()] = client
            self.hosts[client.fileno()] = set()
            self.master.sendall(b'{"ok": true}')
        else:
            for fd in fds:
                os.close(fd)
            self.master.sendall(b'{"ok": false}')
        return True

    def _on_client(self, client: socket.socket) -> None:
        try:
            data, fds, _flags, _address = socket.recv_fds(client, MESSAGE_LIMIT, 1)
        except OSError:
            data, fds = b"", []
        passed = [socket.socket(fileno=fd) for fd in fds]
        if not data:
            for sock in passed:
                sock.close()
            self._drop(client)
            return
        try:
            request = json.loads(data)
            if request.get("op") == "spawn" and passed:
                self._spawn(client, passed[0], policy_from(request["policy"]), Path(request["module_file"]))
            elif request.get("op") == "status":
                pid = int(request["pid"])
                done = pid in self.ended
                client.sendall(json.dumps({"done": done, "code": self.ended.pop(pid, None)}).encode())
            else:
                client.sendall(b'{"error": "unknown operation"}')
        except (OSError, ValueError, KeyError, TypeError):
            self._drop(client)  # a judge out of step is a judge gone
        finally:
            for sock in passed:
                sock.close()

    def _spawn(self, client: socket.socket, service: socket.socket, policy: Policy, module_file: Path) -> None:
        """Fork a host; ``service`` (passed by the judge) is its link to the judge's services."""
        from grader.host.main import become_host

        host_end, judge_end = socket.socketpair()
        zygote_pid = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the host: it never returns
            become_host(
                host_end,
                service,
                policy,
                module_file,
                zygote_pid,
                # KIT_WEAKEN=fds-keep: the host keeps the zygote's sockets, for the probe that looks for them
                close=(judge_end,) if "fds-keep" in policy.weaken else (self.master, judge_end, *self.clients.values()),
            )
        host_end.close()
        self.hosts[client.fileno()].add(pid)
        # A pidfd names this very process for the judge: once the zygote has reaped the host, its pid may be
        # another process's, and a kill by pid could hit it; a kill through the pidfd cannot.
        pidfd = None
        with contextlib.suppress(OSError, AttributeError):
            pidfd = os.pidfd_open(pid)
        try:
            fds = [judge_end.fileno()] if pidfd is None else [judge_end.fileno(), pidfd]
            socket.send_fds(client, [json.dumps({"pid": pid}).encode()], fds)
        finally:
            judge_end.close()
            if pidfd is not None:
                os.close(pidfd)

    def _drop(self, client: socket.socket) -> None:
        """A judge ended: its hosts end with it (killing a host's namespace waiter takes its whole tree)."""
        fileno = client.fileno()
        for pid in self.hosts.pop(fileno, set()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.clients.pop(fileno, None)
        client.close()

    def stop(self) -> None:
        for client in list(self.clients.values()):
            self._drop(client)


def main(master_fd: int, parent_pid: int, death_signal: bool = True) -> None:  # pragma: no cover - own interpreter
    """The zygote's whole life. Exits when its parent closes the master socket or dies.

    ``death_signal`` is False when the parent started the zygote from a thread other than its main one: the kernel
    sends the death signal when that *thread* ends, which would kill a zygote its parent still uses. The serving
    loop watches the parent then (it looks every few hundredths of a second anyway).
    """
    from grader.sandbox.process import set_parent_death_signal

    if death_signal:
        set_parent_death_signal()  # the grader gone, the zygote goes, and with it (by their own signal) every host
    if os.getppid() != parent_pid:
        sys.exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides; a terminal's Ctrl-C is not for us
    master = socket.socket(fileno=master_fd)
    try:
        _warm()
    except BaseException as exc:
        master.sendall(json.dumps({"ready": False, "error": f"{type(exc).__name__}: {exc}"}).encode())
        raise
    _quiet_stdio()
    master.sendall(json.dumps({"ready": True, "pid": os.getpid()}).encode())
    zygote = _Zygote(master, parent_pid)
    try:
        zygote.serve()
    finally:
        zygote.stop()
