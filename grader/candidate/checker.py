"""Checks that answer in a fraction of a second: a warm parent forks one disposable process per check.

Importing FastAPI and pytest costs far more than running a question's few public checks, so the process that
watches (``fastlings watch``, ``check --all``) imports them once, runs pytest once over nothing to load its
plugins, freezes its heap (``gc.freeze``: children then skip walking it), and forks a fresh process for each
check. The fork is the grader's own (``grader.judge.runner``'s forked judge, with SIGINT, SIGTERM and SIGHUP held
back while it forks): the child gets its own process group, and the parent kills that whole group at the time
limit, when a new save makes the check useless (``cancel``), or when the parent itself is stopped. A one-shot
``fastlings check`` takes the same path with the lightest warm-up that serves one check.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import gc
import importlib
import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

from grader.candidate.checkchild import CheckJob, pytest_args, run_in_child
from grader.candidate.outcome import CheckResult, fold_events
from grader.host.warm import warm_imports
from grader.judge.cputime import WALL_FACTOR, spent_s
from grader.judge.processes import (
    ForkedProcess,
    kill_spawned,
)  # the grader's fork: signals held back, own group, killpg on kill
from grader.kit import checks_dir, exercises_dir, kit_root
from grader.kit.catalogue import Question

__all__ = [
    "CHECK_TIMEOUT_S",
    "CheckError",
    "RunningCheck",
    "run_check",
    "run_checks",
    "start_check",
    "wait_for",
    "warm_up",
]

CHECK_TIMEOUT_S = 30.0
_LIGHT_MODULES = ("fastapi", "fastapi.testclient", "pytest", "grader.judge.fixtures")
_PR_SET_PDEATHSIG = 1
_warmed: str = ""


class CheckError(Exception):
    """A check cannot start (a missing file); the message says how to fix it."""


def warm_up(full: bool = True) -> None:
    """Import what every check needs, once, in this process, then freeze the heap for cheap forks.

    ``full`` (a watching process) also imports the libraries the exercises use and runs pytest once over an
    empty folder, so that each later check pays only for its own tests; a one-shot check takes the light
    path, since whatever is imported here would be imported by its single child anyway.
    """
    global _warmed
    wanted = "full" if full else "light"
    if _warmed == "full" or _warmed == wanted:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if full:
            warm_imports(extra=(*_LIGHT_MODULES, *_check_imports()))
            _pytest_once()
        else:
            for name in _LIGHT_MODULES:
                with contextlib.suppress(Exception):
                    importlib.import_module(name)
    gc.collect()
    gc.freeze()
    _warmed = wanted


def _check_imports() -> tuple[str, ...]:
    """The modules the public checks import at their top, read from their source (the checks themselves are
    imported by pytest in each check's process, with its assertion rewriting)."""
    names: set[str] = set()
    for path in checks_dir().glob("test_q*.py"):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return tuple(sorted(names))


def _pytest_once() -> None:
    """Run pytest over an empty folder with the checks' options: its plugins and the kit's fixtures load here."""
    import pytest

    previous = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        with tempfile.TemporaryDirectory(prefix="fastlings-warm-") as empty:
            sink = io.StringIO()
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                code = pytest.main([empty, "--collect-only", *pytest_args(str(kit_root()), empty)])
            if code == pytest.ExitCode.INTERRUPTED:  # pytest swallows Ctrl-C: it belongs to the user
                raise KeyboardInterrupt
    finally:
        if previous is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = previous


def _die_with(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies, even by SIGKILL (elsewhere: the time limit stays)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(70)


class _CheckProcess(ForkedProcess):
    """A forked check: the grader's fork and kill, running ``run_in_child`` instead of a judge."""

    @staticmethod
    def _child(job: CheckJob) -> None:  # type: ignore[override]  # pragma: no cover - runs in the child
        code = 0
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            os.setpgid(0, 0)
            _die_with(job.parent_pid)
            run_in_child(job)
        except BaseException:  # the child must never return into the parent's code
            code = 70
        finally:
            os._exit(code)


class _SpawnedCheck:
    """Where ``fork`` is missing (Windows): a fresh interpreter runs the check and reports on its stdout.

    Slower (it imports everything anew) but the same checks, events, time limit and kill; a thread reads the
    events, since ``select`` cannot wait on a pipe there.
    """

    def __init__(self, job: CheckJob) -> None:
        posix = os.name == "posix"
        self._popen = subprocess.Popen(
            [sys.executable, "-m", "grader.candidate.checkchild"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=posix,
            creationflags=0 if posix else getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
        )
        assert self._popen.stdin is not None and self._popen.stdout is not None
        self.pid = self._popen.pid
        with contextlib.suppress(BrokenPipeError):
            self._popen.stdin.write(json.dumps(asdict(job)).encode())
            self._popen.stdin.close()
        self.pid = self._popen.pid
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._read, args=(self._popen.stdout,), daemon=True).start()

    def _read(self, stream: io.BufferedReader) -> None:
        with contextlib.suppress(OSError, ValueError):
            for chunk in iter(lambda: stream.read1(65536), b""):
                with self._lock:
                    self._chunks.append(chunk)

    def take(self) -> bytes:
        with self._lock:
            data, self._chunks = b"".join(self._chunks), []
        return data

    def poll(self) -> int | None:
        return self._popen.poll()

    def kill(self) -> None:
        kill_spawned(self._popen)


class RunningCheck:
    """A check in flight. ``poll`` gives its result once it has one; ``cancel`` kills it and everything it started."""

    def __init__(self, question: Question, limit_s: float, use_fork: bool | None = None) -> None:
        self.question = question
        self.limit_s = limit_s
        self.scratch = Path(tempfile.mkdtemp(prefix=f"fastlings-{question.id}-"))
        fields = {
            "question_id": question.id,
            "module_file": str(exercises_dir() / question.filename),
            "check_file": str(checks_dir() / question.test_filename),
            "target_dir": str(exercises_dir()),
            "kit_root": str(kit_root()),
            "scratch": str(self.scratch),
            "parent_pid": os.getpid(),
        }
        self._buffer = b""
        self.events: list[dict] = []
        self.result: CheckResult | None = None
        self._read_fd: int | None = None
        self.started = time.monotonic()
        if not (hasattr(os, "fork") if use_fork is None else use_fork):
            spawned = _SpawnedCheck(CheckJob(**fields, write_fd=1))  # type: ignore[arg-type]
            self._process: _CheckProcess | _SpawnedCheck = spawned
            self._take: Callable[[], bytes] = spawned.take
            return
        read_fd, write_fd = os.pipe()
        try:
            self._process = _CheckProcess(CheckJob(**fields, write_fd=write_fd))  # type: ignore[arg-type]
        finally:
            os.close(write_fd)
        os.set_blocking(read_fd, False)
        self._read_fd = read_fd
        self._take = self._read_pipe

    def fileno(self) -> int | None:
        """The pipe the check reports on, for ``select`` (None where the events come through a thread)."""
        return self._read_fd

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _read_pipe(self) -> bytes:
        data = b""
        while self._read_fd is not None:
            try:
                chunk = os.read(self._read_fd, 65536)
            except OSError:  # BlockingIOError: nothing more for now
                break
            if not chunk:
                break
            data += chunk
        return data

    def _pump(self) -> None:
        self._buffer += self._take()
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict):
                    self.events.append(event)

    def poll(self) -> CheckResult | None:
        """The result if the check has ended (or has just been killed at its time limit), else None."""
        if self.result is not None:
            return self.result
        self._pump()
        exit_code = self._process.poll()
        # The limit is the check's CPU time (a busy machine does not make a right answer late), with a wall-clock
        # ceiling for code that sleeps; where /proc cannot tell, the clock.
        elapsed = self.elapsed
        if (
            exit_code is None
            and elapsed < self.limit_s * WALL_FACTOR
            and spent_s(self._process.pid, elapsed) < self.limit_s
        ):
            return None
        ended = "exited" if exit_code is not None else "timeout"
        self._stop()
        self._pump()
        self.result = fold_events(
            self.question.id,
            self.events,
            ended=ended,
            exit_code=exit_code,
            limit_s=self.limit_s,
            duration_s=self.elapsed,
        )
        self._close()
        return self.result

    def cancel(self) -> None:
        """Kill the check and everything it started; its result will never be asked for."""
        if self.result is None:
            self._stop()
            self._close()

    def _stop(self) -> None:
        self._process.kill()  # the whole group, even after a normal exit: the module may have started processes

    def _close(self) -> None:
        if self._read_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._read_fd)
            self._read_fd = None
        shutil.rmtree(self.scratch, ignore_errors=True)

    def wait(self, step_s: float = 0.5) -> CheckResult:
        """Block until the check ends or reaches its time limit."""
        while True:
            result = self.poll()
            if result is not None:
                return result
            wait_for([self], min(step_s, max(self.limit_s - self.elapsed, 0.001)))


def wait_for(checks: Iterable[RunningCheck], timeout_s: float, also: Iterable[int] = ()) -> list[int]:
    """Wait until a check (or one of the file descriptors ``also``) has news, or ``timeout_s`` has passed.

    Checks that report through a thread (no fork) cannot be waited on: then this waits in short steps.
    """
    fds = [*also]
    polled = False
    for check in checks:
        fd = check.fileno()
        if fd is None:
            polled = True
        else:
            fds.append(fd)
    timeout_s = min(timeout_s, 0.02) if polled else timeout_s
    if not fds:
        time.sleep(timeout_s)
        return []
    with contextlib.suppress(InterruptedError):
        ready, _, _ = select.select(fds, [], [], timeout_s)
        return ready
    return []


def start_check(question: Question, limit_s: float = CHECK_TIMEOUT_S, use_fork: bool | None = None) -> RunningCheck:
    """Start ``question``'s public checks against the candidate's file in a new process."""
    if not (exercises_dir() / question.filename).is_file():
        raise CheckError(f"{exercises_dir() / question.filename} does not exist (`fastlings reset {question.id}`)")
    if not (checks_dir() / question.test_filename).is_file():
        raise CheckError(f"no public checks for {question.id} in {checks_dir()}")
    return RunningCheck(question, limit_s, use_fork)


def run_check(question: Question, limit_s: float = CHECK_TIMEOUT_S, use_fork: bool | None = None) -> CheckResult:
    """Run one question's checks to the end; Ctrl-C (or SIGTERM, SIGHUP) kills them before it propagates."""
    running = start_check(question, limit_s, use_fork)
    try:
        return running.wait()
    finally:
        running.cancel()


def run_checks(
    questions: Iterable[Question],
    *,
    workers: int | None = None,
    limit_s: float = CHECK_TIMEOUT_S,
    on_result: Callable[[Question, CheckResult | CheckError], None] | None = None,
) -> list[tuple[Question, CheckResult | CheckError]]:
    """Run several questions' checks, ``workers`` at a time, in the given order of results."""
    pending = list(questions)
    order = {q.id: index for index, q in enumerate(pending)}
    workers = max(1, workers or os.cpu_count() or 1)
    pending.reverse()
    running: list[RunningCheck] = []
    results: list[tuple[Question, CheckResult | CheckError]] = []

    def done(question: Question, outcome: CheckResult | CheckError) -> None:
        results.append((question, outcome))
        if on_result is not None:
            on_result(question, outcome)

    try:
        while pending or running:
            while pending and len(running) < workers:
                question = pending.pop()
                try:
                    running.append(start_check(question, limit_s))
                except CheckError as exc:
                    done(question, exc)
            if not running:
                continue
            wait_for(running, 0.05)
            for item in list(running):
                result = item.poll()
                if result is not None:
                    running.remove(item)
                    done(item.question, result)
    finally:
        for item in running:
            item.cancel()
    return sorted(results, key=lambda pair: order[pair[0].id])
