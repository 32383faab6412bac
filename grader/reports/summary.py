"""What every report says about the class as a whole: one definition of the class mean, and who it leaves out.

The mean is taken over the **graded** submissions: those that could be graded (no ``problem``) and whose every
question has a result. An unusable submission (a corrupt archive, a folder of nothing), a student on the roster
who handed in nothing, and a submission whose grading is not finished say nothing about the class's work: they
are counted apart, by kind, and every report (the terminal table, the JSON, the JUnit file and the HTML class
page) states the same mean with the same sentence. Each student's own row still shows their score.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from grader.book.gradebook import StoredSubmission

__all__ = ["MEAN_DEFINITION", "ClassMean", "class_mean", "graded", "incomplete_note", "is_absent"]

# The roster's placeholder for a student who handed in nothing (grader.book.assignments.NO_SUBMISSION starts so).
_ABSENT_PREFIX = "no submission:"

MEAN_DEFINITION = (
    "the mean of the final percent (after any late penalty) over the graded submissions; unusable, absent"
    " and incomplete ones are not counted"
)


def is_absent(sub: StoredSubmission) -> bool:
    """A roster student who handed in nothing (not a submission that failed)."""
    return sub.problem.startswith(_ABSENT_PREFIX)


def graded(submissions: Iterable[StoredSubmission]) -> list[StoredSubmission]:
    """The submissions the class's numbers are taken over: usable, and every question graded."""
    return [s for s in submissions if not s.problem and not s.incomplete]


@dataclass(frozen=True)
class ClassMean:
    mean: float | None  # percent, None when no submission is graded
    counted: int
    unusable: int
    absent: int
    incomplete: int

    def left_out(self) -> str:
        """``2 unusable, 1 absent`` ('' when every submission counts)."""
        kinds = (("unusable", self.unusable), ("absent", self.absent), ("incomplete", self.incomplete))
        return ", ".join(f"{count} {kind}" for kind, count in kinds if count)

    def sentence(self) -> str:
        """``mean 62.5% over 38 graded submissions (not counted: 2 unusable, 1 absent)``."""
        noun = "submission" if self.counted == 1 else "submissions"
        text = (
            f"mean {self.mean:.1f}% over {self.counted} graded {noun}"
            if self.mean is not None
            else "no graded submission: no mean"
        )
        return text + (f" (not counted: {self.left_out()})" if self.left_out() else "")

    def to_dict(self) -> dict[str, object]:
        return {
            "mean_percent": None if self.mean is None else round(self.mean, 1),
            "counted": self.counted,
            "not_counted": {"unusable": self.unusable, "absent": self.absent, "incomplete": self.incomplete},
            "definition": MEAN_DEFINITION,
        }


def class_mean(submissions: list[StoredSubmission]) -> ClassMean:
    """The class mean under ``MEAN_DEFINITION``, and how many submissions of each kind it leaves out."""
    counted = graded(submissions)
    absent = sum(1 for s in submissions if is_absent(s))
    unusable = sum(1 for s in submissions if s.problem) - absent
    incomplete = sum(1 for s in submissions if not s.problem and s.incomplete)
    mean = statistics.fmean(s.final_percent for s in counted) if counted else None
    return ClassMean(mean, len(counted), unusable, absent, incomplete)


def incomplete_note(sub: StoredSubmission) -> str:
    """``incomplete: q05, q07 not graded yet`` for a submission whose grading is not finished ('' otherwise)."""
    if not sub.incomplete:
        return ""
    return f"incomplete: {', '.join(sub.ungraded)} not graded yet (run the same grading again to finish)"
