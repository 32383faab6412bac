"""Run a helper program the tests need (q30's redis-server) inside the sandbox's file and network rules.

A server the tests start runs beside the candidate's hosts, and a host may talk to it: unconfined, it is a pivot
(Redis can be told to connect anywhere on loopback with MIGRATE or REPLICAOF, or to write files with CONFIG SET
dir). So it is started through this module, which confines itself and then ``exec``s the program:

    python -m grader.sandbox.confined_exec SPEC -- PROGRAM ARGS...

SPEC is JSON: ``{"read": [paths], "write": [paths], "bind": [ports]}``. The program may read the system's
runtime folders and ``read``, write ``write`` only, bind the ``bind`` TCP ports and connect to no TCP port at all;
it keeps no capability, gets seccomp's socket rules (TCP only), and dies with the process that started it.
Landlock, seccomp and the capability drop survive ``exec``; where Landlock is missing the program still runs,
with what this machine offers.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from pathlib import Path

__all__ = ["command", "main"]

_RUNTIME = ("/usr", "/lib", "/lib64", "/etc", "/dev/urandom", "/proc/self", "/sys/kernel/mm/transparent_hugepage")


def command(program: list[str], read: list[str], write: list[str], bind: list[int]) -> list[str]:
    """The argv that runs ``program`` confined to these paths and bound ports."""
    spec = json.dumps({"read": read, "write": write, "bind": bind})
    return [sys.executable, "-m", "grader.sandbox.confined_exec", spec, "--", *program]


def main(argv: list[str]) -> None:  # pragma: no cover - it ends in exec
    from grader.sandbox import landlock, seccomp
    from grader.sandbox.process import drop_capabilities

    spec, separator, *program = argv
    if separator != "--" or not program:
        raise SystemExit("usage: python -m grader.sandbox.confined_exec SPEC -- PROGRAM ARGS...")
    rules = json.loads(spec)
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: it dies with its starter
    drop_capabilities()
    with contextlib.suppress(OSError):
        landlock.restrict(
            read_only=[Path(p) for p in rules.get("read", [])],
            executable=[Path(p) for p in _RUNTIME],
            read_write=[Path(p) for p in (*rules.get("write", []), "/dev/null")],
            tcp_bind_ports=[int(p) for p in rules.get("bind", [])],
        )
    with contextlib.suppress(OSError):
        landlock.set_no_new_privs()
        seccomp.install(allow_tcp=True)
    os.execv(program[0], program)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
