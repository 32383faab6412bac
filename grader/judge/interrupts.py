"""Ctrl-C that stops a run promptly and cleanly: exit 130, nothing half-made stored, no child left behind.

Three pieces. ``signals_blocked_for_fork`` holds SIGINT back while ``os.fork`` runs its at-fork hooks: an
interrupt landing inside one of them is printed as "Exception ignored" and lost, and the run went on as if
nothing happened; blocked, it is delivered the moment the fork returns, at a point where it propagates.
``checkpoint`` names the phases of a run (warm-up, grading, reports) so that a test can stop a real run at
each of them (``KIT_PAUSE_AT=phase``) and send the interrupt there. ``EXIT_INTERRUPTED`` is the shell's code
for a run ended by SIGINT.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator

__all__ = [
    "EXIT_INTERRUPTED",
    "Terminated",
    "checkpoint",
    "exit_code_for",
    "signals_blocked_for_fork",
    "stop_on_signals",
]

EXIT_INTERRUPTED = 130
_PAUSE_VARIABLE = "KIT_PAUSE_AT"
_PAUSE_LIMIT_S = 60.0


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (an IDE's stop button, ``timeout``, a closed terminal), raised like Ctrl-C.

    A ``KeyboardInterrupt`` so that every ``finally`` that kills child processes on Ctrl-C runs for these too:
    by default Python dies on SIGTERM without running them, and a check's process was left running.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def stop_on_signals() -> None:
    """Turn SIGTERM and SIGHUP into ``Terminated`` in this process (the command's main thread)."""

    def raise_terminated(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, raise_terminated)


def exit_code_for(interrupt: BaseException) -> int:
    """130 for Ctrl-C, 128 + the signal's number for SIGTERM (143) and SIGHUP (129), as shells report them."""
    return 128 + interrupt.signum if isinstance(interrupt, Terminated) else EXIT_INTERRUPTED


@contextlib.contextmanager
def signals_blocked_for_fork() -> Iterator[None]:
    """Block SIGINT and SIGTERM around a fork; the caller unblocks in the child with ``unblock_in_child``."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def checkpoint(phase: str) -> None:
    """A named phase of a run. When ``KIT_PAUSE_AT`` names it, say so on stderr and wait (for a test's signal)."""
    if os.environ.get(_PAUSE_VARIABLE) != phase:
        return
    os.write(2, f"paused at {phase}\n".encode())  # fd 2 itself: sys.stderr may be redirected (pytest.main)
    deadline = time.monotonic() + _PAUSE_LIMIT_S
    while time.monotonic() < deadline:
        time.sleep(0.01)
