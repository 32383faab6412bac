"""What one check of one question found, folded from the events its process wrote as it went.

The check process writes one JSON object per line on a pipe, in this order: ``collected`` (the test names),
``importing`` / ``imported`` around each load of the module, ``start`` and ``test`` for each test (the latter
with its outcome and, when it did not pass, a failure), ``import_error`` when the module could not be imported,
and ``finished``. Events arrive as they happen, so a check killed at its time limit, or cancelled by a new
save, still says how far it got: a module that never finished importing is told apart from a stuck test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.candidate.failures import Failure

__all__ = ["STATUSES", "CheckResult", "TestResult", "fold_events"]

# The states a question can be in, as the list and the watch screen show them.
STATUSES = ("done", "failing", "error", "timeout", "unchecked")


@dataclass(frozen=True)
class TestResult:
    name: str
    outcome: str  # passed | failed | error | skipped
    failure: Failure | None = None

    @property
    def label(self) -> str:
        """The test's name as a sentence: ``test_root_says_hello_world`` -> ``root says hello world``."""
        return self.name.removeprefix("test_").replace("_", " ")


@dataclass(frozen=True)
class CheckResult:
    """One question's public checks against the candidate's file. ``problem`` is what stopped the checks as a
    whole (an import error, the time limit, a crash, a missing file); ``tests`` are those that ran."""

    question_id: str
    status: str  # done | failing | error | timeout
    tests: tuple[TestResult, ...] = ()
    problem: Failure | None = None
    duration_s: float = 0.0
    collected: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failures(self) -> tuple[TestResult, ...]:
        return tuple(t for t in self.tests if t.outcome not in ("passed", "skipped"))


def _exit_description(exit_code: int | None) -> str:
    if exit_code is None:
        return "it was stopped"
    if exit_code < 0:
        return f"killed by signal {-exit_code}"
    return f"exit code {exit_code}"


def fold_events(
    question_id: str, events: list[dict], *, ended: str, exit_code: int | None, limit_s: float, duration_s: float
) -> CheckResult:
    """The result of a check from its events. ``ended`` is ``exited`` (the process ended by itself) or
    ``timeout`` (it was killed at ``limit_s``)."""
    collected: tuple[str, ...] = ()
    tests: dict[str, TestResult] = {}
    running = ""
    loading = False
    problem: Failure | None = None
    finished = False
    for event in events:
        kind = event.get("event")
        if kind == "collected":
            collected = tuple(str(name) for name in event.get("tests", ()))
        elif kind == "importing":
            loading = True
        elif kind == "imported":
            loading = False
        elif kind == "start":
            running = str(event.get("test", ""))
        elif kind == "test":
            failure = event.get("failure")
            name = str(event.get("test", ""))
            tests.setdefault(
                name, TestResult(name, str(event.get("outcome")), Failure.from_json(failure) if failure else None)
            )
        elif kind == "import_error" or kind == "collect_error":
            problem = problem or Failure.from_json(event.get("failure") or {})
        elif kind == "finished":
            finished = True
    results = tuple(tests.values())
    if problem is not None and problem.kind in ("import", "syntax"):
        return CheckResult(question_id, "error", (), problem, duration_s, collected)
    if ended == "timeout":
        if loading:
            summary = f"the module did not finish importing within the {limit_s:g} s limit"
            details = ("code at module level runs at import: look for a loop that never ends or a call that waits",)
        else:
            stuck = running if running and running not in tests else ""
            summary = f"the checks did not finish within the {limit_s:g} s limit" + (
                f" (stuck in {stuck.removeprefix('test_').replace('_', ' ')})" if stuck else ""
            )
            details = (
                "a handler or a dependency that never returns (a loop, a lock, a blocking call) hangs its check",
            )
        return CheckResult(question_id, "timeout", results, Failure("timeout", summary, details=details), duration_s)
    if problem is not None:
        return CheckResult(question_id, "error", results, problem, duration_s, collected)
    if not finished:
        summary = f"the check process ended early ({_exit_description(exit_code)})"
        where = f"while running {running.removeprefix('test_').replace('_', ' ')}" if running else ""
        details = (where,) if where else ()
        crash = Failure("crash", summary, details=(*details, "does the module call sys.exit() or os._exit()?"))
        return CheckResult(question_id, "error", results, crash, duration_s, collected)
    passed = bool(results) and all(t.outcome in ("passed", "skipped") for t in results)
    return CheckResult(question_id, "done" if passed else "failing", results, None, duration_s, collected)
