"""Run each question's hidden tests against one submission folder, every question in its own judge process.

Isolation is the point: a module that loops forever, exits the process, crashes or floods its output costs
its own question and nothing else. The judge (``grader.judge.child``) never runs candidate code itself: its tests
start sandboxed app hosts (``grader.judge.bridge``), forked from a zygote exec'd clean, which hold the module.
How a judge process is started and killed is ``grader.judge.processes``.

Speed is the other point: starting a fresh interpreter and importing
FastAPI for each of 30 questions costs most of a grading run, so on POSIX the parent imports the heavy
libraries once, freezes its heap (``gc.freeze``: children then skip walking it at exit) and forks one child
per question, up to ``jobs`` at a time. Where ``fork`` is missing, each child is a fresh interpreter.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import secrets
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from grader.book.results import RawRun, TestOutcome
from grader.host.warm import warm_imports
from grader.judge.bridge.zygote import RunZygote, ZygoteServer, ZygoteUnavailable
from grader.judge.child import ChildJob, pytest_config_args
from grader.judge.cputime import WALL_FACTOR, tree_cpu_s
from grader.judge.interrupts import checkpoint
from grader.judge.processes import HOST_CPU_RECORD, ForkedProcess, JudgeProcess, SpawnedProcess
from grader.kit import hidden_tests_dir, kit_root
from grader.kit.catalogue import Question
from grader.sandbox.scratch import SCRATCH_BYTES
from grader.scan.integrity import scan_file

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "GradingJob",
    "default_jobs",
    "run_jobs",
    "run_questions",
]

DEFAULT_TIMEOUT_S = 60.0  # CPU seconds of a question's whole tree; wall clock: WALL_FACTOR times as many
_CPU_CHECK_INTERVAL_S = 0.25
_POLL_INTERVAL_S = 0.005


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


class _WarmUpCheckpoint:
    """Names the warm-up's collection as a phase, inside pytest (where a Ctrl-C used to be swallowed)."""

    def pytest_collection_finish(self, session: object) -> None:
        checkpoint("warm-up")


def _warm_up() -> None:
    """Pay pytest's one-time costs in the parent, so every forked judge starts warm.

    The libraries are imported, then a silent ``pytest --collect-only`` over an empty folder imports pytest's
    plugins and the kit's fixtures. It deliberately collects no hidden test: judges fork app hosts from a
    zygote taken before their own test module is imported, and whatever the parent held, every host would
    inherit, hidden tests included. Then the heap is frozen: children skip walking it.
    """
    warm_imports(
        extra=(
            "pytest",
            "_pytest.python",
            "pytest_jsonreport.plugin",
            "grader.judge.fixtures",
            "grader.judge.child",
            "grader.judge.bridge",
        )
    )
    with warnings.catch_warnings(), tempfile.TemporaryDirectory(prefix="grade-warm-") as empty:
        warnings.simplefilter("ignore")
        import pytest

        args = [empty, "--collect-only", "-q", *pytest_config_args(str(kit_root()))]
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = pytest.main(args, plugins=[_WarmUpCheckpoint()])
        # pytest turns Ctrl-C into an exit code: carrying on would grade with a half-made warm-up and store
        # the results. The interrupt belongs to the user, so it goes on up.
        if code == pytest.ExitCode.INTERRUPTED:
            raise KeyboardInterrupt
    gc.collect()
    gc.freeze()


@dataclass
class _Running:
    job: GradingJob
    child_job: ChildJob
    process: JudgeProcess
    started: float
    scratch: Path
    cpu_s: float = 0.0  # the question's CPU time at the last look
    cpu_checked: float = 0.0  # when that was (monotonic)
    zygote: ZygoteServer | None = None  # the zygote its hosts come from: if it dies, so does the question's verdict

    def cpu_now(self) -> float:
        """The CPU seconds of the question's tree, looked up at most every quarter of a second."""
        now = time.monotonic()
        if now - self.cpu_checked >= _CPU_CHECK_INTERVAL_S:
            from grader.sandbox.process import Cgroup

            hosts = Cgroup.named(f"grade-host-{self.process.pid}-")
            self.cpu_s = tree_cpu_s(self.process.pid, self.scratch / HOST_CPU_RECORD, hosts)
            self.cpu_checked = now
        return self.cpu_s


def read_journal(path: Path, token: str) -> list[dict]:
    """The journal's complete lines that carry this job's token.

    A line cut short by a killed process is ignored, and so is any line without the token: the token
    lives only in the grading process's memory, so the candidate's code cannot forge lines by writing
    to the journal file it might find.
    """
    events = []
    with contextlib.suppress(FileNotFoundError), path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            with contextlib.suppress(json.JSONDecodeError, AttributeError):
                event = json.loads(line)
                if event.get("token") == token:
                    events.append(event)
    return events


def _raw_run(
    question: Question,
    events: list[dict],
    end: str,
    exit_code: int | None,
    duration: float,
    flags: tuple[str, ...],
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> RawRun:
    """Fold the journal into a RawRun. ``end`` is how the process ended: ``exited``, ``timeout`` (its CPU limit)
    or ``wall`` (the wall-clock ceiling, ``WALL_FACTOR`` times the limit)."""
    collected: tuple[str, ...] = ()
    imported = False
    layers: tuple[str, ...] = ()
    tests: dict[str, TestOutcome] = {}
    outcome, message = None, ""
    scratch_full = False
    for event in events:
        kind = event.get("event")
        if kind == "collected":
            collected = tuple(event["tests"])
        elif kind == "missing":
            outcome = "missing"
        elif kind == "import_error":
            outcome, message = "import_error", event.get("message", "")
        elif kind == "import_timeout":
            outcome, message = "timeout", event.get("message", "")
        elif kind == "imported":
            imported = True
            layers = tuple(str(layer) for layer in event.get("layers", []))
        elif kind == "test":
            tests.setdefault(event["name"], TestOutcome(event["name"], event["outcome"], event.get("message", "")))
        elif kind == "finished":
            # pytest-json-report's view is authoritative for a run that completed.
            tests = {t["name"]: TestOutcome(t["name"], t["outcome"], t.get("message", "")) for t in event["tests"]}
            outcome = outcome or "completed"
        elif kind == "scratch_full":
            scratch_full = True
        elif kind == "internal_error":
            message = f"the grader failed inside the test process: {event.get('message', '')}"
    running = next((name for name in collected if name not in tests), None)  # the test that never finished
    if end in ("timeout", "wall") and outcome != "timeout":
        limit = f"{timeout_s:g} s CPU limit" if end == "timeout" else f"{timeout_s * WALL_FACTOR:g} s wall-clock limit"
        if outcome is None and not imported and collected:
            message = f"the module did not finish importing within the {limit}"
        else:
            message = f"did not finish within the {limit}" + (f" (stuck in {running})" if running else "")
        outcome = "timeout"
    elif outcome is None:
        outcome = "crashed"
        message = message or (
            f"the test process ended early with exit code {exit_code}" + (f" during {running}" if running else "")
        )
    if scratch_full and outcome == "completed":
        outcome = "crashed"
        ceiling = SCRATCH_BYTES // 1024**2
        message = f"the app filled its scratch folder: everything it writes together is limited to {ceiling} MiB"
    return RawRun(question.id, outcome, collected, tuple(tests.values()), message, duration, flags, layers)


@dataclass(frozen=True)
class GradingJob:
    """One question's tests against one folder. ``key`` tells the caller which submission it belongs to."""

    key: str
    question: Question
    target_dir: Path


def run_jobs(
    jobs: Iterable[GradingJob],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    workers: int | None = None,
    use_fork: bool | None = None,
    tests_dir: Path | None = None,
    on_result: Callable[[GradingJob, RawRun], None] | None = None,
    sandbox: str = "auto",
    protected: tuple[Path, ...] = (),
) -> list[tuple[GradingJob, RawRun]]:
    """Run every job in its own process, ``workers`` at a time; results come back in the jobs' order.

    ``on_result`` sees each result as soon as its process ends (a batch records it durably there), and
    Ctrl-C kills the running processes before it propagates, leaving no orphan behind. ``sandbox`` is the
    app hosts' confinement (``auto``, ``require``, ``off``); ``protected`` are folders no host may read, beside
    the kit, the graded folder and the home folder (the class folder, the gradebook's folder).
    """
    settings = _Settings(timeout_s, sandbox, tuple(str(p) for p in protected))
    pending = list(jobs)
    order = {id(job): index for index, job in enumerate(pending)}
    workers = max(1, workers or default_jobs())
    use_fork = hasattr(os, "fork") if use_fork is None else use_fork
    tests_dir = (tests_dir or hidden_tests_dir()).resolve()
    _sweep_orphaned_cgroups()
    # App hosts come from a zygote started by exec: a fresh interpreter with a minimal environment, so nothing
    # this process has read (other submissions, the gradebook, the grader's environment) can reach them.
    # If it dies, it is started again (once): a question is never graded without hosts (see _no_host_run).
    zygote = RunZygote() if hasattr(os, "fork") and pending else None
    if use_fork:
        _warm_up()
    checkpoint("grading")
    results: list[tuple[GradingJob, RawRun]] = []
    running: list[_Running] = []
    pending.reverse()  # pop() from the end keeps the given order

    def record(job: GradingJob, finished: RawRun) -> None:
        results.append((job, finished))
        if on_result is not None:
            on_result(job, finished)
        if len(results) == 1:
            checkpoint("first-result")

    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop()
                try:
                    running.append(_start(job, tests_dir, use_fork, settings, zygote))
                except ZygoteUnavailable as exc:  # no host for this question: its error, not the run's end
                    record(job, _no_host_run(job, exc))
            time.sleep(_POLL_INTERVAL_S)
            for item in list(running):
                finished = _check(item, timeout_s)
                if finished is not None:
                    running.remove(item)
                    record(item.job, finished)
    finally:
        for item in running:
            item.process.kill()
            _sweep_cgroups(item.process.pid)
            _remove_scratch(item.scratch)
        if zygote is not None:
            zygote.stop()
    return sorted(results, key=lambda pair: order[id(pair[0])])


def run_questions(
    questions: Iterable[Question],
    target_dir: Path,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    jobs: int | None = None,
    tests_dir: Path | None = None,
    sandbox: str = "auto",
    protected: tuple[Path, ...] = (),
) -> list[RawRun]:
    """Run each question's tests (default: the hidden tests) against one folder, in the questions' order."""
    folder = target_dir.resolve()
    grading_jobs = [GradingJob(str(folder), q, folder) for q in questions]
    pairs = run_jobs(
        grading_jobs, timeout_s=timeout_s, workers=jobs, tests_dir=tests_dir, sandbox=sandbox, protected=protected
    )
    return [run for _job, run in pairs]


@dataclass(frozen=True)
class _Settings:
    timeout_s: float
    sandbox: str
    protected: tuple[str, ...]

    @property
    def request_timeout_s(self) -> float:
        """One request to an app host may take this long: a hang is cut well before the question's limit."""
        return float(min(20, max(1, round(self.timeout_s / 3))))


def _no_host_run(job: GradingJob, exc: Exception) -> RawRun:
    """The result of a question whose app hosts could not be had: an error of the grader's, never a verdict."""
    module = job.target_dir.resolve() / job.question.filename
    if not module.is_file():  # a fact that needs no host
        return RawRun(job.question.id, "missing", (), (), "", 0.0)
    message = f"the grader could not start app hosts for this question (not the submission's fault; grade again): {exc}"
    return RawRun(job.question.id, "crashed", (), (), message, 0.0, scan_file(module, job.question.id))


def _start(job: GradingJob, tests_dir: Path, use_fork: bool, settings: _Settings, zygote: RunZygote | None) -> _Running:
    question, target_dir = job.question, job.target_dir.resolve()
    client, server = zygote.attach() if zygote is not None else (None, None)
    scratch = Path(tempfile.mkdtemp(prefix=f"grade-{question.id}-"))
    (scratch / "cwd").mkdir()
    child_job = ChildJob(
        question_id=question.id,
        test_file=str(tests_dir / question.test_filename),
        target_dir=str(target_dir),
        module_file=str(target_dir / question.filename),
        kit_root=str(kit_root()),
        journal=str(scratch / "journal.jsonl"),
        workdir=str(scratch / "cwd"),
        token=secrets.token_hex(16),
        sandbox=settings.sandbox,
        request_timeout_s=settings.request_timeout_s,
        protected=settings.protected,
        zygote_fd=client.fileno() if client is not None else -1,
    )
    try:
        if use_fork:
            process: JudgeProcess = ForkedProcess(child_job, zygote.masters() if zygote is not None else ())
        else:
            process = SpawnedProcess(child_job)
    finally:
        if client is not None:
            client.close()  # the judge holds its own copy; when it ends, the zygote kills its hosts
    return _Running(job, child_job, process, time.monotonic(), scratch, zygote=server)


def _check(item: _Running, timeout_s: float) -> RawRun | None:
    """The question's result once its judge has ended, or once it used ``timeout_s`` CPU seconds (its whole tree),
    or ``WALL_FACTOR`` times as many wall-clock seconds (code that sleeps); None while it may go on."""
    exit_code = item.process.poll()
    elapsed = time.monotonic() - item.started
    # Looked at after the judge: a judge that ended because its hosts vanished finds the zygote already dead.
    lost = item.zygote is not None and not item.zygote.alive()
    if exit_code is None and not lost and elapsed < timeout_s * WALL_FACTOR and item.cpu_now() < timeout_s:
        return None
    end = "exited" if exit_code is not None else "timeout" if item.cpu_s >= timeout_s else "wall"
    item.process.kill()  # a child that exited may still have left processes of its own in its group
    question, child = item.job.question, item.child_job
    flags = scan_file(Path(child.module_file), question.id)
    run = _raw_run(question, read_journal(Path(child.journal), child.token), end, exit_code, elapsed, flags, timeout_s)
    _sweep_cgroups(item.process.pid)
    _remove_scratch(item.scratch)
    if lost and run.outcome != "missing":  # its tests may have failed for want of hosts: no verdict can stand
        reason = f"the host zygote ended while this question ran ({item.zygote.ended()})"
        return replace(_no_host_run(item.job, ZygoteUnavailable(reason)), duration_s=elapsed, flags=flags)
    return run


def _remove_scratch(folder: Path) -> None:
    """Remove a judge's scratch folder, first detaching the tmpfs of any host the judge had no time to clean up."""
    from grader.sandbox import scratch

    scratch.unmount_below(folder)
    shutil.rmtree(folder, ignore_errors=True)


def _sweep_orphaned_cgroups() -> None:
    """Empty cgroups and scratch mounts left by runs that were killed outright (nothing of theirs could clean up)."""
    from grader.sandbox import scratch
    from grader.sandbox.process import Cgroup

    Cgroup.sweep_orphans()
    scratch.sweep_orphans()


def _sweep_cgroups(judge_pid: int) -> None:
    """Remove the cgroups of a judge's app hosts, left behind when the judge was killed at its time limit."""
    from grader.sandbox.process import Cgroup

    Cgroup.sweep(f"grade-host-{judge_pid}-")
