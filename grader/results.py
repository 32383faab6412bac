"""The result vocabulary shared by the runner, the scoring, every report renderer and the JSON output."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

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

Status = Literal["passed", "failed", "error", "timeout", "missing"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "error", "timeout", "missing")

# How the grading process for one question ended, before any scoring.
RunOutcome = Literal["completed", "missing", "import_error", "timeout", "crashed"]


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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
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

        ran = [set(q.sandbox) for q in self.questions if q.sandbox or q.status not in ("missing", "error")]
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
