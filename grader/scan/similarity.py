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

The module is the comparison itself (fingerprints, pairs, baselines, clusters) and ``find_similar``, which runs
it over a gradebook. What a report is made of lives in ``similarity_model``, which files are compared in
``similarity_files``, the terminal and JSON renderings in ``similarity_text``; their names are re-exported here.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

from grader.book.gradebook import StoredSubmission
from grader.kit import alternatives_dir, exercises_dir, solutions_dir
from grader.kit.catalogue import Question
from grader.scan.similarity_files import graded_files, load_submission_files
from grader.scan.similarity_model import (
    DEFAULT_MARGIN,
    DEFAULT_THRESHOLD,
    MIN_CLASS_ANSWERS,
    MIN_SHARED,
    NOISE_THRESHOLD,
    REFERENCE,
    WINDOW,
    Baseline,
    Cluster,
    SimilarityReport,
    SimilarityUnavailable,
    SimilarPair,
)
from grader.scan.similarity_text import explain, render_similarity_table, similarity_to_dict
from grader.text.safetext import printable

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
    "explain",
    "find_similar",
    "graded_files",
    "kit_baseline",
    "load_submission_files",
    "render_similarity_table",
    "similarity_to_dict",
]


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
