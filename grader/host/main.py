"""The app host's life: confine itself, say hello, answer the judge until the channel closes."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import NoReturn

from grader import sandbox
from grader.host import helpers, services
from grader.host.session import HostSession
from grader.protocol import PROTOCOL_VERSION, ChannelClosed, receive, send
from grader.sandbox.process import set_parent_death_signal

__all__ = ["become_host", "preload", "run_host"]

# Imported before the sandbox closes: afterwards only the runtime's own folders can be read.
_PRELOAD = (
    "fastapi.testclient",
    "fastapi.encoders",
    "starlette.websockets",
    "anyio",
    "grader.host.routes",
    "grader.host.started",
)


def preload() -> None:
    """Import what the host needs before its sandbox closes (the zygote does it once for every host)."""
    import importlib

    for name in _PRELOAD:
        importlib.import_module(name)
    helpers.load_all()


def _silence_stdio() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _rebind_std_streams() -> None:
    """sys.stdout and friends may sit on descriptors the sandbox just closed: point them at 0, 1 and 2 (/dev/null)."""
    import sys

    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - lives as long as the process
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115


def run_host(channel_fd: int, policy: sandbox.Policy, module_file: Path, parent_pid: int, service_fd: int) -> None:
    """Runs in the freshly forked host; never returns (the caller ``os._exit``s whatever happens).

    ``channel_fd`` carries the judge's requests; ``service_fd`` the kit's fakes' calls to the judge's services.
    """
    set_parent_death_signal()
    if os.getppid() != parent_pid:  # the judge died before the line above took effect
        return
    _silence_stdio()
    preload()
    channel = socket.socket(fileno=channel_fd)
    try:
        applied = sandbox.apply(policy, channel_fd, service_fd)
    except sandbox.SandboxUnavailable as exc:
        send(channel, {"ok": False, "error": f"--sandbox require: {exc}"})
        return
    _rebind_std_streams()
    services.attach(socket.socket(fileno=service_fd))
    send(channel, {"ok": True, "protocol": PROTOCOL_VERSION, "layers": applied.active, "missing": applied.missing})
    session = HostSession(module_file)
    while True:
        try:
            message = receive(channel)
        except (ChannelClosed, OSError):
            return
        if message.get("op") == "exit":
            session.close_all()
            return
        reply = session.handle(message)
        try:
            send(channel, reply)
        except ValueError as exc:  # too large to send: the candidate's response, the candidate's fault
            send(channel, {"ok": False, "fault": {"type": "ResponseTooLarge", "message": str(exc), "where": "request"}})
        except OSError:
            return


def become_host(
    channel: socket.socket,
    service: socket.socket,
    policy: sandbox.Policy,
    module_file: Path,
    parent_pid: int,
    close: tuple[socket.socket, ...] = (),
) -> NoReturn:
    """What a freshly forked child does to become a host: close the parent's sockets (``close``), serve on
    ``channel`` (calling the judge's services on ``service``), then exit, whatever happens. It never returns into
    its parent's code (the judge's or the zygote's): an exception ends it with code 70."""
    code = 0
    try:
        for other in close:
            other.close()
        run_host(channel.fileno(), policy, module_file, parent_pid, service.fileno())
    except BaseException:
        code = 70
    finally:
        os._exit(code)
