"""Landlock through ctypes: a filesystem allow-list, TCP limited to named ports, no signals or abstract sockets out.

Landlock (Linux 5.13+) is applied by a process to itself, needs no privilege (it confines root too), is inherited
by every process started afterwards and cannot be lifted. The kit applies it in the candidate's app host after
``fork`` and before the candidate's module is imported. Three syscalls are all it takes, so no binding package is
needed: ``landlock_create_ruleset``, ``landlock_add_rule`` and ``landlock_restrict_self``.
"""

from __future__ import annotations

import ctypes
import os
import platform
from collections.abc import Iterable
from pathlib import Path

__all__ = ["LandlockError", "abi_version", "restrict", "set_no_new_privs"]

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446  # same numbers on x86_64 and aarch64
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem rights, by the ABI that introduced them.
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_ABI1 = (1 << 13) - 1  # execute ... make_sym
_FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_ONLY = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1

# No EXECUTE: the host never needs to start a program, so the candidate cannot either.
READ_ONLY = _FS_READ_FILE | _FS_READ_DIR


class LandlockError(OSError):
    """Landlock is missing here, or a rule could not be added."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _NetPortAttr(ctypes.Structure):
    _fields_ = [("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _syscall(*args: object) -> int:
    result = _libc.syscall(*args)
    if result < 0:
        errno = ctypes.get_errno()
        raise LandlockError(errno, os.strerror(errno))
    return result


def abi_version() -> int:
    """The Landlock ABI this kernel offers; 0 when it has none (too old, disabled, or not Linux)."""
    if platform.system() != "Linux":  # syscall numbers mean something else elsewhere
        return 0
    try:
        return _syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (LandlockError, AttributeError):
        return 0


def _handled_fs(abi: int) -> int:
    rights = _FS_ABI1
    if abi >= 2:
        rights |= _FS_REFER
    if abi >= 3:
        rights |= _FS_TRUNCATE
    if abi >= 5:
        rights |= _FS_IOCTL_DEV
    return rights


def restrict(
    read_only: Iterable[Path],
    read_write: Iterable[Path],
    tcp_connect_ports: Iterable[int] = (),
    *,
    tcp_bind_ports: Iterable[int] = (),
    executable: Iterable[Path] = (),
    handle_truncate: bool = True,
    handle_tcp: bool = True,
) -> dict[str, bool]:
    """Confine this process (and all it starts) to the given paths and ports. Returns which parts applied.

    Paths that do not exist are skipped. Network rules need ABI 4 and scopes ABI 6; on an older kernel those
    parts are reported ``False`` and the caller says which layer is missing. ``handle_truncate`` and
    ``handle_tcp`` switched off leave truncation or TCP out of the ruleset (``KIT_WEAKEN``, for the kit's tests).
    """
    abi = abi_version()
    if abi < 1:
        raise LandlockError(0, "this kernel has no Landlock")
    handled_fs = _handled_fs(abi)
    if not handle_truncate:
        handled_fs &= ~_FS_TRUNCATE
    net = abi >= 4 and handle_tcp
    scoped = abi >= 6
    attr = _RulesetAttr(
        handled_fs,
        (_NET_BIND_TCP | _NET_CONNECT_TCP) if net else 0,
        (_SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL) if scoped else 0,
    )
    size = ctypes.sizeof(_RulesetAttr) if net or scoped else 8
    ruleset = _syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    try:
        for paths, rights in ((read_only, READ_ONLY), (executable, READ_ONLY | _FS_EXECUTE), (read_write, handled_fs)):
            for path in paths:
                _allow_path(ruleset, Path(path), rights & handled_fs)
        if net:
            for access, ports in ((_NET_CONNECT_TCP, tcp_connect_ports), (_NET_BIND_TCP, tcp_bind_ports)):
                for port in ports:
                    rule = _NetPortAttr(access, port)
                    _syscall(_SYS_ADD_RULE, ruleset, _RULE_NET_PORT, ctypes.byref(rule), ctypes.c_uint32(0))
        set_no_new_privs()
        _syscall(_SYS_RESTRICT_SELF, ruleset, ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return {"filesystem": True, "tcp": net, "scopes": scoped}


def set_no_new_privs() -> None:
    """Forbid gaining privileges through exec from now on: Landlock and seccomp both require it."""
    if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise LandlockError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")


def _allow_path(ruleset: int, path: Path, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            rights &= _FILE_ONLY
        rule = _PathBeneathAttr(rights, fd)
        _syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0))
    finally:
        os.close(fd)
