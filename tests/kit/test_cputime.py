"""CPU-time accounting (``grader.judge.cputime``): what counts against a question's limit, read from the kernel.

A question's limit is the CPU seconds of its whole tree, so each source must add up exactly: a process's own time
and its reaped children's (``/proc/PID/stat``), a cgroup's ``usage_usec``, and the record of hosts already gone.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
from pathlib import Path

import pytest

from grader.judge import cputime
from grader.judge.cputime import (
    HOST_CPU_FILE_VARIABLE,
    WALL_FACTOR,
    cgroup_cpu_s,
    counts_cpu,
    process_cpu_s,
    record_host_cpu,
    spent_s,
    tree_cpu_s,
)

TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def burn(seconds: float) -> None:
    """Use about ``seconds`` of CPU time (user time: a busy loop)."""
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass


def gone_pid() -> int:
    """A pid no process has: one just reaped."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_the_documented_names() -> None:
    assert HOST_CPU_FILE_VARIABLE == "KIT_HOST_CPU_FILE"
    assert WALL_FACTOR == 5


def test_a_process_s_time_is_its_own_and_its_reaped_children_s() -> None:
    burn(0.2)
    before = os.times()
    own = process_cpu_s(os.getpid())
    after = os.times()
    assert sum(before[:4]) - 2 * TICK_S <= own <= sum(after[:4]) + 4 * TICK_S  # user, system, children's both
    burn(0.3)
    assert process_cpu_s(os.getpid()) - own >= 0.25


def test_the_time_of_reaped_children_counts_and_the_unreaped_do_not() -> None:
    pid = os.fork()
    if pid == 0:
        burn(0.4)
        os._exit(0)
    while True:  # until the child is a zombie, its time not yet the parent's
        with open(f"/proc/{pid}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        time.sleep(0.01)
    own = process_cpu_s(os.getpid())
    assert process_cpu_s(pid) >= 0.35, "a process that has ended but is not reaped still shows its time"
    os.waitpid(pid, 0)
    assert process_cpu_s(os.getpid()) - own >= 0.35, "once reaped, the child's time is the parent's"


def test_a_command_name_with_parentheses_and_spaces_is_read_right() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child names itself like a hostile module would, burns CPU, then waits
        os.close(read)
        ctypes.CDLL(None).prctl(15, b"x) 1 2 (3) 4 5", 0, 0, 0)
        burn(0.3)
        os.write(write, b"!")
        time.sleep(60)
        os._exit(0)
    os.close(write)
    try:
        assert os.read(read, 1) == b"!"
        assert Path(f"/proc/{pid}/comm").read_text().strip() == "x) 1 2 (3) 4 5"
        assert 0.25 <= process_cpu_s(pid) <= 30
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)


def test_a_process_that_cannot_be_read_counts_nothing_or_the_clock() -> None:
    pid = gone_pid()
    assert process_cpu_s(pid) == 0.0
    assert spent_s(pid, 12.5) == 12.5, "where /proc cannot tell, the clock counts"
    burn(0.05)
    before = process_cpu_s(os.getpid())
    spent = spent_s(os.getpid(), 1e6)
    assert before >= 0.05 and before <= spent <= process_cpu_s(os.getpid()) < 1e6, "where it can, CPU time counts"


@pytest.mark.parametrize("stat", ["", "1 (x)", "1 (x) S 1 2 3 4 5 6 7 8 9 a b c d e", "garbage"])
def test_a_stat_line_that_is_not_one_counts_nothing(stat: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "stat").write_text(stat)
    real = cputime.Path
    monkeypatch.setattr(cputime, "Path", lambda text: tmp_path / "stat" if text == "/proc/7/stat" else real(text))
    assert process_cpu_s(7) == 0.0
    assert spent_s(7, 3.0) == 3.0


def test_a_stat_line_is_read_by_its_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = os.sysconf("SC_CLK_TCK")
    fields = ["S", *map(str, range(1, 11)), str(ticks), str(2 * ticks), str(4 * ticks), str(8 * ticks), "99", "98"]
    (tmp_path / "stat").write_text(f"7 (a) b) {' '.join(fields)}\n")
    real = cputime.Path
    monkeypatch.setattr(cputime, "Path", lambda text: tmp_path / "stat" if text == "/proc/7/stat" else real(text))
    assert process_cpu_s(7) == 15.0  # utime 1 + stime 2 + cutime 4 + cstime 8 seconds
    assert spent_s(7, 100.0) == 15.0


def test_a_cgroup_s_usage_is_its_usage_usec(tmp_path: Path) -> None:
    (tmp_path / "cpu.stat").write_text("user_usec 9000000\nusage_usec 2500000\nsystem_usec 7000000\n")
    assert cgroup_cpu_s(tmp_path) == 2.5
    (tmp_path / "cpu.stat").write_text("usage_usec_total 1\nusage_usec 1\n")
    assert cgroup_cpu_s(tmp_path) == 1e-6


def test_a_v1_cgroup_s_usage_is_its_cpuacct_nanoseconds(tmp_path: Path) -> None:
    (tmp_path / "cpuacct.usage").write_text("2500000000\n")
    assert cgroup_cpu_s(tmp_path) == 2.5
    (tmp_path / "cpu.stat").write_text("usage_usec 9000000\n")  # both: the v1 count is the one read first
    assert cgroup_cpu_s(tmp_path) == 2.5
    (tmp_path / "cpuacct.usage").write_text("not a number\n")
    assert cgroup_cpu_s(tmp_path) == 9.0


@pytest.mark.parametrize(
    ("files", "counts"),
    [((), False), (("cpu.stat",), True), (("cpuacct.usage",), True), (("cpu.stat", "cpuacct.usage"), True)],
)
def test_a_cgroup_counts_cpu_where_v2_or_v1_s_cpuacct_keeps_it(
    tmp_path: Path, files: tuple[str, ...], counts: bool
) -> None:
    for name in files:
        (tmp_path / name).write_text("0\n")
    (tmp_path / "memory.max").write_text("max\n")  # a v1 memory or pids folder counts nothing
    assert counts_cpu(tmp_path) is counts


@pytest.mark.parametrize("content", [None, "", "user_usec 5\n", "usage_usec many\n", "usage_usec\n"])
def test_a_cgroup_that_cannot_be_read_counts_nothing(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / "cpu.stat").write_text(content)
    assert cgroup_cpu_s(tmp_path) == 0.0


def test_hosts_gone_are_recorded_only_where_the_judge_keeps_a_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = tmp_path / "group"
    group.mkdir()
    (group / "cpu.stat").write_text("usage_usec 1250000\n")
    record = tmp_path / "record"
    monkeypatch.delenv(HOST_CPU_FILE_VARIABLE, raising=False)
    record_host_cpu(group)
    monkeypatch.setenv(HOST_CPU_FILE_VARIABLE, "")
    record_host_cpu(group)
    assert not record.exists()
    monkeypatch.setenv(HOST_CPU_FILE_VARIABLE, str(record))
    record_host_cpu(group)
    (group / "cpu.stat").write_text("usage_usec 500000\n")
    record_host_cpu(group)
    assert record.read_text(encoding="ascii") == "1.250000\n0.500000\n"
    monkeypatch.setenv(HOST_CPU_FILE_VARIABLE, str(tmp_path))  # a folder: cannot be written, and no error
    record_host_cpu(group)


def test_a_question_s_tree_adds_its_judge_the_hosts_gone_and_the_hosts_running(tmp_path: Path) -> None:
    record = tmp_path / "record"
    record.write_text("1.5\nnot a number\n0.25\n\n2\n", encoding="ascii")
    groups = []
    for n, usage in enumerate((1_000_000, 3_000_000)):
        groups.append(tmp_path / f"g{n}")
        groups[-1].mkdir()
        (groups[-1] / "cpu.stat").write_text(f"usage_usec {usage}\n")
    pid = gone_pid()
    assert tree_cpu_s(pid, record, groups) == 1.5 + 0.25 + 2 + 1 + 3
    assert tree_cpu_s(pid, record, []) == 3.75
    assert tree_cpu_s(pid, tmp_path / "no record", groups[:1]) == 1.0
    record.write_bytes(b"1.0\n\xff\xfe\n0.5\n")  # a torn or damaged line costs only itself
    assert tree_cpu_s(pid, record, []) == 1.5
    burn(0.05)
    judge = process_cpu_s(os.getpid())
    assert judge <= tree_cpu_s(os.getpid(), record, []) - 1.5 <= judge + 1
