"""The result vocabulary shared by the runner, the scoring, every report renderer and the JSON output."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from grader.text.words import counted

__all__ = [
    "STATUSES",
    "QuestionResult",
    "RawRun",
    "RunOutcome",
    "Status",
    "SubmissionResult",
    "TestFailure",
    "TestOutcome",
]

Status = Literal["passed", "failed", "error", "timeout", "missing", "not_attempted"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "error", "timeout", "missing", "not_attempted")
# One character per status, for the class grid and the candidate's list (a legend goes with every use).
STATUS_SYMBOLS: dict[str, str] = {
    "passed": "✓",
    "failed": "✗",
    "error": "!",
    "timeout": "T",
    "missing": "-",
    "not_attempted": "·",
}

# How the grading process for one question ended, before any scoring. ``not_attempted``: the file is the
# untouched stub, so nothing ran (its tests would only fail, thirteen times over, saying nothing).
RunOutcome = Literal["completed", "missing", "import_error", "timeout", "crashed", "not_attempted"]


@dataclass(frozen=True)
class TestOutcome:
    __test__ = False  # a result type, not a pytest test class

    name: str
    outcome: str  # passed | failed | error | skipped
    message: str = ""


@dataclass(frozen=True)
class RawRun:
    """What the runner observed for one question: no points, no statuses, just facts."""

    question_id: str
    outcome: RunOutcome
    collected: tuple[str, ...]
    tests: tuple[TestOutcome, ...]
    message: str
    duration_s: float
    flags: tuple[str, ...] = ()  # what a static read of the file found worth a human look (see integrity.py)
    sandbox_layers: tuple[str, ...] = ()  # the confinement its app hosts ran under (see grader.sandbox)


@dataclass(frozen=True)
class TestFailure:
    __test__ = False

    test: str
    message: str


@dataclass(frozen=True)
class QuestionResult:
    id: str
    slug: str
    title: str
    level: str
    status: Status
    points: float
    max_points: float
    tests_passed: int
    tests_total: int
    tests_skipped: int
    duration_s: float
    message: str = ""
    failures: tuple[TestFailure, ...] = ()
    flags: tuple[str, ...] = ()
    sandbox: tuple[str, ...] = ()  # the sandbox layers its app hosts ran under (empty: none ran)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def reason(self) -> str:
        """Why the question did not earn its points, in one line for the reader of a report ('' if it did)."""
        if self.status == "passed":
            return ""
        if self.status == "not_attempted":
            return "not attempted: the file is the untouched stub"
        if self.status == "failed":
            first = self.failures[0].message if self.failures else ""
            failed = self.tests_total - self.tests_passed - self.tests_skipped
            return f"{counted(failed, 'test')} failed" + (f", first: {first}" if first else "")
        if self.status == "missing" and not self.message:
            return f"missing: there is no {self.id}_{self.slug}.py"
        return f"{self.status}: {self.message}" if self.message else self.status

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        data["reason"] = self.reason
        data["failures"] = [asdict(f) for f in self.failures]
        data["flags"] = list(self.flags)
        data["sandbox"] = list(self.sandbox)
        return data


@dataclass(frozen=True)
class SubmissionResult:
    target: str
    questions: tuple[QuestionResult, ...]
    duration_s: float

    @property
    def score(self) -> float:
        return round(sum(q.points for q in self.questions), 2)

    @property
    def max_score(self) -> float:
        return round(sum(q.max_points for q in self.questions), 2)

    @property
    def percent(self) -> float:
        return round(100.0 * self.score / self.max_score, 1) if self.max_score else 0.0

    @property
    def levels(self) -> dict[str, dict[str, float]]:
        """Score and maximum per level, in the order the levels first appear."""
        totals: dict[str, dict[str, float]] = {}
        for q in self.questions:
            level = totals.setdefault(q.level, {"score": 0.0, "max_score": 0.0})
            level["score"] = round(level["score"] + q.points, 2)
            level["max_score"] = round(level["max_score"] + q.max_points, 2)
        return totals

    @property
    def sandbox(self) -> dict[str, list[str]]:
        """The sandbox layers active for every question whose module ran, and those missing for some."""
        from grader.sandbox import LAYERS

        # A question whose module never answered (missing, not attempted, an import error or timeout) has
        # no layers to report: unknown, not missing.
        unknown = ("missing", "error", "timeout", "not_attempted")
        ran = [set(q.sandbox) for q in self.questions if q.sandbox or q.status not in unknown]
        active = set.intersection(*ran) if ran else set()
        return {
            "active": [layer for layer in LAYERS if layer in active],
            "missing": [layer for layer in LAYERS if ran and layer not in active],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "sandbox": self.sandbox,
            "score": self.score,
            "max_score": self.max_score,
            "percent": self.percent,
            "duration_s": round(self.duration_s, 2),
            "levels": self.levels,
            "questions": [q.to_dict() for q in self.questions],
        }
