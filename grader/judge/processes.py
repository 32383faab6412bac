"""How a judge process is started, polled and killed: forked from the grading process where ``fork`` exists, a
fresh interpreter elsewhere.

A forked judge starts with SIGINT, SIGTERM and SIGHUP held back while it forks (an interrupt landing in an at-fork
hook would be lost), gets a process group of its own (so that killing the group takes everything it started),
and closes every descriptor it inherited but its zygote socket. Killing is always the whole group, and reaping
tolerates a child already reaped. ``grader.candidate.checker`` forks its checks through the same class.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Protocol

from grader.judge.child import ChildJob
from grader.judge.cputime import HOST_CPU_FILE_VARIABLE
from grader.judge.interrupts import signals_blocked_for_fork

__all__ = ["HOST_CPU_RECORD", "ForkedProcess", "JudgeProcess", "SpawnedProcess", "close_inherited", "kill_spawned"]

HOST_CPU_RECORD = "host-cpu-seconds"  # in a judge's scratch folder: the CPU seconds of its hosts that are gone
_MAX_FD = 1 << 20  # above any descriptor a process may hold here (RLIMIT_NOFILE)


class JudgeProcess(Protocol):
    pid: int

    def poll(self) -> int | None: ...

    def kill(self) -> None:
        """Kill the process (if still running) and every process left in its group."""


def close_inherited(keep: tuple[int, ...] = ()) -> None:
    """In a forked judge: close every descriptor above stderr but ``keep``.

    The judge is forked from the grading process, which holds the gradebook open (its file, WAL and shared-memory
    index), the pipes of other judges and whatever else the run has open. The judge never needs them, and a
    judge led astray (a path the host controls) must find none of them at ``/proc/self/fd``. Garbage the parent
    left is collected first, so that no finaliser of it closes a number the judge has reused since.
    """
    gc.collect()
    low = 3
    for fd in sorted(fd for fd in keep if fd >= low):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, _MAX_FD)


class ForkedProcess:
    def __init__(self, job: ChildJob, close_in_child: tuple[socket.socket, ...] = ()) -> None:
        with signals_blocked_for_fork():
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child: it never leaves this block
                for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                    signal.signal(signum, signal.SIG_DFL)
                for sock in close_in_child:
                    sock.close()
                self._child(job)
        self.pid = pid
        self._returncode: int | None = None

    @staticmethod
    def _child(job: ChildJob) -> None:  # pragma: no cover - runs in the child, which never returns
        code = 0
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            os.setpgid(0, 0)
            close_inherited(keep=(job.zygote_fd,))
            # The judge's temporary files (its app hosts' scratch folders among them) live in the job's
            # scratch folder, removed with it whatever happens to the judge.
            os.environ["TMPDIR"] = str(Path(job.workdir).parent)
            os.environ[HOST_CPU_FILE_VARIABLE] = str(Path(job.workdir).parent / HOST_CPU_RECORD)
            tempfile.tempdir = None
            from grader.judge.child import run_child

            run_child(job)
        except BaseException:  # the child must never return into the parent's code
            code = 70
        finally:
            os._exit(code)

    def poll(self) -> int | None:
        if self._returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._returncode = os.waitstatus_to_exitcode(status)
        return self._returncode

    def kill(self) -> None:
        # The whole process group: the candidate's module may have started processes of its own.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        if self._returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            # Already reaped when a Ctrl-C cut ``poll`` between its waitpid and recording the code.
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self._returncode = -signal.SIGKILL


class SpawnedProcess:
    def __init__(self, job: ChildJob) -> None:
        # The job (its token included) goes through a pipe, never argv, which every process can read.
        self._popen = subprocess.Popen(
            [sys.executable, "-m", "grader.judge.child_main"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={
                **os.environ,
                "TMPDIR": str(Path(job.workdir).parent),
                HOST_CPU_FILE_VARIABLE: str(Path(job.workdir).parent / HOST_CPU_RECORD),
            },
            pass_fds=(job.zygote_fd,) if job.zygote_fd >= 0 else (),
        )
        assert self._popen.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._popen.stdin.write(json.dumps(asdict(job)).encode())
            self._popen.stdin.close()
        self.pid = self._popen.pid

    def poll(self) -> int | None:
        return self._popen.poll()

    def kill(self) -> None:
        kill_spawned(self._popen)


def kill_spawned(popen: subprocess.Popen[bytes]) -> None:
    """Kill a process started in its own session, with everything it started, and reap it."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, signal.SIGKILL)
    if popen.poll() is None:
        popen.kill()
        popen.wait()
