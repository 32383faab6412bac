"""Start an app host for one candidate file: a private copy of the file, a scratch folder, a cgroup, a fork."""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grader import sandbox
from grader.book.intake import copy_regular_file
from grader.judge.bridge.channel import LocalChannel, ProcessChannel
from grader.judge.bridge.errors import BridgeError
from grader.judge.bridge.host import AppHost
from grader.judge.bridge.services import ServiceHub
from grader.weaken import sandbox_weakenings, weakened

__all__ = ["FULL_SCRATCH", "HostOptions", "launch"]

_START_TIMEOUT_S = 30.0
# Hosts of this process that filled their scratch folder's ceiling, by file name: the judge reports the question
# as an error with that reason (its tests may have failed on the full disk, or passed despite it).
FULL_SCRATCH: list[str] = []


@dataclass(frozen=True)
class HostOptions:
    """How hosts are started for a run: the sandbox mode, deadlines, and the paths no host may see."""

    sandbox: sandbox.Mode = "auto"
    in_process: bool = False
    request_timeout_s: float = 20.0
    protected: tuple[Path, ...] = field(default_factory=tuple)  # the kit, submissions, gradebook, home
    memory_bytes: int = 2 * 1024**3  # the cgroup's ceiling for a host's whole tree (the probes lower it)


@functools.cache
def _runtime_paths(protected: tuple[Path, ...]) -> tuple[str, ...]:
    """The runtime's folders a host may read: the same for every host of a run, so worked out once."""
    return sandbox.runtime_paths(protected)


def launch(
    module_file: Path,
    options: HostOptions,
    *,
    env: dict[str, str] | None = None,
    tcp_ports: Iterable[int] = (),
    support_files: Iterable[Path] = (),
) -> AppHost:
    """A host serving ``module_file`` (not yet loaded: call ``load``). ``env`` is set before the module imports."""
    scratch = Path(tempfile.mkdtemp(prefix="grade-host-"))
    module_dir, work = scratch / "module", scratch / "work"
    module_dir.mkdir()
    work.mkdir()
    private = module_dir / module_file.name
    try:
        copy_regular_file(module_file, private)
        for support in support_files:
            copy_regular_file(support, module_dir / support.name)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    filename = module_file.name
    source = private.read_bytes()  # what the judge may parse (never run): read before any candidate code starts

    service_judge, service_host = socket.socketpair()
    services = ServiceHub(service_judge)
    if options.in_process or not hasattr(os, "fork"):  # no fork (Windows): the module runs in this process
        from grader.host import helpers
        from grader.host import services as host_services
        from grader.host.session import HostSession  # debugging only: the judge then runs candidate code

        helpers.load_all()
        host_services.attach(service_host)
        os.environ.update(env or {})

        def local_cleanup() -> None:
            services.close()
            service_host.close()
            shutil.rmtree(scratch, ignore_errors=True)

        local = LocalChannel(HostSession(private), local_cleanup)
        return AppHost(local, filename, options.request_timeout_s, services=services, scratch=work, source=source)

    policy = sandbox.Policy(
        mode=options.sandbox,
        module_dir=str(module_dir),
        scratch=str(work),
        runtime=_runtime_paths(options.protected),
        tcp_ports=tuple(tcp_ports),
        env=tuple(sorted((env or {}).items())),
        weaken=sandbox_weakenings(),
    )
    from grader.judge.cputime import record_host_cpu
    from grader.sandbox import scratch as scratch_mount
    from grader.sandbox.process import Cgroup

    group, capped = None, False
    if options.sandbox != "off":
        group = Cgroup.create(
            f"grade-host-{os.getpid()}-{scratch.name}",
            "max" if "cgroup-memory" in policy.weaken else options.memory_bytes,
            "max" if "cgroup-pids" in policy.weaken else policy.processes,
        )
        if group is not None:
            policy = dataclasses.replace(policy, cgroup=tuple(map(str, group.folders)))
        follow = weakened("scratch-follow-links")
        capped = not weakened("scratch-tmpfs") and scratch_mount.mount(work, follow_links=follow)
        policy = dataclasses.replace(policy, scratch_capped=capped)

    def cleanup() -> None:
        services.close()
        if group is not None:
            for folder in group.folders:
                record_host_cpu(folder)  # the question's CPU limit counts its hosts, the gone ones included
            Cgroup.later(group)  # its last process may still be dying: removed a moment later, never waited on
        if capped:
            if scratch_mount.is_full(work):
                FULL_SCRATCH.append(filename)
            scratch_mount.unmount(work)
        shutil.rmtree(scratch, ignore_errors=True)

    from grader.judge.bridge import zygote

    # Hosts are forked from a zygote exec'd clean: never from this process, which holds hidden tests (a judge)
    # or a class's files, the grader's environment and an open gradebook (a batch's parent).
    try:
        if weakened("host-fork-from-judge"):  # the old design, kept only to show the kit's tests can fail
            channel = ProcessChannel(*_fork_host(policy, private, service_host), cleanup)
        else:
            parent = zygote.current()
            spawned = parent.spawn(policy, private, service_host)
            channel = ProcessChannel(
                spawned.channel,
                spawned.pid,
                cleanup,
                lambda wait: parent.exit_code(spawned.pid, wait),
                _cpu_meter(group),
                pidfd=spawned.pidfd,
            )
    except BaseException:
        cleanup()
        raise
    finally:
        service_host.close()  # the host has its own copy now
    hello = channel.hello(_START_TIMEOUT_S)
    if not hello.get("ok"):
        channel.close()
        raise BridgeError(str(hello.get("error", "the host refused to start")))
    channel.layers, channel.missing = list(hello.get("layers", [])), dict(hello.get("missing", {}))
    return AppHost(channel, filename, options.request_timeout_s, services=services, scratch=work, source=source)


def _fork_host(policy: sandbox.Policy, private: Path, service: socket.socket) -> tuple[socket.socket, int]:
    """Fork a host from this very process (``KIT_WEAKEN=host-fork-from-judge`` only): its channel and pid."""
    from grader.host.main import become_host

    judge_end, host_end = socket.socketpair()
    judge_pid = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the host
        become_host(host_end, service, policy, private, judge_pid, close=(judge_end,))
    host_end.close()
    return judge_end, pid


def _cpu_meter(group: object) -> Callable[[], float] | None:
    """The CPU seconds of a host's cgroup so far, where a hierarchy counts them (v2, v1's cpuacct), else None."""
    from grader.judge.cputime import cgroup_cpu_s, counts_cpu

    folders = [f for f in getattr(group, "folders", []) if counts_cpu(f)]
    if not folders:
        return None
    return lambda: cgroup_cpu_s(folders[0])
