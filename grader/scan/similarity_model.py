"""What a similarity report is made of, apart from how it is computed: the thresholds, pairs, baselines, clusters.

The data ``grader.scan.similarity`` produces and every rendering reads (the terminal table and JSON of
``similarity_text``, the HTML report's section and student pages): shared here so that a reader of a report
needs neither copydetect nor the comparison. The numbers' reasons are given beside each constant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "DEFAULT_MARGIN",
    "DEFAULT_THRESHOLD",
    "MIN_CLASS_ANSWERS",
    "MIN_SHARED",
    "NOISE_THRESHOLD",
    "REFERENCE",
    "WINDOW",
    "Baseline",
    "Cluster",
    "SimilarPair",
    "SimilarityReport",
    "SimilarityUnavailable",
]

# "Near-identical": at least this share of one file's own (non-stub) tokens is found in the other.
DEFAULT_THRESHOLD = 0.8
# copydetect's defaults: k-grams of 25 filtered characters, and every k-gram kept (a window of 1), so a shared
# run of 25 characters is always found and the result does not depend on the hash values.
NOISE_THRESHOLD = 25
WINDOW = 1
REFERENCE = "(reference solution)"
# A pair stands out when it is at least this much more alike than the question's baseline (0.49 → 0.59 or more)...
DEFAULT_MARGIN = 0.1
# ... and shares at least this many filtered characters (names and strings replaced, spaces and comments gone):
# sixteen of copydetect's 25-character k-grams, some fifteen lines of code. The kit's honest pairs share up to
# 215 on short questions (q03: an independent answer and the reference, 94% alike); q02's whole reference is 120.
MIN_SHARED = 400
# The class's own typical similarity counts towards the baseline from this many answers to the question.
MIN_CLASS_ANSWERS = 5


class SimilarityUnavailable(RuntimeError):
    """copydetect is not installed: it is the kit's `grader` extra, never part of a candidate's pack."""


@dataclass(frozen=True)
class SimilarPair:
    """Two answers to one question that share much of their own text (``second`` may be ``REFERENCE``)."""

    question_id: str
    first: str
    second: str
    first_share: float  # of first's own tokens (stub removed), the share found in second
    second_share: float
    identical: bool  # the same bytes (line endings aside)
    overlap: int  # shared filtered characters
    baseline: float = 0.0  # the question's baseline (``Baseline.value``)
    stands_out: bool = False  # reaches the threshold, the baseline plus the margin, and MIN_SHARED

    @property
    def similarity(self) -> float:
        """The larger share: a file copied whole into a longer one is caught from its own side."""
        return max(self.first_share, self.second_share)

    @property
    def excess(self) -> float:
        """How far above its question's baseline the pair is (negative: below it)."""
        return round(self.similarity - self.baseline, 3)


@dataclass(frozen=True)
class Baseline:
    """How alike independent answers to one question are, from the kit and from the class."""

    question_id: str
    kit: float | None = None  # the reference solution against the blind alternative (None: not both in the kit)
    typical: float | None = None  # the class: median of each answer's closest classmate (None: too few answers)

    @property
    def value(self) -> float:
        """The baseline pairs are measured against: the higher of the two (0 when neither is known)."""
        return max((v for v in (self.kit, self.typical) if v is not None), default=0.0)


@dataclass(frozen=True)
class Cluster:
    """Submissions sharing one answer to a question: connected by pairs that stand out."""

    rank: int  # 1 stands out the most, over every question
    question_id: str
    members: tuple[str, ...]  # submission names, sorted; REFERENCE last when they share the reference solution
    similarity: float  # the highest similarity of a pair inside
    baseline: float
    identical: bool  # every pair inside holds the same text

    @property
    def excess(self) -> float:
        return round(self.similarity - self.baseline, 3)

    @property
    def students(self) -> tuple[str, ...]:
        return tuple(m for m in self.members if m != REFERENCE)

    @property
    def with_reference(self) -> bool:
        return REFERENCE in self.members


@dataclass(frozen=True)
class SimilarityReport:
    threshold: float
    pairs: tuple[SimilarPair, ...]  # every pair at the threshold or above, standing out or not
    compared: dict[str, int] = field(default_factory=dict)  # per question, how many submissions had own text
    skipped: tuple[tuple[str, str], ...] = ()  # (submission name, why its files were not compared)
    baselines: dict[str, Baseline] = field(default_factory=dict)
    clusters: tuple[Cluster, ...] = ()  # ranked: the most standing-out first
    margin: float = DEFAULT_MARGIN
    min_shared: int = MIN_SHARED
    unavailable: str = ""  # why nothing could be compared (copydetect is not installed)

    @property
    def flagged(self) -> tuple[SimilarPair, ...]:
        return tuple(p for p in self.pairs if p.stands_out)

    def cluster_of(self, question_id: str, name: str) -> Cluster | None:
        """The cluster ``name``'s answer to ``question_id`` is in, if any."""
        return next((c for c in self.clusters if c.question_id == question_id and name in c.members), None)
