"""The CPU time of one question's whole tree: its judge, and every app host the judge started.

A question's limit is CPU seconds, not wall-clock seconds: on a machine kept busy by other work (or by a hostile
classmate graded beside it), a correct answer gets slower by the clock but uses the same CPU, so its verdict does
not depend on the load. Sleeping code uses no CPU; a wall-clock ceiling several times the limit ends it.

Counted: the judge process and the children it reaped (``/proc/<pid>/stat``), the hosts still running (the
``cpu.stat`` of their cgroups, which holds every process a host started), and the hosts already gone (each host's
usage is written by the judge to ``KIT_HOST_CPU_FILE`` before its cgroup is removed). Where a host has no cgroup
that counts CPU (neither a writable cgroup v2 hierarchy nor v1's cpuacct), its CPU is not counted and the
wall-clock ceiling is what bounds it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = [
    "HOST_CPU_FILE_VARIABLE",
    "WALL_FACTOR",
    "cgroup_cpu_s",
    "counts_cpu",
    "process_cpu_s",
    "record_host_cpu",
    "spent_s",
    "tree_cpu_s",
]

HOST_CPU_FILE_VARIABLE = "KIT_HOST_CPU_FILE"
WALL_FACTOR = 5  # the wall-clock ceiling is this many times the CPU limit: room for a loaded machine and for I/O
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu_s(pid: int) -> float:
    """User and system time of ``pid`` and of the children it has reaped; 0 when it cannot be read."""
    spent = _read_process_cpu_s(pid)
    return 0.0 if spent is None else spent


def _read_process_cpu_s(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # the command name may hold spaces and parentheses
    try:
        return sum(int(fields[i]) for i in (11, 12, 13, 14)) / _TICKS  # utime stime cutime cstime
    except (IndexError, ValueError):
        return None


def spent_s(pid: int, elapsed_s: float) -> float:
    """What counts against a process's time limit: its CPU seconds, or the clock's where /proc cannot tell."""
    spent = _read_process_cpu_s(pid)
    return elapsed_s if spent is None else spent


def cgroup_cpu_s(folder: Path) -> float:
    """The CPU time used by every process that ever ran in a cgroup ``folder`` (v2's ``cpu.stat``, or v1's
    ``cpuacct.usage``); 0 when the folder counts none (a v1 memory or pids folder) or cannot be read."""
    with contextlib.suppress(OSError, ValueError):
        return int((folder / "cpuacct.usage").read_text()) / 1e9
    with contextlib.suppress(OSError, ValueError):
        for line in (folder / "cpu.stat").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "usage_usec":
                return int(value) / 1e6
    return 0.0


def counts_cpu(folder: Path) -> bool:
    """Whether a cgroup folder counts CPU time (v2, or v1's cpuacct hierarchy)."""
    return (folder / "cpu.stat").exists() or (folder / "cpuacct.usage").exists()


def record_host_cpu(folder: Path) -> None:
    """In the judge, before a host's cgroup is removed: add its CPU time to the judge's record, if it keeps one."""
    record = os.environ.get(HOST_CPU_FILE_VARIABLE)
    if record:
        with contextlib.suppress(OSError), open(record, "a", encoding="ascii") as handle:
            handle.write(f"{cgroup_cpu_s(folder):.6f}\n")


def _recorded_s(record: Path) -> float:
    total = 0.0
    with contextlib.suppress(OSError):
        for line in record.read_text(encoding="ascii", errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                total += float(line)
    return total


def tree_cpu_s(judge_pid: int, record: Path, live_host_groups: list[Path]) -> float:
    """The question's CPU seconds so far: its judge, the hosts gone (``record``) and the hosts still running."""
    return process_cpu_s(judge_pid) + _recorded_s(record) + sum(cgroup_cpu_s(f) for f in live_host_groups)
