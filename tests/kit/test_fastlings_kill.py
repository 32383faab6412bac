"""fastlings guards the candidate's own machine: a check is killed with everything it started.

The candidate's module starts a child process, which starts a grandchild, neither of them in a session of its own
(no ``setsid``: they stay in the check's process group), and both sleep for ten minutes. Whichever way the check
ends (a new save makes it useless, it reaches its time limit, it ends by itself, or ``fastlings watch`` stops),
neither may survive it. The watch runs in this process (as ``fastlings watch`` runs it) and is stopped with the
SIGINT a Ctrl-C sends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.candidate.checker import run_check
from grader.candidate.watch import Watch
from grader.kit.catalogue import find_question

Q01 = "q01_what_is_fastapi.py"
WAIT_S = 30.0  # for processes to start on a loaded machine; a kill is looked for within GONE_S
GONE_S = 5.0

SPAWNER = """
import subprocess, sys, time

_GRANDCHILD = "import time; time.sleep(600)"
_CHILD = (
    "import subprocess, sys, time\\n"
    "grandchild = subprocess.Popen([sys.executable, '-c', sys.argv[2]])\\n"
    "with open(sys.argv[1], 'a') as pids:\\n"
    "    pids.write(f'{{grandchild.pid}}\\\\n')\\n"
    "time.sleep(600)\\n"
)
_child = subprocess.Popen([sys.executable, "-c", _CHILD, {pids!r}, _GRANDCHILD])
with open({pids!r}, "a") as _pids:
    _pids.write(f"{{_child.pid}}\\n")
{then}
"""
STUCK = "while True:\n    time.sleep(0.05)"  # an import that never ends (and spends no CPU doing it)


def spawner(pack: Path, pids: Path, then: str) -> None:
    """Make q01's exercise a module that starts a child and a grandchild, writes their pids, then does ``then``."""
    (pack / "exercises" / Q01).write_text(SPAWNER.format(pids=str(pids), then=then), encoding="utf-8")


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed and waiting to be reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def started(pids: Path, timeout_s: float = WAIT_S) -> list[int]:
    """The pids written so far, once a child and its grandchild have written theirs (a module imported again by a
    later check of the same run starts more)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            found = [int(line) for line in pids.read_text().split()]
            if len(found) >= 2:
                return found
        time.sleep(0.05)
    pytest.fail(f"the check did not start its child and grandchild within {timeout_s:g} s")


def survivors(pids: list[int], timeout_s: float = GONE_S) -> list[int]:
    """The processes of ``pids`` still running after ``timeout_s`` (none, when they were killed)."""
    deadline = time.monotonic() + timeout_s
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    return [pid for pid in pids if alive(pid)]


@pytest.fixture
def reaper() -> Callable[[list[int]], None]:
    """Kills, after the test, whatever a failing test left running."""
    left: list[int] = []
    yield left.extend
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def interrupt_later(when: Callable[[], None]) -> threading.Thread:
    """Run ``when()`` in a thread, then send the main thread the SIGINT a Ctrl-C sends (stopping the watch).

    The signal goes to the main thread itself, as a terminal's Ctrl-C reaches watch's only thread: sent to the
    process, it could be taken by this helper thread while the main thread forks a check with SIGINT blocked, and
    Python would then raise the KeyboardInterrupt inside an at-fork hook, where it is printed and lost (the test
    hung). Aimed at the main thread, it waits until the fork is over, as it does in watch.
    """
    main = threading.main_thread().ident
    assert main is not None

    def run() -> None:
        try:
            when()
        finally:
            signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_check_at_its_time_limit_is_killed_with_its_child_and_grandchild(
    pack: Path, tmp_path: Path, reaper: Callable[[list[int]], None]
) -> None:
    pids = tmp_path / "pids"
    spawner(pack, pids, STUCK)
    outcome: list[object] = []
    checking = threading.Thread(target=lambda: outcome.append(run_check(find_question("1"), limit_s=2.0)), daemon=True)
    checking.start()
    children = started(pids)
    reaper(children)
    assert all(alive(pid) for pid in children), "the child and the grandchild run while the check does"
    checking.join(WAIT_S * 2)
    assert outcome and outcome[0].status == "timeout"  # type: ignore[attr-defined]
    assert survivors(children) == [], "a process of the check outlived its time limit"


def test_a_check_that_ends_by_itself_takes_its_child_and_grandchild_with_it(
    pack: Path, tmp_path: Path, reaper: Callable[[list[int]], None]
) -> None:
    pids = tmp_path / "pids"
    spawner(pack, pids, "while len(open(_pids.name).read().split()) < 2:\n    time.sleep(0.02)")
    result = run_check(find_question("1"), limit_s=60.0)
    children = started(pids, 1.0)
    reaper(children)
    assert result.status != "timeout", "the check ended by itself, well inside its limit"
    assert survivors(children) == [], "a process the module started outlived its check"


def test_a_save_kills_the_running_check_with_its_child_and_grandchild(
    pack: Path, tmp_path: Path, reaper: Callable[[list[int]], None]
) -> None:
    pids = tmp_path / "pids"
    spawner(pack, pids, STUCK)
    seen: dict[str, list[int]] = {}

    def save_then_look() -> None:
        children = started(pids)
        reaper(children)
        seen["before"] = [pid for pid in children if alive(pid)]
        time.sleep(0.3)  # a save is a change of modification time or size
        (pack / "exercises" / Q01).write_text("x = 1\n", encoding="utf-8")
        seen["after"] = survivors(children, GONE_S + 5)  # the next look at the files is 0.1 s away

    watch = Watch(0.1, lambda _text: None, interactive=False, limit_s=120.0)
    helper = interrupt_later(save_then_look)
    with pytest.raises(KeyboardInterrupt):
        watch.run()
    helper.join(WAIT_S)
    assert len(seen["before"]) >= 2, "the child and the grandchild ran while the check did"
    assert seen["after"] == [], "the save left a process of the stale check running"


def test_stopping_watch_kills_the_running_check_with_its_child_and_grandchild(
    pack: Path, tmp_path: Path, reaper: Callable[[list[int]], None]
) -> None:
    pids = tmp_path / "pids"
    spawner(pack, pids, STUCK)
    seen: dict[str, list[int]] = {}

    def wait_for_the_children() -> None:
        children = started(pids)
        reaper(children)
        seen["children"] = children
        seen["before"] = [pid for pid in children if alive(pid)]

    watch = Watch(0.1, lambda _text: None, interactive=False, limit_s=120.0)
    helper = interrupt_later(wait_for_the_children)
    with pytest.raises(KeyboardInterrupt):
        watch.run()
    helper.join(WAIT_S)
    assert len(seen["before"]) >= 2, "the child and the grandchild ran while the check did"
    assert survivors(seen["children"]) == [], "a process of the check outlived fastlings watch"


def test_a_check_that_sleeps_past_its_limit_by_the_clock_is_not_cut(pack: Path, tmp_path: Path) -> None:
    """The limit is CPU time: a module that sleeps 3 s at its first import (a loaded machine looks the same) is not
    cut at a 2 s limit; the wall-clock ceiling is five times longer."""
    once = tmp_path / "slept"
    sleeper = f"import os, time\nif not os.path.exists({str(once)!r}):\n    open({str(once)!r}, 'w').close()\n"
    (pack / "exercises" / Q01).write_text(sleeper + "    time.sleep(3)\n", encoding="utf-8")
    started = time.monotonic()
    result = run_check(find_question("1"), limit_s=2.0)
    assert time.monotonic() - started >= 3
    assert result.status == "failing", result.problem
