"""Attaching judges to the host zygote (``grader.judge.bridge.zygote``) when the zygote is slow, dead or broken.

The promise: the grader always finishes and reports. A zygote that is slow to start (a loaded machine starves it
of CPU) still serves its first judge; one that dies is started again once and the next questions grade; one that
cannot start makes each question an ``error`` that says why, and the report is still printed. A question whose
hosts vanished under it is an ``error``, never a ``failed`` (its tests failed for want of hosts, not of a correct
answer).

The zygote is made slow, broken or dead through its boot line (``_BOOT``, what its fresh interpreter runs) and
``SIGKILL``; every wait is on an event (a file, a process's end), with generous bounds, never on the clock's speed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.book.scoring import score_question
from grader.judge.bridge import BridgeError
from grader.judge.bridge import zygote as zygote_module
from grader.judge.bridge.zygote import ZygoteClient, ZygoteServer
from grader.judge.runner import GradingJob, run_jobs
from grader.kit import solutions_dir
from grader.kit.catalogue import find_question

EVENT_TIMEOUT_S = 300.0  # how long a test waits for an event that should come at once: only a bound, never a rule
NO_SUCH_PID = 2**22 + 7


def wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"waited {EVENT_TIMEOUT_S:g} s for {what}"
        time.sleep(0.02)


def dead(pid: int) -> bool:
    """Whether ``pid`` has ended (a zombie counts: it is only not reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def kill_and_wait(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: dead(pid), f"the zygote {pid} to die")


def zygotes_of_this_process() -> list[int]:
    """The pids of the zygotes this process started (whatever object holds them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and fields[0] not in ("Z", "X") and b"grader.host.zygote" in cmdline:
            found.append(int(entry.name))
    return found


def boot_line(prefix: str) -> str:
    """The zygote's boot line, with ``prefix`` run first (lines of Python, in the zygote's fresh interpreter)."""
    return prefix + "\n" + zygote_module._BOOT


def answers(sock: socket.socket) -> bool:
    """Whether the zygote serves the judge's socket ``sock`` (a status question, which needs no host)."""
    client = ZygoteClient(sock)
    try:
        return client.exit_code(NO_SUCH_PID, wait=False) is None
    finally:
        sock.close()


# --- the server, alone -------------------------------------------------------------------------------------------


def test_a_zygote_slow_to_become_ready_still_serves_the_first_judge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zygote held back before it imports anything (as a loaded machine starves it of CPU) uses no CPU while it
    waits: its start is bounded by its CPU time, so the first attach waits for it, however long the clock runs.

    The bound is shrunk to 3 s here (what the zygote needs is about one CPU second), and so is the old design's
    fixed wall-clock limit, which this test shows failing: the zygote is held for longer than that by the clock.
    """
    gate = tmp_path / "go"
    monkeypatch.setattr(zygote_module, "_START_CPU_S", 3.0, raising=False)
    monkeypatch.setattr(zygote_module, "_START_TIMEOUT_S", 3.0, raising=False)  # the old design's wall-clock limit
    monkeypatch.setattr(
        zygote_module,
        "_BOOT",
        boot_line(f"import os, time\nwhile not os.path.exists({str(gate)!r}):\n    time.sleep(0.05)"),
    )
    server = ZygoteServer()
    held_since = time.monotonic()
    outcome: list[object] = []
    attaching = threading.Thread(target=lambda: outcome.append(_attach_or_error(server)), daemon=True)
    try:
        attaching.start()
        # Held back for twice the bound by the clock, then let go: the attach must still be waiting, then served.
        while time.monotonic() - held_since < 6.0 and not outcome:
            time.sleep(0.05)
        gate.touch()
        attaching.join(EVENT_TIMEOUT_S)
        assert outcome, "the first attach never returned"
        (result,) = outcome
        assert isinstance(result, socket.socket), f"the first judge was refused: {result}"
        assert answers(result)
    finally:
        gate.touch()
        server.stop()


def _attach_or_error(server: ZygoteServer) -> object:
    try:
        return server.attach()
    except (BridgeError, OSError) as exc:
        return exc


def test_a_zygote_that_burns_cpu_without_starting_is_given_up_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """The other side of the CPU bound: a zygote that spins without ever saying it is ready is stopped, and the
    error says so (by its CPU time, however slowly the clock sees it spin)."""
    monkeypatch.setattr(zygote_module, "_START_CPU_S", 1.0, raising=False)
    monkeypatch.setattr(zygote_module, "_BOOT", boot_line("while True:\n    pass"))
    server = ZygoteServer()
    try:
        with pytest.raises(BridgeError, match=r"did not start: no word after \d+ s of its CPU time"):
            server.attach()
        assert dead(server.pid), "a zygote given up on is stopped"
    finally:
        server.stop()


def test_a_zygote_that_died_is_named_as_gone_not_as_refusing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The flaky "the host zygote refused a judge": a zygote that died (the OOM killer, a stray signal) reads as
    the end of its socket, which the old attach reported as a refusal. It now says the zygote is gone, and how."""
    server = ZygoteServer()
    try:
        assert answers(server.attach())
        kill_and_wait(server.pid)
        with pytest.raises(BridgeError, match=r"the host zygote is gone \(killed by SIGKILL\)"):
            server.attach()
    finally:
        server.stop()


def test_a_zygote_started_from_a_thread_outlives_that_thread() -> None:
    """The kernel's parent-death signal follows the *thread* that started a process: a zygote started from a
    worker thread (a maintainer's test calling ``current()`` from one) was killed the moment that thread ended."""
    started: list[ZygoteServer] = []

    def start() -> None:
        server = ZygoteServer()
        started.append(server)
        answers(server.attach())  # ready (and so its death signal set) before this thread ends

    worker = threading.Thread(target=start)
    worker.start()
    worker.join(EVENT_TIMEOUT_S)
    (server,) = started
    try:
        time.sleep(0.5)  # a signal, if one comes, is sent as the thread ends: give it a moment to arrive
        assert not dead(server.pid), "the zygote died with the thread that started it"
        assert answers(server.attach())
    finally:
        server.stop()


# --- a grading run -----------------------------------------------------------------------------------------------

HOSTS_THEN_WAIT = """
import os
import time


def test_hosts_before_and_after(start_host):
    start_host(load=False)
    open({started!r}, "w").close()
    while not os.path.exists({gate!r}):
        time.sleep(0.02)
    start_host(load=False)
"""


def test_a_zygote_killed_mid_run_costs_only_its_question_and_is_restarted(tmp_path: Path) -> None:
    """The zygote dies while q01's tests run (between two hosts): q01 is an error that names the cause, not a
    failed test; q02, graded after it, gets a new zygote and passes."""
    tests, target = tmp_path / "tests", tmp_path / "target"
    started, gate = tmp_path / "started", tmp_path / "gate"
    tests.mkdir()
    target.mkdir()
    first, second = find_question("1"), find_question("2")
    (tests / first.test_filename).write_text(HOSTS_THEN_WAIT.format(started=str(started), gate=str(gate)))
    shutil.copy(Path(__file__).parents[2] / "tests" / "hidden" / second.test_filename, tests / second.test_filename)
    (target / first.filename).write_text("app = None\n")
    shutil.copy(solutions_dir() / second.filename, target / second.filename)

    killed: list[int] = []
    others = set(zygotes_of_this_process())  # an earlier test's own zygote, if any: not this run's

    def kill_the_zygote_mid_question() -> None:
        try:
            wait_for(started.exists, "q01's first host")
            (pid,) = set(zygotes_of_this_process()) - others
            kill_and_wait(pid)
            killed.append(pid)
        finally:
            gate.touch()

    killer = threading.Thread(target=kill_the_zygote_mid_question, daemon=True)
    killer.start()
    jobs = [GradingJob("student", q, target) for q in (first, second)]
    results = run_jobs(jobs, timeout_s=60.0, workers=1, tests_dir=tests)
    killer.join(EVENT_TIMEOUT_S)
    assert killed, "the zygote was never killed: the test did not test anything"
    (_, run1), (_, run2) = results
    assert run1.outcome == "crashed", f"q01 got a verdict from a run without hosts: {run1}"
    assert "host zygote ended while this question ran (killed by SIGKILL)" in run1.message
    assert score_question(first, run1).status == "error"
    # The class survives: q02 is graded by a new zygote.
    assert run2.outcome == "completed", run2
    assert run2.tests and all(t.outcome == "passed" for t in run2.tests), run2
    assert score_question(second, run2).status == "passed"


def test_a_zygote_that_cannot_start_makes_each_question_an_error_and_the_report_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No zygote at all (it exits at once, started again once): every question is an error that says why, and
    ``grade`` still ends and prints its report; no question gets a verdict."""
    from grader.cli import cli

    others = set(zygotes_of_this_process())
    monkeypatch.setattr(zygote_module, "_BOOT", "import sys; sys.exit(3)")
    submission = tmp_path / "submission"
    submission.mkdir()
    for number in ("1", "2"):
        question = find_question(number)
        shutil.copy(solutions_dir() / question.filename, submission / question.filename)

    result = CliRunner().invoke(cli, [str(submission), "-q", "1", "-q", "2", "--json"], catch_exceptions=False)
    report = json.loads(result.stdout)
    (only,) = report["submissions"]
    statuses = {q["id"]: q["status"] for q in only["questions"]}
    assert statuses == {"q01": "error", "q02": "error"}, statuses
    for q in only["questions"]:
        assert "host zygote did not start" in q["message"] and "exit code 3" in q["message"], q["message"]
    assert set(zygotes_of_this_process()) == others, "a zygote of the run outlived it"


def test_a_run_without_a_zygote_still_says_missing_for_a_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fact that needs no host stays what it is: a missing file is ``missing``, not an error."""
    monkeypatch.setattr(zygote_module, "_BOOT", "import sys; sys.exit(3)")
    first = find_question("1")
    [(_job, run)] = run_jobs([GradingJob("student", first, tmp_path)], timeout_s=60.0)
    assert run.outcome == "missing"
