"""A host's scratch folder with a ceiling on everything written there together: a size-limited tmpfs.

No symlink on it is followed (``nosymfollow``): the judge, which reads and writes there, is not confined.

RLIMIT_FSIZE caps one file; a host that writes 200 MiB a hundred times fills the disk the gradebook lives on. The
judge mounts a tmpfs of ``size`` bytes on the scratch folder before the host starts (the host then sees it in
place, Landlock rules included), reads what the host wrote from it, and detaches it when the host is done. Its
pages count against the host's memory cgroup. Mounting needs CAP_SYS_ADMIN (grading as root, or in a user and
mount namespace of its own); where it is refused the layer is reported missing and only per-file limits apply.

Each mount's source is named ``grade-scratch-<pid of the judge>``, so that a run killed outright leaves mounts
that the next run recognises and detaches (``sweep_orphans``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from pathlib import Path

__all__ = ["SCRATCH_BYTES", "is_full", "mount", "sweep_orphans", "unmount", "unmount_below"]

SCRATCH_BYTES = 256 * 1024**2
_SOURCE_PREFIX = "grade-scratch-"
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_NOSYMFOLLOW = 2, 4, 8, 256
_MNT_DETACH = 2
_FULL_MARGIN_BYTES = 1024**2  # less than this left: the host ran into the ceiling


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def mount(folder: Path, size_bytes: int = SCRATCH_BYTES, follow_links: bool = False) -> bool:
    """Mount a private tmpfs of ``size_bytes`` on ``folder`` (an empty folder of the judge's). True on success.

    ``follow_links`` (``KIT_WEAKEN=scratch-follow-links`` only, for the kit's tests) leaves out ``nosymfollow``;
    so does a kernel older than 5.10, which has no such option."""
    if os.name != "posix" or not Path("/proc/self/mountinfo").exists():
        return False
    options = f"size={size_bytes},mode=0700,nr_inodes=65536".encode()
    source = f"{_SOURCE_PREFIX}{os.getpid()}".encode()
    flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    # No symlink on the scratch is ever followed (Linux 5.10+), by anyone: the judge reads and writes files there
    # (q20's log, q22's databases) with its own rights, outside every sandbox, and a link the host planted would
    # aim those at any file of the machine (a classmate's answer, /proc/self/environ, the gradebook).
    target = str(folder).encode()
    if not follow_links and _libc().mount(source, target, b"tmpfs", flags | _MS_NOSYMFOLLOW, options) == 0:
        return True
    return _libc().mount(source, target, b"tmpfs", flags, options) == 0


def is_full(folder: Path) -> bool:
    """Whether what was written in ``folder`` reached its tmpfs's ceiling (within a megabyte)."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < _FULL_MARGIN_BYTES or stats.f_favail == 0


def unmount(folder: Path) -> None:
    """Detach the tmpfs on ``folder`` (lazily: a process still holding a file there keeps only its own view)."""
    _libc().umount2(str(folder).encode(), _MNT_DETACH)


def _scratch_mounts() -> list[tuple[str, str]]:
    """(mount point, source) of every scratch tmpfs of any run, from this process's view of the mount table."""
    found = []
    with contextlib.suppress(OSError), open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as table:
        for line in table:
            before, _, after = line.partition(" - ")
            fields, tail = before.split(), after.split()
            if len(fields) >= 5 and len(tail) >= 2 and tail[0] == "tmpfs" and tail[1].startswith(_SOURCE_PREFIX):
                point = fields[4].replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")
                found.append((point.replace("\\134", "\\"), tail[1]))
    return found


def unmount_below(root: Path) -> None:
    """Detach every scratch tmpfs under ``root`` (a judge's folder, removed after the judge was killed)."""
    prefix = str(root.resolve()) + os.sep
    for point, _source in _scratch_mounts():
        if point.startswith(prefix):
            unmount(Path(point))


def sweep_orphans() -> None:
    """Detach the scratch mounts of judges that no longer exist (a run killed with kill -9)."""
    for point, source in _scratch_mounts():
        pid = source.removeprefix(_SOURCE_PREFIX)
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            unmount(Path(point))
