"""Process-level layers: a PID namespace, no capabilities, resource ceilings, a cgroup for the whole tree.

Each answers an attack Landlock alone leaves open:

- a **PID namespace** whose first process is the app host: when it dies, the kernel kills every process left in
  the namespace, so a double-forked ``setsid`` daemon cannot outlive its question;
- **no capabilities** (bounding set emptied, so a later ``exec`` as root gains none either): a root host cannot
  raise its own limits or reach kernel interfaces;
- **rlimits** per process (address space, file size, CPU time, open files, no core dumps, and a process count
  that the kernel enforces for non-root users);
- a **cgroup** (v2, or v1's ``pids`` and ``memory`` hierarchies) capping memory and the number of processes of the
  whole tree, which rlimits cannot do: three children of 2.6 GB each pass a 4 GB per-process limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

__all__ = [
    "Cgroup",
    "drop_capabilities",
    "enter_pid_namespace",
    "limit_resources",
    "set_parent_death_signal",
]

_CLONE_NEWUSER, _CLONE_NEWPID = 0x10000000, 0x20000000
_PR_SET_PDEATHSIG, _PR_CAPBSET_DROP, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 1, 24, 47, 4
_CAPABILITY_VERSION_3 = 0x20080522
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}

_libc = ctypes.CDLL(None, use_errno=True)


def set_parent_death_signal() -> None:
    """Be killed when the process that started this one dies (the judge, or the namespace's outer waiter)."""
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def enter_pid_namespace(death_signal: bool = True) -> bool:
    """Put this process's next child in a new PID namespace; this process stays outside and becomes its waiter.

    Forks once: the child (PID 1 of the namespace) returns ``True`` and goes on; the parent waits for it and
    exits with its status, never returning. Returns ``False`` without forking when namespaces are unavailable.
    """
    flags = _CLONE_NEWPID if os.geteuid() == 0 else _CLONE_NEWPID | _CLONE_NEWUSER
    if _libc.unshare(flags) != 0:
        return False
    pid = os.fork()
    if pid == 0:
        if death_signal:  # PID 1 dies with the waiter, and the kernel then kills the whole namespace
            set_parent_death_signal()
        return True
    os.closerange(3, _max_fd())  # the waiter holds nothing: the judge sees EOF the moment PID 1 dies
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
    _, status = os.waitpid(pid, 0)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _max_fd() -> int:
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return min(soft, 65536) if soft != resource.RLIM_INFINITY else 65536


def drop_capabilities(every_set: bool = True) -> bool:
    """Empty the bounding, ambient, effective, permitted and inheritable capability sets. False if it failed.

    ``every_set=False`` empties the bounding set only (``KIT_WEAKEN=caps-bounding-only``, for the kit's tests).
    """
    import platform

    for cap in range(64):
        if _libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == 22:  # EINVAL: past the last
            break
    if not every_set:
        return True
    _libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    number = _SYS_CAPSET.get(platform.machine())
    if number is None:
        return False
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    return _libc.syscall(number, header, data) == 0


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 2 * 1024**3
    file_size_bytes: int = 256 * 1024**2
    cpu_seconds: int = 120
    open_files: int = 256
    processes: int = 64


def limit_resources(limits: Limits, hard: bool = True) -> None:
    """Lower (never raise) this process's rlimits to ``limits``, hard limits included (so they stay lowered).

    ``hard=False`` sets soft limits only (``KIT_WEAKEN=rlimits-soft-only``, for the kit's tests).
    """
    for which, value in (
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_FSIZE, limits.file_size_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, limits.processes),
    ):
        _soft, current_hard = resource.getrlimit(which)
        ceiling = value if current_hard == resource.RLIM_INFINITY else min(value, current_hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (ceiling, ceiling if hard else current_hard))


class Cgroup:
    """A throw-away cgroup capping the memory and process count of one host's whole tree.

    Created by the trusted side, joined by the host before it runs anything of the candidate's, removed once the
    tree is dead. Works with cgroup v2 (a delegated subtree with the ``memory`` and ``pids`` controllers) or v1
    (the ``memory`` and ``pids`` hierarchies); ``create`` returns None where neither is writable.
    """

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders

    @classmethod
    def create(cls, name: str, memory_bytes: int | str, processes: int | str) -> Cgroup | None:
        """A new cgroup capping memory and processes (``"max"``: not capped); None where none can be made."""
        folders: list[Path] = []
        try:
            for hierarchy, files in _writable_hierarchies(memory_bytes, processes):
                folder = hierarchy / name
                folder.mkdir()
                folders.append(folder)
                for file, value in files.items():
                    (folder / file).write_text(str(value))
        except OSError:
            Cgroup(folders).remove()
            return None
        return cls(folders) if folders else None

    def join(self, pid: int = 0) -> None:
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(pid or os.getpid()))

    def remove(self, wait: bool = True) -> bool:
        """Remove the folders; True when all are gone.

        A cgroup whose last process is still being torn down cannot be removed yet: with ``wait`` this retries
        for up to half a second, without it the caller keeps it for a later ``remove`` (see ``Cgroup.later``).
        """
        import time

        gone = True
        for folder in self.folders:
            for _attempt in range(500 if wait else 1):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if wait:
                        time.sleep(0.001)
            else:
                gone = gone and not wait and not folder.exists()
        return gone

    _pending: ClassVar[list[Cgroup]] = []

    @classmethod
    def later(cls, group: Cgroup) -> None:
        """Remove ``group`` now if it is empty, else at the next call or when this process exits."""
        import atexit

        if not cls._pending:
            atexit.register(cls._flush)
        cls._pending.append(group)
        cls._pending[:] = [g for g in cls._pending if not g.remove(wait=False)]

    @classmethod
    def _flush(cls) -> None:
        for group in cls._pending:
            group.remove()
        cls._pending.clear()

    @classmethod
    def sweep_orphans(cls, prefix: str = "grade-host-") -> None:
        """Remove ``prefix<pid>-...`` cgroups whose creator is gone (a run killed with ``kill -9``): empty folders."""
        for folder in _named(prefix):
            owner = folder.name.removeprefix(prefix).split("-", 1)[0]
            if owner.isdigit() and not _alive(int(owner)):
                cls([folder]).remove(wait=False)

    @staticmethod
    def named(prefix: str) -> list[Path]:
        """The folders of every cgroup named ``prefix...`` that this process could have made."""
        return _named(prefix)

    @classmethod
    def sweep(cls, prefix: str) -> None:
        """Remove every cgroup named ``prefix...`` in the hierarchies this process could write to."""
        cls(_named(prefix)).remove()


def _named(prefix: str) -> list[Path]:
    """The cgroups named ``prefix...`` directly below this process's own, in every writable hierarchy."""
    try:
        hierarchies = _writable_hierarchies(0, 0)
    except OSError:
        return []
    found: list[Path] = []
    for hierarchy, _files in hierarchies:
        with contextlib.suppress(OSError):
            found += [p for p in hierarchy.iterdir() if p.is_dir() and p.name.startswith(prefix)]
    return found


def _own_cgroups() -> dict[str, str]:
    """Controller (or "" for v2) to this process's cgroup path, from /proc/self/cgroup."""
    paths: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _id, controllers, path = line.split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                paths[controller] = path
    return paths


def _writable_hierarchies(memory_bytes: int | str, processes: int | str) -> list[tuple[Path, dict[str, int | str]]]:
    root = Path("/sys/fs/cgroup")
    own = _own_cgroups()
    v1 = [
        (root / "memory" / own.get("memory", "/").lstrip("/"), {"memory.limit_in_bytes": memory_bytes}),
        (root / "pids" / own.get("pids", "/").lstrip("/"), {"pids.max": processes}),
    ]
    if all(os.access(path, os.W_OK) and (path / "cgroup.procs").exists() for path, _ in v1):
        # cpuacct counts the tree's CPU time (the question's limit); it limits nothing, so it is optional
        accounting = root / "cpuacct" / own.get("cpuacct", "/").lstrip("/")
        if os.access(accounting, os.W_OK) and (accounting / "cpuacct.usage").exists():
            v1.append((accounting, {}))
        return v1
    v2 = root / own.get("", "/").lstrip("/")
    controllers = (
        (v2 / "cgroup.subtree_control").read_text().split() if (v2 / "cgroup.subtree_control").exists() else []
    )
    if {"memory", "pids"} <= set(controllers) and os.access(v2, os.W_OK):
        return [(v2, {"memory.max": memory_bytes, "pids.max": processes, "memory.swap.max": 0})]
    return []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
