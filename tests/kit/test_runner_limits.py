"""The runner's deadlines and kills (``grader.judge.runner``): when a judge is cut, and that nothing of its group
outlives
it whether it was cut or ended by itself.

The deadline is decided from two measurements, the tree's CPU seconds and the clock; ``tree_cpu_s`` is replaced by
a value the test chooses and the judge by a stand-in that records being killed, so each side of each limit is
tried exactly. The kills are tried on real judges: a hidden test of the test's own starts a child process and a
grandchild (in the judge's process group, as a helper server a test fixture starts would be) and then hangs or
passes; neither may survive the question.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest

from grader.judge import runner
from grader.judge.child import ChildJob
from grader.judge.cputime import WALL_FACTOR
from grader.judge.runner import GradingJob, _check, _Running, run_jobs
from grader.kit.catalogue import find_question

LIMIT_S = 2.0


class StandIn:
    """A judge process that is running (``code`` None) or has exited with ``code``; counts its kills."""

    def __init__(self, code: int | None = None) -> None:
        self.pid = 2**22 + 7  # no process: the cgroups named after it are none
        self.code = code
        self.kills = 0

    def poll(self) -> int | None:
        return self.code

    def kill(self) -> None:
        self.kills += 1


def running(tmp_path: Path, process: StandIn, elapsed_s: float) -> _Running:
    scratch = tmp_path / "scratch"
    (scratch / "cwd").mkdir(parents=True)
    question = find_question("1")
    job = GradingJob("student", question, tmp_path)
    child = ChildJob(
        question_id=question.id,
        test_file=str(tmp_path / "test.py"),
        target_dir=str(tmp_path),
        module_file=str(tmp_path / question.filename),
        kit_root=str(tmp_path),
        journal=str(scratch / "journal.jsonl"),
        workdir=str(scratch / "cwd"),
        token="t",
    )
    return _Running(job, child, process, time.monotonic() - elapsed_s, scratch)  # type: ignore[arg-type]


@pytest.fixture
def cpu(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The question's CPU seconds, as the test sets them (``cpu[0]``)."""
    spent = [0.0]
    monkeypatch.setattr(runner, "tree_cpu_s", lambda *_args: spent[0])
    return spent


@pytest.mark.parametrize(("cpu_s", "elapsed_s"), [(0.0, 0.0), (LIMIT_S - 0.01, 1.0), (0.5, LIMIT_S * WALL_FACTOR - 1)])
def test_a_judge_within_both_limits_goes_on(tmp_path: Path, cpu: list[float], cpu_s: float, elapsed_s: float) -> None:
    """Under its CPU limit, and under the wall-clock ceiling even long past the limit by the clock (it sleeps)."""
    cpu[0] = cpu_s
    judge = StandIn()
    item = running(tmp_path, judge, elapsed_s)
    assert _check(item, LIMIT_S) is None
    assert judge.kills == 0 and item.scratch.exists()


@pytest.mark.parametrize("cpu_s", [LIMIT_S, LIMIT_S + 5])
def test_a_judge_that_spent_its_cpu_seconds_is_cut_and_killed(tmp_path: Path, cpu: list[float], cpu_s: float) -> None:
    cpu[0] = cpu_s
    judge = StandIn()
    item = running(tmp_path, judge, 1.0)
    run = _check(item, LIMIT_S)
    assert run is not None and run.outcome == "timeout"
    assert run.message == "did not finish within the 2 s CPU limit"
    assert judge.kills == 1 and not item.scratch.exists()


def test_a_judge_that_sleeps_is_cut_at_the_wall_clock_ceiling(tmp_path: Path, cpu: list[float]) -> None:
    cpu[0] = 0.1
    judge = StandIn()
    item = running(tmp_path, judge, LIMIT_S * WALL_FACTOR + 0.01)
    run = _check(item, LIMIT_S)
    assert run is not None and run.outcome == "timeout"
    assert run.message == "did not finish within the 10 s wall-clock limit"
    assert judge.kills == 1 and not item.scratch.exists()


def test_a_judge_that_ended_is_still_killed_with_its_group(tmp_path: Path, cpu: list[float]) -> None:
    judge = StandIn(code=0)
    item = running(tmp_path, judge, 0.5)
    run = _check(item, LIMIT_S)
    assert run is not None and run.outcome == "crashed"
    assert run.message == "the test process ended early with exit code 0"
    assert judge.kills == 1, "the group of a judge that exited may still hold processes"
    assert not item.scratch.exists()


# -- real judges ---------------------------------------------------------------------------------------------------
HIDDEN_TEST = """
import subprocess, sys, time

_CHILD = (
    "import subprocess, sys, time\\n"
    "grandchild = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\\n"
    "with open(sys.argv[1], 'a') as pids:\\n"
    "    pids.write(f'{{grandchild.pid}}\\\\n')\\n"
    "time.sleep(600)\\n"
)


def test_starts_a_child_and_a_grandchild():
    child = subprocess.Popen([sys.executable, "-c", _CHILD, {pids!r}])
    with open({pids!r}, "a") as pids:
        pids.write(f"{{child.pid}}\\n")
    while len(open({pids!r}).read().split()) < 2:
        time.sleep(0.02)
    {then}
"""


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def grade_one(tmp_path: Path, then: str, timeout_s: float) -> tuple[object, list[int]]:
    """Grade q01 with a hidden test of ours that starts two processes and then does ``then``; the run, their pids."""
    tests, target, pids = tmp_path / "tests", tmp_path / "target", tmp_path / "pids"
    tests.mkdir()
    target.mkdir()
    question = find_question("1")
    (tests / question.test_filename).write_text(HIDDEN_TEST.format(pids=str(pids), then=then))
    (target / question.filename).write_text("app = None\n")
    [(_job, run)] = run_jobs([GradingJob("student", question, target)], timeout_s=timeout_s, tests_dir=tests)
    found = [int(pid) for pid in pids.read_text().split()] if pids.exists() else []
    return run, found


def gone(pids: list[int], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    survivors = [pid for pid in pids if alive(pid)]
    for pid in survivors:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return not survivors


def test_a_judge_cut_at_its_limit_takes_its_whole_group(tmp_path: Path) -> None:
    # It spins once its child and grandchild run, so it is cut by CPU time; 4 s of it (20 s by the clock) leave
    # a loaded machine time to start both Pythons first (at 1 s, a CI run cut it at the clock's 5 s before).
    run, pids = grade_one(tmp_path, "while True: pass", timeout_s=4.0)
    assert len(pids) == 2, "the hidden test started its child and grandchild"
    assert run.outcome == "timeout" and "stuck in test_starts_a_child_and_a_grandchild" in run.message  # type: ignore[attr-defined]
    assert gone(pids), "a process of the judge's group outlived its time limit"


def test_a_judge_that_ends_by_itself_takes_its_whole_group(tmp_path: Path) -> None:
    run, pids = grade_one(tmp_path, "pass", timeout_s=60.0)
    assert len(pids) == 2
    assert run.outcome == "completed" and [t.outcome for t in run.tests] == ["passed"]  # type: ignore[attr-defined]
    assert gone(pids), "a process a judge started outlived it"


def test_an_interrupted_run_leaves_no_judge_or_process_of_one_running(tmp_path: Path) -> None:
    """Ctrl-C while a question is still being graded (here: raised as the first result is recorded): the running
    judge is killed with its whole group before the interrupt goes on."""
    tests, target, pids = tmp_path / "tests", tmp_path / "target", tmp_path / "pids"
    tests.mkdir()
    target.mkdir()
    first, second = find_question("1"), find_question("2")
    (tests / second.test_filename).write_text(HIDDEN_TEST.format(pids=str(pids), then="time.sleep(600)"))
    waits_for_the_other = f"""
import time


def test_passes_once_the_other_question_runs():
    while len(open({str(pids)!r}).read().split()) < 2 if __import__("os").path.exists({str(pids)!r}) else True:
        time.sleep(0.02)
"""
    (tests / first.test_filename).write_text(waits_for_the_other)
    for question in (first, second):
        (target / question.filename).write_text("app = None\n")

    def interrupt(_job: GradingJob, _run: object) -> None:
        raise KeyboardInterrupt

    jobs = [GradingJob("student", q, target) for q in (first, second)]
    with pytest.raises(KeyboardInterrupt):
        run_jobs(jobs, timeout_s=60.0, workers=2, tests_dir=tests, on_result=interrupt)
    found = [int(pid) for pid in pids.read_text().split()]
    assert len(found) == 2
    assert gone(found), "a process of the interrupted question's judge is still running"
