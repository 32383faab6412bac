"""A seccomp filter, built by hand in classic BPF: the syscalls Landlock does not cover.

Landlock governs files, TCP ports, signals and abstract Unix sockets, but not UDP, raw or netlink sockets, nor
named Unix sockets (a candidate could reach a local daemon's socket by path). This filter refuses ``socket()``
outright (the host talks to the judge over a socketpair it inherited, and ``socketpair`` stays allowed), except
TCP stream sockets when the judge named ports a test may reach (Landlock then limits them to those ports). It also
refuses io_uring (it can open sockets behind seccomp's back), ptrace and cross-process memory access, namespace
changes, BPF, perf events and the kernel keyring. Refused calls fail with ``EPERM``; nothing is killed, so the
candidate's code sees an ordinary ``PermissionError``.
"""

from __future__ import annotations

import ctypes
import platform

__all__ = ["SeccompError", "install", "supported"]

_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_RET_ALLOW, _RET_ERRNO, _RET_KILL_PROCESS = 0x7FFF0000, 0x00050000, 0x80000000
_EPERM = 1
_LD_W_ABS, _JEQ_K, _JGE_K, _AND_K, _RET_K = 0x20, 0x15, 0x35, 0x54, 0x06
_AF_INET, _AF_INET6, _SOCK_STREAM, _SOCK_TYPE_MASK = 2, 10, 1, 0xF
_X32_BIT = 0x40000000

# (audit arch, socket, refused syscalls) per machine.
_ARCHES: dict[str, tuple[int, int, tuple[int, ...]]] = {
    # ptrace, process_vm_readv/writev, io_uring_setup/enter/register, unshare, setns, bpf, perf_event_open,
    # add_key, request_key, keyctl, userfaultfd, kexec_load, init_module, finit_module
    "x86_64": (0xC000003E, 41, (101, 310, 311, 425, 426, 427, 272, 308, 321, 298, 248, 249, 250, 323, 246, 175, 313)),
    "aarch64": (0xC00000B7, 198, (117, 270, 271, 425, 426, 427, 97, 268, 280, 241, 217, 218, 219, 282, 104, 105, 273)),
}


class SeccompError(OSError):
    """The filter could not be installed."""


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() in _ARCHES


def _program(allow_tcp: bool) -> list[tuple[int, int, int, int]]:
    arch, socket_nr, refused = _ARCHES[platform.machine()]
    deny = _RET_ERRNO | _EPERM
    prog: list[tuple[int, int, int, int]] = [
        (_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 1, 0, arch),
        (_RET_K, 0, 0, _RET_KILL_PROCESS),  # another ABI (i386 on x86_64): no way around the filter
        (_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    if platform.machine() == "x86_64":
        prog += [(_JGE_K, 0, 1, _X32_BIT), (_RET_K, 0, 0, deny)]
    for number in refused:
        prog += [(_JEQ_K, 0, 1, number), (_RET_K, 0, 0, deny)]
    prog += [(_JEQ_K, 1, 0, socket_nr), (_RET_K, 0, 0, _RET_ALLOW)]
    if allow_tcp:  # socket(AF_INET or AF_INET6, SOCK_STREAM | flags, ...) only
        prog += [
            (_LD_W_ABS, 0, 0, 16),  # args[0], low word: the domain
            (_JEQ_K, 1, 0, _AF_INET),
            (_JEQ_K, 0, 4, _AF_INET6),
            (_LD_W_ABS, 0, 0, 24),  # args[1], low word: the type
            (_AND_K, 0, 0, _SOCK_TYPE_MASK),
            (_JEQ_K, 0, 1, _SOCK_STREAM),
            (_RET_K, 0, 0, _RET_ALLOW),
        ]
    prog.append((_RET_K, 0, 0, deny))
    return prog


def install(allow_tcp: bool = False) -> None:
    """Install the filter on this thread and every process it starts (no_new_privs must already be set)."""
    if not supported():
        raise SeccompError(0, f"no seccomp filter for {platform.system()} {platform.machine()}")
    prog = _program(allow_tcp)
    filters = (_SockFilter * len(prog))(*[_SockFilter(*instruction) for instruction in prog])
    fprog = _SockFprog(len(prog), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        errno = ctypes.get_errno()
        raise SeccompError(errno, f"prctl(PR_SET_SECCOMP) failed: errno {errno}")
