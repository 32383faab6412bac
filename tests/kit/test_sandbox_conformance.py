"""One probe per promise of the sandbox and the protocol, each shown to fail when its layer is weakened.

Each probe is a module imported by a real app host (forked from the zygote, every layer on) that attempts exactly
one forbidden act at import and records what happened in ``RESULT``; the test asserts the specific denial (the
errno, the exception, the signal). The same probe is then run with ``KIT_WEAKEN`` switching off exactly the part
that should stop it (``grader/weaken.py``), and must then report the act as allowed: a probe that passes with
its layer off is not testing that layer. Probes whose act is the host's reply itself (frames) or what outlives
it are asserted from the judge's side.

``RESULT`` is read back from the host: these probes test the sandbox, not a candidate, so the host's own report
is what is under test. Where CI sets ``KIT_REQUIRE_SANDBOX=1`` the probes run with ``--sandbox require``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.judge.bridge import AppHost, BridgeError, CandidateError, HostOptions, launch
from grader.kit import kit_root

FRAME_LIMIT = 64 * 1024**2  # the protocol's documented limits (README, grader/protocol.py)
FRAME_VALUES = 250_000

PRELUDE = '''
import ctypes, errno, os, resource, socket, struct, sys, time

def attempt(act):
    """What one forbidden act gave: allowed, or the errno / exception that refused it."""
    try:
        act()
    except OSError as exc:
        return {"allowed": False, "errno": exc.errno}
    except Exception as exc:
        return {"allowed": False, "error": type(exc).__name__}
    return {"allowed": True}

'''


@pytest.fixture
def run_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppHost]]:
    """``run_probe(body, weaken="", **launch)``: a host that imported PRELUDE + body, with ``KIT_WEAKEN=weaken``."""
    hosts: list[AppHost] = []

    def run(
        body: str,
        weaken: str = "",
        env: dict[str, str] | None = None,
        tcp_ports: tuple[int, ...] = (),
        load: bool = True,
        **options: Any,
    ) -> AppHost:
        module = tmp_path / f"probe_{uuid.uuid4().hex[:8]}.py"
        module.write_text(PRELUDE + body)
        monkeypatch.setenv("KIT_WEAKEN", weaken)
        mode = "require" if os.environ.get("KIT_REQUIRE_SANDBOX") == "1" and not weaken else "auto"
        host_options = HostOptions(sandbox=mode, protected=(kit_root(), tmp_path, Path.home()), **options)
        host = launch(module, host_options, env=env, tcp_ports=tcp_ports)
        hosts.append(host)
        if load:
            host.load()
        return host  # KIT_WEAKEN stays set until the test ends: the judge's own limits read it on every reply

    yield run
    for host in hosts:
        host.close()


def denied(result: dict[str, Any], code: int | None = None, error: str | None = None) -> None:
    assert result["allowed"] is False, f"the act was allowed: {result}"
    if code is not None:
        assert result.get("errno") == code, f"expected {errno.errorcode[code]}, got {result}"
    if error is not None:
        assert result.get("error") == error, f"expected {error}, got {result}"


ONE_ACT: dict[str, tuple[str, str, Callable[[dict[str, Any]], None]]] = {
    # name: (the part that stops it, the act, the denial expected)
    "write a folder meant read-only": (
        "landlock-write-readonly",
        'RESULT = attempt(lambda: open(os.path.join(os.path.dirname(__file__), "planted.py"), "w").close())',
        lambda r: denied(r, errno.EACCES),
    ),
    "truncate a file it may read": (
        "landlock-truncate",
        "RESULT = attempt(lambda: os.truncate(__file__, 0))",
        lambda r: denied(r, errno.EACCES),
    ),
    "open a TCP socket though no port was named": (
        "seccomp-tcp",
        "RESULT = attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close())",
        lambda r: denied(r, errno.EPERM),
    ),
    "open a UDP socket": (
        "seccomp-off",
        "RESULT = attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close())",
        lambda r: denied(r, errno.EPERM),
    ),
    "open a Unix socket": (
        "seccomp-off",
        "RESULT = attempt(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close())",
        lambda r: denied(r, errno.EPERM),
    ),
    "open a netlink socket": (
        "seccomp-off",
        "RESULT = attempt(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0).close())",
        lambda r: denied(r, errno.EPERM),
    ),
    "raise a hard rlimit back": (
        "rlimits-soft-only",
        "RESULT = attempt(lambda: resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY,) * 2))",
        lambda r: denied(r, error="ValueError"),
    ),
    "keep an effective capability": (
        "caps-bounding-only",
        """
header = (ctypes.c_uint32 * 2)(0x20080522, 0)
data = (ctypes.c_uint32 * 6)()
ctypes.CDLL(None).syscall(125 if os.uname().machine == "x86_64" else 90, header, data)
RESULT = {"allowed": any(data[i] for i in (0, 1, 3, 4)), "sets": list(data)}  # effective, permitted
""",
        lambda r: denied(r),
    ),
    "read the environment it inherited": (
        "env-keep",
        """
KEPT = {"PATH", "HOME", "TMPDIR", "LANG", "PYTHONDONTWRITEBYTECODE"}
RESULT = {"allowed": set(os.environ) != KEPT or os.environ["HOME"] != os.getcwd(), "env": sorted(os.environ)}
""",
        lambda r: denied(r),
    ),
    "find a descriptor it was not given": (
        "fds-keep",
        """
def _open(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False
_extra = [fd for fd in range(3, 4096) if _open(fd)]
RESULT = {"allowed": len(_extra) > 2, "fds": _extra}  # its channel to the judge and its link to the services
""",
        lambda r: denied(r),
    ),
    "start more processes than its tree may have": (
        "cgroup-pids",
        """
_started = 0
try:
    for _ in range(80):
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        _started += 1
    RESULT = {"allowed": True, "started": _started}
except OSError as _exc:
    RESULT = {"allowed": False, "errno": _exc.errno, "started": _started}
""",
        lambda r: denied(r, errno.EAGAIN),
    ),
    "use more memory in all than its tree may": (
        "cgroup-memory",
        """
_children = []
for _ in range(2):
    _pid = os.fork()
    if _pid == 0:
        _block = bytearray(200 * 1024 * 1024)
        for _i in range(0, len(_block), 4096):
            _block[_i] = 1
        os._exit(0)
    _children.append(_pid)
_ends = [os.waitstatus_to_exitcode(os.waitpid(_pid, 0)[1]) for _pid in _children]
RESULT = {"allowed": _ends == [0, 0], "ends": _ends}
""",
        lambda r: denied(r) if -9 in r["ends"] else pytest.fail(f"no child was killed for memory: {r}"),
    ),
}


@pytest.mark.parametrize("weakened", [False, True], ids=["every layer", "its layer weakened"])
@pytest.mark.parametrize("act", sorted(ONE_ACT))
def test_one_forbidden_act(run_probe: Callable[..., AppHost], act: str, weakened: bool) -> None:
    part, body, expect = ONE_ACT[act]
    if weakened and part == "caps-bounding-only" and os.geteuid() != 0:
        pytest.skip("a host not run as root has no capability to keep")
    options = {"memory_bytes": 320 * 1024**2} if part == "cgroup-memory" else {}
    result = run_probe(body, part if weakened else "", **options).fact("RESULT")
    if weakened:
        assert result["allowed"] is True, f"with {part} off the act should go through: {result}"
    else:
        expect(result)


def _listener() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    return server


@pytest.mark.parametrize("weakened", [False, True], ids=["every layer", "its layer weakened"])
def test_connect_to_a_port_no_test_named(run_probe: Callable[..., AppHost], weakened: bool) -> None:
    named, unnamed = _listener(), _listener()
    try:
        body = f"RESULT = attempt(lambda: socket.create_connection(('127.0.0.1', {unnamed.getsockname()[1]}), 2))"
        result = run_probe(body, "landlock-tcp" if weakened else "", tcp_ports=(named.getsockname()[1],)).fact("RESULT")
    finally:
        named.close()
        unnamed.close()
    if weakened:
        assert result["allowed"] is True, result
    else:
        denied(result, errno.EACCES)


def test_reach_the_port_a_test_named(run_probe: Callable[..., AppHost]) -> None:
    """The other side of the probe above: the named port is reached, so that its denial is the port rule's, not that
    of a host that can reach nothing (q30's redis-server is reached this way)."""
    named = _listener()
    try:
        port = named.getsockname()[1]
        body = f"RESULT = attempt(lambda: socket.create_connection(('127.0.0.1', {port}), 2).close())"
        result = run_probe(body, tcp_ports=(port,)).fact("RESULT")
    finally:
        named.close()
    assert result == {"allowed": True}


@pytest.mark.parametrize("weakened", [False, True], ids=["every layer", "its layer weakened"])
def test_open_other_sockets_though_a_port_was_named(run_probe: Callable[..., AppHost], weakened: bool) -> None:
    """A named port lets TCP stream sockets through seccomp (IPv4 and IPv6) and nothing else: no UDP, no Unix socket."""
    body = """
RESULT = {
    "udp": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()),
    "udp6": attempt(lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()),
    "unix": attempt(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()),
    "tcp": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()),
    "tcp6": attempt(lambda: socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close()),
}
"""
    result = run_probe(body, "seccomp-off" if weakened else "", tcp_ports=(9,)).fact("RESULT")
    assert result["tcp"] == result["tcp6"] == {"allowed": True}, result
    for act in ("udp", "udp6", "unix"):
        if weakened:
            assert result[act]["allowed"] is True, result
        else:
            denied(result[act], errno.EPERM)


def test_the_rlimits_are_the_documented_ones(run_probe: Callable[..., AppHost]) -> None:
    """Each per-process ceiling, soft and hard alike (so the host cannot raise it back): memory 2 GiB, files of
    256 MiB, 120 s of CPU, 256 open files, no core dumps, 64 processes."""
    body = """
RESULT = {
    name: list(resource.getrlimit(getattr(resource, name)))
    for name in ("RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_CPU", "RLIMIT_NOFILE", "RLIMIT_CORE", "RLIMIT_NPROC")
}
"""
    assert run_probe(body).fact("RESULT") == {
        "RLIMIT_AS": [2 * 1024**3] * 2,
        "RLIMIT_FSIZE": [256 * 1024**2] * 2,
        "RLIMIT_CPU": [120] * 2,
        "RLIMIT_NOFILE": [256] * 2,
        "RLIMIT_CORE": [0, 0],
        "RLIMIT_NPROC": [64] * 2,
    }


def test_sandbox_require_refuses_a_host_missing_a_layer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--sandbox require`` never lets a host start without a layer (here seccomp, switched off); ``auto`` starts it
    and says which layer is missing."""
    module = tmp_path / "probe_require.py"
    module.write_text("RESULT = 1\n")
    monkeypatch.setenv("KIT_WEAKEN", "seccomp-off")
    options = HostOptions(sandbox="require", protected=(kit_root(), tmp_path, Path.home()))
    with pytest.raises(BridgeError, match=r"^--sandbox require: .*seccomp: switched off \(KIT_WEAKEN\)"):
        launch(module, options)
    host = launch(module, HostOptions(sandbox="auto", protected=options.protected))
    try:
        assert "seccomp" not in host.layers and "seccomp" in host.missing_layers
    finally:
        host.close()


def test_a_judges_hosts_end_with_the_judge(tmp_path: Path) -> None:
    """A judge killed at its time limit closes its socket to the zygote, which kills the judge's hosts: even one stuck
    in the candidate's code, which never reads its channel again and so never sees the judge go."""
    from grader import sandbox
    from grader.judge.bridge.zygote import ZygoteClient, ZygoteServer
    from grader.protocol import receive, send

    module_dir, scratch = tmp_path / "module", tmp_path / "work"
    module_dir.mkdir()
    scratch.mkdir()
    module = module_dir / "probe_stuck.py"
    module.write_text("while True:\n    pass\n")
    policy = sandbox.Policy(
        mode="auto",
        module_dir=str(module_dir),
        scratch=str(scratch),
        runtime=sandbox.runtime_paths([kit_root(), tmp_path, Path.home()]),
    )
    server = ZygoteServer()
    try:
        judge = server.attach()
        services, host_services = socket.socketpair()
        channel, pid, pidfd = ZygoteClient(judge).spawn(policy, module, host_services)
        host_services.close()
        if pidfd is not None:
            os.close(pidfd)
        assert receive(channel, time.monotonic() + 60)["ok"] is True
        send(channel, {"op": "load"})  # the host is now in the module's endless import
        time.sleep(0.5)
        assert Path(f"/proc/{pid}").exists()
        for sock in (judge, channel, services):  # the judge is gone, and everything it held with it
            sock.close()
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists(), "the host of a judge that is gone still runs"
    finally:
        server.stop()


@pytest.mark.parametrize("weakened", [False, True], ids=["every layer", "its layer weakened"])
def test_read_a_file_outside_and_another_hosts_scratch(
    run_probe: Callable[..., AppHost], tmp_path: Path, weakened: bool
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours")
    first = run_probe('open("mine.txt", "w").write("first host\'s")\nRESULT = {}')
    assert first.scratch is not None
    theirs = first.scratch / "mine.txt"
    assert theirs.read_text() == "first host's", "the judge reads what a host wrote"
    body = (
        "RESULT = {path: attempt(lambda path=path: open(path).read()) for path in "
        f"({str(outside)!r}, {str(theirs)!r})}}"
    )
    result = run_probe(body, "landlock-read-anywhere" if weakened else "").fact("RESULT")
    for path in (str(outside), str(theirs)):
        if weakened:
            assert result[path]["allowed"] is True, result
        else:
            denied(result[path], errno.EACCES)


@pytest.mark.parametrize("weakened", [False, True], ids=["every layer", "its layer weakened"])
def test_write_more_in_all_than_the_scratch_ceiling(run_probe: Callable[..., AppHost], weakened: bool) -> None:
    body = """
def _fill():
    for n in range(2):
        with open(f"part-{n}.bin", "wb") as handle:
            for _ in range(150):
                handle.write(b"\\x5a" * 1024 * 1024)
RESULT = attempt(_fill)
"""
    result = run_probe(body, "scratch-tmpfs" if weakened else "").fact("RESULT")
    if weakened:
        assert result["allowed"] is True, result
    else:
        denied(result, errno.ENOSPC)


@pytest.mark.parametrize("weakened", [False, True], ids=["every layer", "its layer weakened"])
def test_outlive_the_host(
    run_probe: Callable[..., AppHost], processes_named: Callable[[str], list[int]], weakened: bool
) -> None:
    """A double-forked setsid daemon, then the host hangs: cut at its deadline, it takes the daemon with it."""
    name = "probe" + uuid.uuid4().hex[:10]
    body = f"""
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, {name!r}.encode(), 0, 0, 0)
        time.sleep(120)
    os._exit(0)
time.sleep(600)
"""
    host = run_probe(body, "pidns-no-pdeathsig" if weakened else "", load=False, request_timeout_s=2.0)
    with pytest.raises(CandidateError):
        host.load()
    host.close()
    deadline = time.monotonic() + 5
    while processes_named(name) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = processes_named(name)
    for pid in survivors:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert bool(survivors) is weakened, survivors


@pytest.mark.parametrize("weakened", [False, True], ids=["every layer", "its layer weakened"])
def test_send_a_frame_over_the_size_limit(run_probe: Callable[..., AppHost], frame_writer: str, weakened: bool) -> None:
    """One byte over the protocol's documented 64 MiB (a literal here, so a changed limit fails this test)."""
    body = (
        frame_writer
        + f"""
_head = b'{{"ok": true, "result": {{"loaded": true}}, "pad": "'
_frame = _head + b"x" * ({FRAME_LIMIT} + 1 - len(_head) - 2) + b'"}}'

def _write(fd):
    try:
        os.write(fd, struct.pack(">I", len(_frame)))
        view = memoryview(_frame)
        while view:
            view = view[os.write(fd, view[: 1 << 20]):]
    except OSError:
        pass

_send_everywhere(_write)
"""
    )
    host = run_probe(body, "frame-bytes" if weakened else "", load=False)
    if weakened:
        host.load()  # the forged reply, one byte over the limit, was taken
    else:
        with pytest.raises((CandidateError, BridgeError)):
            host.load()


@pytest.mark.parametrize("weakened", [False, True], ids=["every layer", "its layer weakened"])
def test_trickle_a_frame(run_probe: Callable[..., AppHost], frame_writer: str, weakened: bool) -> None:
    body = (
        frame_writer
        + """
def _write(fd):
    reply = b'{"ok": true, "result": {}}'
    try:
        os.write(fd, struct.pack(">I", len(reply)))
        for byte in reply:
            os.write(fd, bytes([byte]))
            time.sleep(0.25)
    except OSError:
        pass

_send_everywhere(_write)
"""
    )
    host = run_probe(body, "frame-deadline" if weakened else "", load=False, request_timeout_s=2.0)
    if weakened:
        host.load()  # every read came within 2 s, so the 6 s frame was taken
    else:
        with pytest.raises(CandidateError):
            host.load()  # the whole frame had to arrive within the 2 s deadline


def test_a_frame_of_too_many_values_is_refused_unparsed() -> None:
    """The value count is checked before parsing: one past the documented limit is refused, at the limit taken."""
    from grader.protocol import ChannelClosed, receive

    def frame(values: int) -> bytes:
        body = b'{"ok": true, "result": [' + b",".join([b"0"] * values) + b"]}"
        return struct.pack(">I", len(body)) + body

    for values, refused in ((FRAME_VALUES - 2, False), (FRAME_VALUES, True)):  # braces and brackets count too
        judge, host = socket.socketpair()
        with judge, host:
            sender = threading.Thread(target=host.sendall, args=(frame(values),))
            sender.start()
            if refused:
                with pytest.raises(ChannelClosed):
                    receive(judge, time.monotonic() + 10)
            else:
                assert len(receive(judge, time.monotonic() + 10)["result"]) == values
            sender.join()
