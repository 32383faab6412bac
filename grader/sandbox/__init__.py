"""The OS sandbox around every process that runs candidate code (the app host).

Layers, each optional on its own so that grading still works where one is missing, and each named so that
reports can say which were active:

==============  ==========================================================================================
``landlock``    filesystem allow-list (runtime read-only, the module's private copy read-only, one scratch
                folder read-write); TCP connect only to ports the test names; no signals or abstract sockets
                out of the sandbox (Linux 5.13+, network and scopes from ABI 4 and 6)
``seccomp``     no sockets but those TCP ports (no UDP, raw, netlink or named Unix sockets), no io_uring,
                ptrace, namespaces, BPF or keyring
``pidns``       a PID namespace: every process the candidate starts dies with the host
``cgroup``      memory and process count capped for the whole tree
``disk``        the scratch folder is a size-limited tmpfs: a ceiling on everything written, not only per file
``nocaps``      no capabilities, even as root; ``no_new_privs``
``rlimits``     per-process memory, file size, CPU time, open files, no core dumps
``env``         a fixed minimal environment; no inherited file descriptors but the channel to the judge
==============  ==========================================================================================

``--sandbox auto`` applies what the machine offers, ``require`` refuses to grade without every layer,
``off`` applies none (debugging a test). ``probe()`` tells, without confining anything, which layers work here.
"""

from __future__ import annotations

import contextlib
import os
import platform
import site
import sys
import sysconfig
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "LAYERS",
    "Mode",
    "Policy",
    "SandboxUnavailable",
    "apply",
    "probe",
    "run_confined",
    "runtime_paths",
]

Mode = Literal["auto", "require", "off"]
MODES: tuple[Mode, ...] = ("auto", "require", "off")
LAYERS = ("landlock", "seccomp", "pidns", "cgroup", "disk", "nocaps", "rlimits", "env")

# Read-only system locations a Python process may need after the sandbox closes (shared libraries for an
# extension module imported late, the dynamic loader's cache, time zones).
_SYSTEM_READ_ONLY = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/etc/ld.so.cache", "/usr/share/zoneinfo")


class SandboxUnavailable(RuntimeError):
    """``--sandbox require`` was asked for on a machine that lacks some layers."""


@dataclass(frozen=True)
class Policy:
    """What one app host may touch. Built by the trusted side; plain data, so it crosses a fork unchanged."""

    mode: Mode
    module_dir: str  # holds the private copy of the candidate's one file: read-only
    scratch: str  # the only place it may write; its working folder and TMPDIR
    runtime: tuple[str, ...]  # Python's own files and the installed packages: read-only
    tcp_ports: tuple[int, ...] = ()  # loopback services a test provides (q30's redis-server)
    env: tuple[tuple[str, str], ...] = ()  # variables a test sets before the module is imported
    cgroup: tuple[str, ...] = ()  # folders of a cgroup made for this host, joined before anything runs
    scratch_capped: bool = False  # the judge mounted a size-limited tmpfs on ``scratch`` (grader.sandbox.scratch)
    weaken: tuple[str, ...] = ()  # parts switched off for the kit's own tests (grader.weaken); empty when grading
    memory_bytes: int = 2 * 1024**3
    processes: int = 64
    cpu_seconds: int = 120


@dataclass
class Applied:
    active: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)


def runtime_paths(protected: Iterable[Path]) -> tuple[str, ...]:
    """Where the interpreter and installed packages live, less anything that holds a protected path.

    ``protected`` are the kit, the submissions, the gradebook, the home folder: a runtime folder that contains one
    of them (a Python installed above the kit's checkout) is left out rather than opened.
    """
    names = ("stdlib", "platstdlib", "purelib", "platlib")
    candidates = {sysconfig.get_paths()[name] for name in names}
    candidates.update(site.getsitepackages())
    candidates.update(p for p in sys.path if (p and "site-packages" in p) or "dist-packages" in p)
    candidates.add(os.path.join(sysconfig.get_paths()["stdlib"], "lib-dynload"))
    candidates.update(_SYSTEM_READ_ONLY)
    guarded = [Path(p).resolve() for p in protected]
    kept = []
    for candidate in sorted(candidates):
        path = Path(candidate)
        if not path.exists():
            continue
        resolved = path.resolve()
        if any(g == resolved or g.is_relative_to(resolved) for g in guarded):
            continue
        kept.append(str(resolved))
    return tuple(kept)


def apply(policy: Policy, channel_fd: int, *more_fds: int) -> Applied:
    """Confine the calling process (the freshly forked host) by ``policy``. Never returns into unconfined code
    when ``policy.mode == "require"`` and a layer is missing: it raises ``SandboxUnavailable`` instead.
    ``channel_fd`` and ``more_fds`` are the descriptors it keeps (its links to the judge)."""
    from grader.sandbox import landlock, seccomp
    from grader.sandbox.process import Cgroup, Limits, drop_capabilities, enter_pid_namespace, limit_resources

    applied = Applied()
    limits = Limits(memory_bytes=policy.memory_bytes, processes=policy.processes, cpu_seconds=policy.cpu_seconds)
    if policy.mode == "off":
        applied.missing = {layer: "--sandbox off" for layer in LAYERS}
        return applied
    if platform.system() != "Linux":  # every layer but the last two is a Linux interface
        limit_resources(limits)
        _reset_environment(policy)
        applied.active = ["rlimits", "env"]
        applied.missing = {layer: f"not available on {platform.system()}" for layer in LAYERS[:6]}
        if policy.mode == "require":
            raise SandboxUnavailable(_describe_missing(applied.missing))
        return applied
    off = set(policy.weaken)
    if "fds-keep" not in off:
        _close_inherited_fds(keep=(channel_fd, *more_fds))
    if policy.cgroup:
        try:
            Cgroup([Path(p) for p in policy.cgroup]).join()
            applied.active.append("cgroup")
        except OSError as exc:
            applied.missing["cgroup"] = f"could not join: {exc.strerror}"
    else:
        applied.missing["cgroup"] = "no writable cgroup hierarchy"
    if enter_pid_namespace(death_signal="pidns-no-pdeathsig" not in off):
        applied.active.append("pidns")
    else:
        applied.missing["pidns"] = "unshare(CLONE_NEWPID) refused"
    if policy.scratch_capped:
        applied.active.append("disk")
    else:
        applied.missing["disk"] = "no size-limited scratch folder (mounting a tmpfs needs CAP_SYS_ADMIN)"
    limit_resources(limits, hard="rlimits-soft-only" not in off)
    applied.active.append("rlimits")
    _reset_environment(policy, clear="env-keep" not in off)
    applied.active.append("env")
    if drop_capabilities(every_set="caps-bounding-only" not in off):
        applied.active.append("nocaps")
    else:
        applied.missing["nocaps"] = "capset failed"
    try:
        read_only = [Path(p) for p in (*policy.runtime, policy.module_dir)] + [Path("/dev/urandom")]
        read_write = [Path(policy.scratch), Path("/dev/null")]
        if "landlock-write-readonly" in off:
            read_write, read_only = read_write + read_only, []
        if "landlock-read-anywhere" in off:
            read_only.append(Path("/"))
        parts = landlock.restrict(
            read_only=read_only,
            read_write=read_write,
            tcp_connect_ports=policy.tcp_ports,
            handle_truncate="landlock-truncate" not in off,
            handle_tcp="landlock-tcp" not in off,
        )
        if all(parts.values()):
            applied.active.append("landlock")
        else:
            lacking = ", ".join(name for name, ok in parts.items() if not ok)
            applied.missing["landlock"] = f"this kernel's Landlock lacks {lacking}"
    except OSError as exc:
        applied.missing["landlock"] = str(exc.strerror or exc)
        with contextlib.suppress(OSError):  # seccomp needs it; if it fails, seccomp reports itself missing
            landlock.set_no_new_privs()
    try:
        if "seccomp-off" in off:
            raise OSError(0, "switched off (KIT_WEAKEN)")
        seccomp.install(allow_tcp=bool(policy.tcp_ports) or "seccomp-tcp" in off)
        applied.active.append("seccomp")
    except OSError as exc:
        applied.missing["seccomp"] = str(exc.strerror or exc)
    if policy.mode == "require" and applied.missing:
        raise SandboxUnavailable(_describe_missing(applied.missing))
    return applied


def _describe_missing(missing: dict[str, str]) -> str:
    return "; ".join(f"{layer}: {why}" for layer, why in missing.items())


def _close_inherited_fds(keep: tuple[int, ...]) -> None:
    """Close everything but stdio and the links to the judge: no other file, socket or pipe is the host's."""
    low = 3
    for fd in sorted(set(keep)):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 65536)


def _reset_environment(policy: Policy, clear: bool = True) -> None:
    import tempfile

    scratch = policy.scratch
    if not clear:  # KIT_WEAKEN=env-keep: only the test's variables and the working folder
        os.environ.update(dict(policy.env))
        os.chdir(scratch)
        return
    os.environ.clear()
    os.environ.update(
        {"PATH": "/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    )
    os.environ.update(dict(policy.env))
    tempfile.tempdir = None  # forget the judge's temp folder: the next mkstemp lands in the scratch folder
    sys.dont_write_bytecode = True
    os.chdir(scratch)


def run_confined(policy: Policy, work: Callable[[Applied], Any]) -> Any:
    """Fork, confine the child by ``policy``, run ``work(applied)`` there and return its JSON result here.

    For probing and testing the sandbox itself: nothing of the child but its JSON answer comes back. An exception
    in the child comes back as ``{"error": repr}``; a child that dies without answering, as None.
    """
    import json

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 0
        try:
            os.close(read_fd)
            answer = work(apply(policy, write_fd))
        except BaseException as exc:
            answer, code = {"error": repr(exc)}, 1
        try:
            os.write(write_fd, json.dumps(answer).encode())
        finally:
            os._exit(code)
    os.close(write_fd)
    chunks = []
    while chunk := os.read(read_fd, 65536):
        chunks.append(chunk)
    os.close(read_fd)
    os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks)) if chunks else None
    except ValueError:
        return None


def probe() -> dict[str, str]:
    """Which layers work on this machine: layer -> "" when available, else why not. Runs in a throw-away fork."""
    if not hasattr(os, "fork"):
        return {layer: "needs fork (POSIX)" for layer in LAYERS}
    import shutil
    import tempfile

    from grader.sandbox import scratch as scratch_mount
    from grader.sandbox.process import Cgroup

    scratch = tempfile.mkdtemp(prefix="grade-probe-")
    capped = scratch_mount.mount(Path(scratch), 16 * 1024**2)
    group = Cgroup.create(f"grade-probe-{os.getpid()}", 256 * 1024**2, 16)
    policy = Policy(
        "auto",
        scratch,
        scratch,
        runtime_paths([]),
        cgroup=tuple(map(str, group.folders)) if group else (),
        scratch_capped=capped,
    )
    try:
        report = run_confined(policy, lambda applied: {layer: "" for layer in applied.active} | applied.missing)
    finally:
        if group:
            group.remove()
        if capped:
            scratch_mount.unmount(Path(scratch))
        shutil.rmtree(scratch, ignore_errors=True)
    report = report if isinstance(report, dict) else {}
    return {layer: report.get(layer, report.get("error", "the probe did not answer")) for layer in LAYERS}
