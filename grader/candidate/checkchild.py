"""The inside of one check: runs in a process forked for it, runs pytest on a question's public checks, and
writes what happens, as it happens, to a pipe the watching process reads (see ``grader.candidate.outcome``).

The checks run in this process, with FastAPI's TestClient (the ``client`` fixture of ``grader.judge.fixtures``), so
the exceptions themselves are at hand: failures are described here, where the traceback and pytest's own
assertion explanation exist, and only plain data crosses the pipe. This process is disposable: its parent
kills its whole process group at the time limit or when a new save makes the result useless.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader.candidate.failures import Failure, describe_exception

__all__ = ["CheckJob", "pytest_args", "run_in_child"]

# Plugins a public check does not need: each costs start-up time in every check process. Entry-point
# plugins (pytest-json-report, pytest-metadata, anyio's) are not loaded at all (PYTEST_DISABLE_PLUGIN_AUTOLOAD);
# the kit's own fixtures come from the project's pyproject (``-p grader.judge.fixtures``).
_UNNEEDED_PLUGINS = ("cacheprovider", "unraisableexception", "threadexception", "faulthandler", "logging")


@dataclass(frozen=True)
class CheckJob:
    """One question's public checks against one file (plain data: it is all the forked process needs)."""

    question_id: str
    module_file: str
    check_file: str
    target_dir: str
    kit_root: str
    scratch: str
    write_fd: int
    parent_pid: int = 0


def pytest_args(kit_root: str, scratch: str | None = None) -> list[str]:
    """The options of every pytest run of a check (and of the warm-up that prepares them)."""
    args = ["-q", "--tb=no", "-c", str(Path(kit_root) / "pyproject.toml"), "--rootdir", kit_root]
    for name in _UNNEEDED_PLUGINS:
        args += ["-p", f"no:{name}"]
    if scratch is not None:
        args += ["--basetemp", str(Path(scratch) / "pytest")]
    return args


class _Emitter:
    def __init__(self, fd: int) -> None:
        self._fd = fd

    def __call__(self, event: str, **fields: Any) -> None:
        data = (json.dumps({"event": event, **fields}, default=str) + "\n").encode()
        with contextlib.suppress(OSError):  # the parent stopped listening: it is about to kill us anyway
            while data:
                written = os.write(self._fd, data)
                data = data[written:]


def _test_name(nodeid: str) -> str:
    return nodeid.split("::", 1)[-1]


class _CheckPlugin:
    """Reports collection, each load of the module, and each test's outcome with a failure that points."""

    def __init__(self, job: CheckJob, emit: _Emitter) -> None:
        self.job = job
        self.emit = emit
        self.module_file = Path(job.module_file)
        self.check_file = Path(job.check_file)
        self.failures: dict[str, Failure] = {}
        self.import_exception: BaseException | None = None
        self.import_failure: Failure | None = None

    def observe_loads(self) -> None:
        """Wrap the fixtures' loader, so that each import of the module is seen starting and ending.

        That is how a check killed at its time limit can say the module never finished importing, and how an
        exception at import is reported once, as what it is, instead of as every check's setup error.
        """
        import grader.judge.fixtures as fixtures

        load = fixtures.load_module_from_path

        def observed(path: Path, prefix: str = "kit_target") -> Any:
            self.emit("importing")
            try:
                module = load(path, prefix)
            except BaseException as exc:
                if self.import_exception is None:
                    self.import_exception = exc
                    self.import_failure = describe_exception(exc, self.module_file, self.check_file, kind="import")
                    self.emit("import_error", failure=self.import_failure.to_json())
                raise
            self.emit("imported")
            return module

        fixtures.load_module_from_path = observed

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.emit("collected", tests=[_test_name(item.nodeid) for item in items])

    def pytest_exception_interact(self, node: pytest.Item | pytest.Collector, call: pytest.CallInfo[Any]) -> None:
        if isinstance(node, pytest.Collector) and call.excinfo is not None:
            failure = describe_exception(call.excinfo.value, self.module_file, self.check_file)
            self.emit("collect_error", failure={**failure.to_json(), "kind": "crash"})

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.emit("start", test=_test_name(nodeid))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
        yield
        excinfo = call.excinfo
        if excinfo is None or excinfo.errisinstance(pytest.skip.Exception):
            return
        name = _test_name(item.nodeid)
        if excinfo.value is self.import_exception and self.import_failure is not None:
            self.failures.setdefault(name, self.import_failure)
        elif name not in self.failures:
            self.failures[name] = describe_exception(excinfo.value, self.module_file, self.check_file)
        if self.import_exception is not None:
            item.session.shouldstop = "the module does not import"  # every other check would fail the same way

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = _test_name(report.nodeid)
        if report.when == "call" or report.skipped or report.outcome != "passed":
            outcome = report.outcome if report.when == "call" or report.skipped else "error"
            failure = None
            if outcome not in ("passed", "skipped"):
                failure = self.failures.get(name) or Failure("exception", str(report.longrepr or "")[:240])
            self.emit("test", test=name, outcome=outcome, failure=failure.to_json() if failure else None)


def _confine(job: CheckJob) -> None:
    """What every grading process gets: no terminal, capped memory and file size, a scratch folder."""
    from grader.host.session import refuse_servers  # uvicorn.run at import fails at once, as when graded
    from grader.judge.child import limit_resources, silence_standard_streams  # one definition, shared with grading

    silence_standard_streams()
    limit_resources()
    refuse_servers()
    os.environ["TMPDIR"] = job.scratch
    tempfile.tempdir = None
    os.chdir(job.scratch)


def run_in_child(job: CheckJob) -> None:
    """Run the checks and report them on ``job.write_fd``. Called in the forked process; returns when done."""
    emit = _Emitter(job.write_fd)
    try:
        _confine(job)
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        plugin = _CheckPlugin(job, emit)
        plugin.observe_loads()
        args = [job.check_file, "--target", job.target_dir, *pytest_args(job.kit_root, job.scratch)]
        code = pytest.main(args, plugins=[plugin])
        emit("finished", exit_code=int(code))
    except BaseException as exc:  # the parent gets a line, not silence
        failure = Failure("crash", f"the check itself failed: {type(exc).__name__}: {exc}"[:240])
        emit("collect_error", failure=failure.to_json())
    finally:
        sys.stdout.flush()


if __name__ == "__main__":  # where fork is missing: the job comes on stdin, the events go out on stdout
    fields = json.loads(sys.stdin.read())
    fields["write_fd"] = os.dup(1)  # kept before the standard streams are silenced
    run_in_child(CheckJob(**fields))
    os._exit(0)
