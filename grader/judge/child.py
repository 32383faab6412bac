"""The judge: one question's hidden tests against one file, in a process that never runs candidate code.

The judge runs pytest in-process with pytest-json-report. The candidate's module lives in app hosts the
tests start (``grader.judge.bridge``): sandboxed processes that answer plain-data requests, so nothing the candidate
wrote executes here and the verdict cannot be reached from its code. The judge is still disposable: progress
is written to an append-only journal as it happens, so the parent can tell a hang after five passing tests
from a module that never imported, even when the judge is killed at the question's time limit.

Journal lines (JSON, one per line), in the order they can appear:
``{"event": "collected", "tests": [...]}``, then ``{"event": "missing"}`` or
``{"event": "import_error", "message": ...}`` or ``{"event": "import_timeout", "message": ...}`` or
``{"event": "imported", "layers": [...], "missing_layers": {...}}``, then one
``{"event": "test", "name", "outcome", "message"}`` per finished test, then
``{"event": "scratch_full"}`` when an app host filled its scratch folder's ceiling, and
``{"event": "finished", "tests": [...]}`` carrying pytest-json-report's per-test outcomes.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = ["ChildJob", "limit_resources", "pytest_config_args", "run_child", "silence_standard_streams"]

MESSAGE_LIMIT = 400
_JSON_REPORT_OMIT = ["collectors", "log", "traceback", "streams", "warnings", "keywords"]


@dataclass(frozen=True)
class ChildJob:
    """Everything a grading process needs, passed from the parent (plain data, so it survives a subprocess)."""

    question_id: str
    test_file: str
    target_dir: str
    module_file: str
    kit_root: str
    journal: str
    workdir: str
    token: str  # stamped on every journal line; the parent ignores lines without it
    sandbox: str = "auto"
    request_timeout_s: float = 20.0
    protected: tuple[str, ...] = ()  # folders no app host may read (beyond the kit, the target, home)
    zygote_fd: int = -1  # this judge's socket to the run's host zygote (-1: start one of its own)


def pytest_config_args(kit_root: str) -> list[str]:
    """Options of every in-process pytest run of the grader: the kit's config, no cache, no metadata.

    pytest-metadata (pulled in by pytest-json-report) collects environment details the report never uses,
    anew in every run; turning it off saves a good part of each child's start-up.
    """
    root = Path(kit_root)
    return ["-c", str(root / "pyproject.toml"), "--rootdir", str(root), "-p", "no:cacheprovider", "-p", "no:metadata"]


def short_message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """The first meaningful line of a failure, without pytest's assertion introspection, capped in length."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


class _Journal:
    def __init__(self, path: str, token: str) -> None:
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the process's life
        self._token = token

    def write(self, event: str, **fields: Any) -> None:
        self._file.write(json.dumps({"event": event, "token": self._token, **fields}) + "\n")
        self._file.flush()


def _test_name(nodeid: str) -> str:
    return nodeid.split("::", 1)[-1]


class _GradingPlugin:
    """Journals the collected tests, imports the module once before any test runs, and journals each result."""

    def __init__(self, job: ChildJob, journal: _Journal) -> None:
        self.job = job
        self.journal = journal
        self.bullets: dict[str, str] = {}  # nodeid -> "[q03.1, q03.2] ": the contract bullets a test checks

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        self.journal.write("collected", tests=[_test_name(item.nodeid) for item in items])
        for item in items:
            ids = [str(i) for marker in item.iter_markers("contract") for i in marker.args]
            if ids:
                self.bullets[item.nodeid] = f"[{', '.join(dict.fromkeys(ids))}] "
        module_path = Path(self.job.module_file)
        if not module_path.is_file():
            self.journal.write("missing")
            items.clear()
            return
        # Imported once up front, in an app host, so a broken module is reported as one clear error.
        from grader.judge.bridge import CandidateError, HostDied, HostTimeout, launch
        from grader.judge.bridge.errors import describe_exit
        from grader.judge.fixtures import host_options_from_config

        options = host_options_from_config(config)
        try:
            host = launch(module_path, options)
        except OSError as exc:  # the intake already refuses links, FIFOs and huge files; this is a backstop
            self.journal.write("import_error", message=f"the file could not be read: {exc}")
            items.clear()
            return
        try:
            host.load()
        except HostTimeout:
            self.journal.write(
                "import_timeout",
                message=f"the module did not finish importing within {options.request_timeout_s:g} s",
            )
            items.clear()
            return
        except HostDied as exc:
            how = describe_exit(exc.exit_code)
            self.journal.write("import_error", message=f"the module ended its process while being imported ({how})")
            items.clear()
            return
        except CandidateError as exc:
            self.journal.write("import_error", message=short_message(str(exc)))
            items.clear()
            return
        finally:
            layers, missing = host.layers, host.missing_layers
            host.close()
        self.journal.write("imported", layers=layers, missing_layers=missing)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        failed_setup_or_teardown = report.when in ("setup", "teardown") and report.outcome != "passed"
        if report.when == "call" or failed_setup_or_teardown or (report.when == "setup" and report.skipped):
            outcome = report.outcome if report.when == "call" or report.skipped else "error"
            message = "" if outcome == "passed" else short_message(_longrepr_text(report))
            message = _naming_bullets(self.bullets, report.nodeid, outcome, message)
            self.journal.write("test", name=_test_name(report.nodeid), outcome=outcome, message=message)


def _naming_bullets(bullets: dict[str, str], nodeid: str, outcome: str, message: str) -> str:
    """A failure's message led by the contract bullets its test checks; a skip's or a pass's as it is."""
    if message and outcome not in ("passed", "skipped"):
        return bullets.get(nodeid, "") + message
    return message


def _longrepr_text(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and crash.message:
        return crash.message
    if isinstance(report.longrepr, tuple):  # skips: (path, lineno, reason)
        return str(report.longrepr[-1])
    return str(report.longrepr or "")


def _report_outcomes(report: dict[str, Any], bullets: dict[str, str]) -> list[dict[str, str]]:
    """Per-test outcome and first failure line, read from pytest-json-report's report.

    A failure's line starts with the contract bullets its test checks (``[q03.2] AssertionError: ...``), so
    every report says which sentence of the contract the answer breaks.
    """
    outcomes = []
    for test in report.get("tests", []):
        message = ""
        if test["outcome"] != "passed":
            for stage in ("setup", "call", "teardown"):
                info = test.get(stage) or {}
                crash = info.get("crash") or {}
                text = crash.get("message") or info.get("longrepr") or ""
                if info.get("outcome") not in (None, "passed") and text:
                    message = _naming_bullets(bullets, test["nodeid"], test["outcome"], short_message(str(text)))
                    break
        outcomes.append({"name": _test_name(test["nodeid"]), "outcome": test["outcome"], "message": message})
    return outcomes


def silence_standard_streams() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


# Ceilings for one grading process, so that a module that allocates or writes without end fails its own
# question (MemoryError, or the process is stopped) instead of taking the machine's memory or disk.
MEMORY_LIMIT_BYTES = 4 * 1024**3
FILE_SIZE_LIMIT_BYTES = 256 * 1024**2


def limit_resources() -> None:
    try:
        import resource
    except ImportError:  # not POSIX: the time limit still applies
        return
    for limit, value in ((resource.RLIMIT_AS, MEMORY_LIMIT_BYTES), (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT_BYTES)):
        soft, hard = resource.getrlimit(limit)
        ceiling = value if hard == resource.RLIM_INFINITY else min(value, hard)
        if soft == resource.RLIM_INFINITY or soft > ceiling:
            resource.setrlimit(limit, (ceiling, hard))


def run_child(job: ChildJob) -> None:
    """Run the job and journal its results. Called in a fresh process; never returns normally to a caller."""
    silence_standard_streams()
    limit_resources()
    os.chdir(job.workdir)
    from grader.judge.bridge.launch import FULL_SCRATCH

    # A forked judge inherits its parent's memory: a parent that started hosts itself (the kit's own tests, an
    # in-process run) may have recorded full scratch folders of its own, which are not this question's.
    FULL_SCRATCH.clear()
    if job.zygote_fd >= 0:
        from grader.judge.bridge import zygote

        zygote.use(job.zygote_fd)  # hosts come from the run's zygote, exec'd clean before anything was read
    journal = _Journal(job.journal, job.token)
    from pytest_jsonreport.plugin import JSONReport

    json_report = JSONReport()
    args = [
        job.test_file,
        "--target",
        job.target_dir,
        "-q",
        "-s",  # candidate output goes straight to /dev/null instead of piling up in capture buffers
        # A private temporary root inside the scratch folder: no rotation of old pytest folders to pay for,
        # and nothing the tests write outlives the process's scratch folder.
        "--basetemp",
        str(Path(job.workdir).parent / "pytest-tmp"),
        *pytest_config_args(job.kit_root),
        "--sandbox",
        job.sandbox,
        "--request-timeout",
        str(job.request_timeout_s),
        *(arg for path in job.protected for arg in ("--protect", path)),
        "--json-report-file=none",
        "--json-report-omit",
        *_JSON_REPORT_OMIT,
    ]
    try:
        plugin = _GradingPlugin(job, journal)
        pytest.main(args, plugins=[plugin, json_report])
        from grader.judge.bridge.launch import FULL_SCRATCH

        if FULL_SCRATCH:
            journal.write("scratch_full")
        journal.write("finished", tests=_report_outcomes(json_report.report or {}, plugin.bullets))
    except BaseException as exc:  # whatever happened, the parent gets a line, not silence
        journal.write("internal_error", message=short_message(repr(exc)))
