"""Verdicts that load cannot bend: limits are CPU time, so a busy machine slows answers without failing them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.judge.cputime import cgroup_cpu_s, process_cpu_s, spent_s, tree_cpu_s
from grader.kit import solutions_dir

BURNER = "while True:\n    pass\n"


def test_a_process_cpu_time_grows_with_work_and_not_with_sleep() -> None:
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass\ntime.sleep(30)",
        ]
    )
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(0.2)
        deadline = time.monotonic() + 30
        while process_cpu_s(worker.pid) < 0.6 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process_cpu_s(worker.pid) >= 0.6
        assert process_cpu_s(sleeper.pid) < 0.5, "sleeping costs no CPU time"
        assert spent_s(sleeper.pid, 99.0) < 0.5
        assert spent_s(2**22 + 7, 12.5) == 12.5, "no /proc entry: the clock counts"
    finally:
        worker.kill()
        sleeper.kill()
        worker.wait()
        sleeper.wait()


def test_a_question_tree_adds_its_judge_its_gone_hosts_and_its_live_hosts(tmp_path: Path) -> None:
    record = tmp_path / "host-cpu-seconds"
    record.write_text("1.25\n0.5\nnot a number\n")
    group = tmp_path / "group"
    group.mkdir()
    (group / "cpu.stat").write_text("usage_usec 2250000\nuser_usec 2000000\n")
    assert cgroup_cpu_s(group) == 2.25
    assert cgroup_cpu_s(tmp_path / "none") == 0.0
    judge = process_cpu_s(os.getpid())
    total = tree_cpu_s(os.getpid(), record, [group])
    assert judge + 1.75 + 2.25 <= total <= process_cpu_s(os.getpid()) + 1.75 + 2.25


@pytest.mark.slow
def test_the_solutions_pass_while_other_work_keeps_every_core_busy() -> None:
    """Three busy loops per core for the whole run: every solution still passes, though each takes longer."""
    burners = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(3 * (os.cpu_count() or 1))]
    try:
        chosen = ("2", "11", "20", "21")
        args = [arg for q in chosen for arg in ("-q", q)]
        completed = subprocess.run(
            [sys.executable, "-m", "grader", str(solutions_dir()), *args, "--json", "--timeout", "20"],
            capture_output=True,
            text=True,
            timeout=900,
            stdin=subprocess.DEVNULL,
        )
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert completed.returncode == 0, completed.stderr
    (submission,) = json.loads(completed.stdout)["submissions"]
    statuses = {q["id"]: q["status"] for q in submission["questions"]}
    assert set(statuses.values()) == {"passed"}, statuses
