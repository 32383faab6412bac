"""Submissions that are identical or nearly so, per question, to each other or to the reference solution.

A report for a person to read, never a verdict: nothing here reads or changes a score.

The fingerprinting is copydetect's (the winnowing of Schleimer, Wilkerson and Aiken, as MOSS uses): a file
is tokenised with Pygments, names and strings are replaced by placeholders (so renaming variables does not
hide a copy), and its k-grams are hashed. Two files' similarity is the share of each one's tokens covered by
fingerprints the other shares. Every student starts from the same stub, so the stub's own text would make
every pair look alike: its fingerprints (every k-gram of the question's stub) are removed from both files
before comparing, and a file that is still the untouched stub is not compared at all.

Why the stub is removed here rather than by copydetect's ``boilerplate`` argument: in copydetect 0.5.0 that
path intersects the file's fingerprints with ``numpy.intersect1d(..., assume_unique=True)`` although a file's
fingerprints repeat (two routes of the same shape), so it also drops the positions of repeated code that is
not in the stub at all, and the similarity it reports falls (0.98 to 0.85 in the kit's own test). Removing
the stub's hashes from the fingerprint afterwards keeps every other position.

Similar is not the same as copied: independent correct answers to a short question have little room to differ
(an honest answer to q03 shares 94% of its text with the reference solution). So each question gets a
**baseline**, how alike independent correct answers to it are: the kit's reference solution against its blind
alternative (``tests/alternatives/``, written from the stub alone), raised to the class's own typical level (the
median, over the class's answers, of each answer's closest classmate) when the class has enough answers. A pair
**stands out** only when it reaches the threshold, exceeds the baseline by a margin, and shares enough text to
tell a copy from convergence (``MIN_SHARED`` filtered characters: 100% of a ten-line answer is no evidence).
Pairs that stand out are grouped into **clusters** (students sharing one answer, the reference solution
included when they share it), ranked by how far they stand out from their question's baseline. Nothing here
names a classmate on a student's own page: the student pages of the HTML report say only that an answer is in
a cluster, the class page (the teacher's) says who.

The files compared are those the gradebook graded. It keeps the text of each graded file, so they are
compared from there: the exact text that was graded, even after the submission's folder or archive is gone.
A gradebook from before files were kept (or one that lacks a graded file) still has each submission's source
path (a folder or an archive) and the hash of its exercise files: the files are then read again from there
(archives extracted safely, files taken in as grading takes them in), and a submission whose source is gone,
unusable or changed since it was graded is listed as such.
"""

from __future__ import annotations

import hashlib
import io
import os
import statistics
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

from grader.book.archives import is_archive
from grader.book.gradebook import StoredSubmission
from grader.book.intake import take_in
from grader.book.submissions import content_hash, find_exercise_folder, resolve_submissions
from grader.kit import alternatives_dir, exercises_dir, solutions_dir
from grader.kit.catalogue import Question, load_catalogue
from grader.text.safetext import printable
from grader.text.words import counted

__all__ = [
    "DEFAULT_MARGIN",
    "DEFAULT_THRESHOLD",
    "MIN_CLASS_ANSWERS",
    "MIN_SHARED",
    "NOISE_THRESHOLD",
    "REFERENCE",
    "Baseline",
    "Cluster",
    "SimilarPair",
    "SimilarityReport",
    "SimilarityUnavailable",
    "cluster_pairs",
    "compare_question",
    "find_similar",
    "graded_files",
    "kit_baseline",
    "load_submission_files",
    "render_similarity_table",
    "similarity_to_dict",
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


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n")


def _fingerprint(text: str, stub_hashes: set[Any]) -> Any:
    """copydetect's fingerprint of ``text``, with the stub's fingerprints taken out (see the module's note)."""
    from copydetect import CodeFingerprint
    from copydetect.utils import get_token_coverage

    fingerprint = CodeFingerprint("answer.py", NOISE_THRESHOLD, WINDOW, fp=io.StringIO(text))
    if stub_hashes:
        fingerprint.hashes = {h for h in fingerprint.hashes if h not in stub_hashes}
        fingerprint.hash_idx = {h: idx for h, idx in fingerprint.hash_idx.items() if h not in stub_hashes}
        fingerprint.token_coverage = get_token_coverage(
            fingerprint.hash_idx, NOISE_THRESHOLD, len(fingerprint.filtered_code)
        )
    return fingerprint


def _stub_hashes(stub: str | None) -> set[Any]:
    """Every k-gram hash of the stub (a window of 1, as copydetect takes boilerplate)."""
    if not stub:
        return set()
    from copydetect import CodeFingerprint

    return set(CodeFingerprint("stub.py", NOISE_THRESHOLD, 1, fp=io.StringIO(stub)).hashes)


def _import_copydetect() -> None:
    """copydetect imports matplotlib.pyplot for its own HTML report: keep it off any display."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        import copydetect  # noqa: F401
    except ImportError as exc:
        raise SimilarityUnavailable(
            "comparing answers needs copydetect, the kit's `grader` extra:"
            ' pip install -e ".[grader]" -c constraints.txt'
        ) from exc


def compare_question(
    question_id: str,
    answers: Mapping[str, str],
    stub: str | None = None,
    reference: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[list[SimilarPair], int]:
    """Every pair of ``answers`` (submission name → source text), and each answer against ``reference``,
    whose similarity reaches ``threshold``; and how many answers had text of their own to compare.

    An answer that is the untouched ``stub`` (line endings aside) or empty is left out: two students who did
    not attempt a question have not copied each other.
    """
    pairs, count, _closest = _compare(question_id, answers, stub, reference, threshold)
    return pairs, count


def _compare(
    question_id: str,
    answers: Mapping[str, str],
    stub: str | None,
    reference: str | None,
    threshold: float,
) -> tuple[list[SimilarPair], int, dict[str, float]]:
    """``compare_question``'s pairs and count, and each answer's similarity to its closest classmate."""
    _import_copydetect()
    from copydetect import compare_files

    stub_text = _normalised(stub) if stub is not None else None
    own = {
        name: _normalised(text)
        for name, text in sorted(answers.items())
        if text.strip() and _normalised(text) != stub_text
    }
    boiler = _stub_hashes(stub_text)
    candidates = list(combinations(own, 2))
    if reference is not None and reference.strip():
        own[REFERENCE] = _normalised(reference)
        candidates += [(name, REFERENCE) for name in own if name != REFERENCE]
    # A class shares many texts (a copy handed round, the reference pasted in): each distinct text is
    # fingerprinted once and each distinct pair of texts compared once, whoever holds them.
    prints = {text: _fingerprint(text, boiler) for text in set(own.values())}
    compared: dict[tuple[str, str], tuple[Any, tuple[Any, Any]]] = {}
    pairs = []
    closest: dict[str, float] = {}
    for first, second in candidates:
        key = (own[first], own[second])
        identical = key[0] == key[1]
        if key not in compared:
            overlap, shares, _slices = compare_files(prints[key[0]], prints[key[1]])
            compared[key] = (overlap, shares)
        overlap, (share1, share2) = compared[key]
        if identical:
            share1 = share2 = 1.0
        pair = SimilarPair(
            question_id, first, second, round(float(share1), 3), round(float(share2), 3), identical, int(overlap)
        )
        if pair.similarity >= threshold:
            pairs.append(pair)
        if second != REFERENCE:
            for name in (first, second):
                closest[name] = max(closest.get(name, 0.0), pair.similarity)
    pairs.sort(key=lambda p: (-p.similarity, p.first, p.second))
    return pairs, len(own) - (1 if REFERENCE in own else 0), closest


def kit_baseline(question: Question) -> float | None:
    """How alike the kit's two independent correct answers to ``question`` are: the reference solution and the
    blind alternative, compared as students' answers are (the stub's text out). None when either is absent."""
    paths = tuple(d / question.filename for d in (exercises_dir(), solutions_dir(), alternatives_dir()))
    if not all(path.is_file() for path in paths):
        return None
    return _kit_baseline(question.id, *(path.read_text(encoding="utf-8") for path in paths))


@cache
def _kit_baseline(question_id: str, stub: str, solution: str, alternative: str) -> float:
    pairs, _count = compare_question(question_id, {"alternative": alternative}, stub, solution, threshold=0)
    return pairs[0].similarity if pairs else 0.0


def _typical(closest: Mapping[str, float]) -> float | None:
    """The class's typical similarity: the median of each answer's closest classmate, from MIN_CLASS_ANSWERS on."""
    if len(closest) < MIN_CLASS_ANSWERS:
        return None
    return round(statistics.median(closest.values()), 3)


def _judged(pair: SimilarPair, baseline: float, threshold: float, margin: float, min_shared: int) -> SimilarPair:
    stands_out = (
        pair.similarity >= threshold and pair.similarity >= baseline + margin - 1e-9 and pair.overlap >= min_shared
    )
    return replace(pair, baseline=baseline, stands_out=stands_out)


def cluster_pairs(pairs: Iterable[SimilarPair]) -> tuple[Cluster, ...]:
    """The clusters of the pairs that stand out: per question, the submissions they connect (a union-find),
    ranked over every question by how far they stand out from their baseline, then by size."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    flagged = [p for p in pairs if p.stands_out]
    for p in flagged:
        parent[root((p.question_id, p.first))] = root((p.question_id, p.second))
    groups: dict[tuple[str, str], list[SimilarPair]] = {}
    for p in flagged:
        groups.setdefault(root((p.question_id, p.first)), []).append(p)
    unranked = []
    for (question_id, _root), inside in groups.items():
        names = {n for p in inside for n in (p.first, p.second)}
        members = (*sorted(names - {REFERENCE}), *((REFERENCE,) if REFERENCE in names else ()))
        best = max(p.similarity for p in inside)
        identical = all(p.identical for p in inside)
        unranked.append((question_id, members, best, inside[0].baseline, identical))
    unranked.sort(key=lambda c: (-(c[2] - c[3]), -len(c[1]), c[0], c[1]))
    return tuple(Cluster(rank, *fields) for rank, fields in enumerate(unranked, start=1))


# A question graded with one of these statuses ran its file: the gradebook holds that file's text.
_RAN = ("passed", "failed", "timeout")


def graded_files(stored: StoredSubmission, questions: Iterable[Question]) -> dict[str, str] | None:
    """The graded files' text the gradebook kept (question id → text), or None when it lacks some of them.

    It lacks them when a question has no stored result, or ran its file (passed, failed, timed out) without
    the file's text being kept (a gradebook from before files were kept). A question without a file (missing,
    not attempted, refused at intake) has no text to compare, and needs none.
    """
    results = {q.id: q for q in stored.result.questions}
    files = {}
    for question in questions:
        text = stored.sources.get(question.id)
        result = results.get(question.id)
        if text is not None:
            files[question.id] = text
        elif result is None or result.status in _RAN or (result.status == "error" and not stored.sources):
            return None  # an error may be a file that did not import: known only if the gradebook kept files
    return files


def load_submission_files(
    stored: StoredSubmission, questions: Iterable[Question], scratch: Path
) -> tuple[dict[str, str], str]:
    """The stored submission's exercise files (question id → text), and a note.

    The files are the graded text the gradebook kept when it holds them all (see ``graded_files``); otherwise
    they are read again from the submission's source. The note is empty when the files are those that were
    graded; otherwise it says why they could not be read (the source is gone or unusable) or that they changed
    since grading (then they are compared all the same).
    """
    questions = tuple(questions)
    if stored.problem:
        return {}, f"not compared: {stored.problem}"
    kept = graded_files(stored, questions)
    if kept is not None:
        return kept, ""
    source = Path(stored.source)
    if not source.exists():
        return {}, f"not compared: its source {source} is no longer there"
    destination = scratch / hashlib.sha256(f"{stored.id}:{stored.source}".encode()).hexdigest()[:16]
    destination.mkdir(parents=True)
    if is_archive(source):
        try:
            (submission,) = resolve_submissions([source], destination)
        except ValueError as exc:
            return {}, f"not compared: {exc}"
        folder = submission.folder
        if folder is None:
            return {}, f"not compared: {submission.problem}"
    else:
        found = find_exercise_folder(source, questions)
        if found is None:
            return {}, f"not compared: {source} holds none of the kit's exercise files"
        folder = destination / "files"
        # Every exercise file, as grading took them in (regular files of bounded size), so the hash compares.
        take_in(found, folder, [q.filename for q in load_catalogue()])
    files = {
        q.id: (folder / q.filename).read_bytes().decode("utf-8", errors="replace")
        for q in questions
        if (folder / q.filename).is_file()
    }
    changed = stored.content_hash and content_hash(folder) != stored.content_hash
    return files, ("its files changed since it was graded" if changed else "")


def find_similar(
    submissions: list[StoredSubmission],
    questions: tuple[Question, ...],
    threshold: float = DEFAULT_THRESHOLD,
    reference: bool = True,
    margin: float = DEFAULT_MARGIN,
    min_shared: int | None = None,
) -> SimilarityReport:
    """Compare, question by question, the files of the gradebook's ``submissions`` (and the kit's solutions);
    judge each pair against its question's baseline and group those that stand out into ranked clusters.

    ``min_shared`` defaults to ``MIN_SHARED`` as it is when called (a test with few-line answers lowers it)."""
    min_shared = MIN_SHARED if min_shared is None else min_shared
    if not 0 <= threshold <= 1:
        raise ValueError(f"the threshold is a share between 0 and 1, not {threshold:g}")
    _import_copydetect()
    answers: dict[str, dict[str, str]] = {q.id: {} for q in questions}
    skipped: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="similarity-") as scratch:
        for stored in submissions:
            files, note = load_submission_files(stored, questions, Path(scratch))
            if note:
                skipped.append((stored.name, printable(note)))
            for qid, text in files.items():
                answers[qid][stored.name] = text
    pairs: list[SimilarPair] = []
    compared: dict[str, int] = {}
    baselines: dict[str, Baseline] = {}
    for q in questions:
        stub_path, solution_path = exercises_dir() / q.filename, solutions_dir() / q.filename
        stub = stub_path.read_text(encoding="utf-8") if stub_path.is_file() else None
        solution = solution_path.read_text(encoding="utf-8") if reference and solution_path.is_file() else None
        found, compared[q.id], closest = _compare(q.id, answers[q.id], stub, solution, threshold)
        baselines[q.id] = baseline = Baseline(q.id, kit_baseline(q), _typical(closest))
        pairs.extend(_judged(p, baseline.value, threshold, margin, min_shared) for p in found)
    return SimilarityReport(
        threshold,
        tuple(pairs),
        compared,
        tuple(skipped),
        baselines,
        cluster_pairs(pairs),
        margin,
        min_shared,
    )


def similarity_to_dict(report: SimilarityReport) -> dict[str, Any]:
    """The report as JSON data (``grade similarity --json``): the ranked clusters, the baselines, every pair."""
    return {
        "threshold": report.threshold,
        "noise_threshold": NOISE_THRESHOLD,
        "margin": report.margin,
        "min_shared": report.min_shared,
        "clusters": [
            {
                "rank": c.rank,
                "question": c.question_id,
                "members": list(c.members),
                "similarity": c.similarity,
                "baseline": c.baseline,
                "excess": c.excess,
                "identical": c.identical,
            }
            for c in report.clusters
        ],
        "baselines": {
            qid: {"kit": b.kit, "class": b.typical, "baseline": b.value} for qid, b in report.baselines.items()
        },
        "pairs": [
            {
                "question": p.question_id,
                "first": p.first,
                "second": p.second,
                "similarity": p.similarity,
                "first_share": p.first_share,
                "second_share": p.second_share,
                "identical": p.identical,
                "overlap": p.overlap,
                "baseline": p.baseline,
                "stands_out": p.stands_out,
            }
            for p in report.pairs
        ],
        "compared": report.compared,
        "skipped": [{"name": name, "reason": reason} for name, reason in report.skipped],
    }


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def _points(excess: float) -> str:
    """An excess over the baseline in percentage points: ``+51``."""
    return f"{100 * excess:+.0f}"


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.extend("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)
    return lines


def explain(report: SimilarityReport) -> str:
    """One sentence on what stands out and why the rest does not, for every rendering of the report."""
    students = {name for c in report.clusters for name in c.students}
    quiet = len(report.pairs) - len(report.flagged)
    identical = sum(1 for p in report.pairs if p.identical and not p.stands_out)
    clusters = counted(len(report.clusters), "cluster")
    return (
        f"{clusters} of answers stand{'s' if len(report.clusters) == 1 else ''} out"
        f" ({counted(len(students), 'student')}): pairs at {_percent(report.threshold)} similarity or more, at"
        f" least {round(100 * report.margin)} points above their question's baseline (how alike independent"
        f" correct answers to it are) and sharing at least {report.min_shared} characters of their own text."
        f" {counted(quiet, 'other pair')} at {_percent(report.threshold)} or more {'is' if quiet == 1 else 'are'}"
        " no more alike than independent answers to their question, or too short to tell, and not flagged"
        + (f" ({identical} of them identical files)" if identical else "")
        + ". The stubs' own text is excluded; scores are unchanged."
    )


def render_similarity_table(report: SimilarityReport, every_pair: bool = False) -> str:
    """The terminal table: one row per cluster, the most standing-out first (``every_pair``: a row per pair)."""
    if report.unavailable:
        return report.unavailable
    lines = []
    if every_pair and report.pairs:
        headers = ("question", "first", "second", "similarity", "shares", "baseline", "")
        rows = [
            (
                p.question_id,
                printable(p.first),
                printable(p.second),
                _percent(p.similarity),
                f"{_percent(p.first_share)} / {_percent(p.second_share)}",
                _percent(p.baseline),
                ", ".join(x for x in ("stands out" if p.stands_out else "", "identical" if p.identical else "") if x),
            )
            for p in report.pairs
        ]
        lines += [*_table(headers, rows), ""]
    elif report.clusters:
        headers = ("rank", "question", "similarity", "baseline", "above", "members")
        rows = [
            (
                f"{c.rank}",
                c.question_id,
                _percent(c.similarity) + (" identical" if c.identical else ""),
                _percent(c.baseline),
                _points(c.excess),
                ", ".join(printable(m) for m in c.members),
            )
            for c in report.clusters
        ]
        lines += [*_table(headers, rows), ""]
    lines.append(explain(report) + ("" if every_pair else " (--all lists every pair)"))
    lines.extend(f"{name}: {reason}" for name, reason in report.skipped)
    return "\n".join(lines)
