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
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from grader.archives import is_archive
from grader.catalogue import Question, load_catalogue
from grader.gradebook import StoredSubmission
from grader.intake import take_in
from grader.kit import exercises_dir, solutions_dir
from grader.safetext import printable
from grader.submissions import content_hash, find_exercise_folder, resolve_submissions

__all__ = [
    "DEFAULT_THRESHOLD",
    "NOISE_THRESHOLD",
    "REFERENCE",
    "SimilarPair",
    "SimilarityReport",
    "compare_question",
    "find_similar",
    "graded_files",
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

    @property
    def similarity(self) -> float:
        """The larger share: a file copied whole into a longer one is caught from its own side."""
        return max(self.first_share, self.second_share)


@dataclass(frozen=True)
class SimilarityReport:
    threshold: float
    pairs: tuple[SimilarPair, ...]
    compared: dict[str, int] = field(default_factory=dict)  # per question, how many submissions had own text
    skipped: tuple[tuple[str, str], ...] = ()  # (submission name, why its files were not compared)


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
    pairs.sort(key=lambda p: (-p.similarity, p.first, p.second))
    return pairs, len(own) - (1 if REFERENCE in own else 0)


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
) -> SimilarityReport:
    """Compare, question by question, the files of the gradebook's ``submissions`` (and the kit's solutions)."""
    if not 0 <= threshold <= 1:
        raise ValueError(f"the threshold is a share between 0 and 1, not {threshold:g}")
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
    for q in questions:
        stub_path, solution_path = exercises_dir() / q.filename, solutions_dir() / q.filename
        stub = stub_path.read_text(encoding="utf-8") if stub_path.is_file() else None
        solution = solution_path.read_text(encoding="utf-8") if reference and solution_path.is_file() else None
        found, compared[q.id] = compare_question(q.id, answers[q.id], stub, solution, threshold)
        pairs.extend(found)
    return SimilarityReport(threshold, tuple(pairs), compared, tuple(skipped))


def similarity_to_dict(report: SimilarityReport) -> dict[str, Any]:
    """The report as JSON data (``grade similarity --json``)."""
    return {
        "threshold": report.threshold,
        "noise_threshold": NOISE_THRESHOLD,
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
            }
            for p in report.pairs
        ],
        "compared": report.compared,
        "skipped": [{"name": name, "reason": reason} for name, reason in report.skipped],
    }


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def render_similarity_table(report: SimilarityReport) -> str:
    """The terminal table: one row per pair, the most similar first within each question."""
    headers = ("question", "first", "second", "similarity", "shares", "")
    rows = [
        (
            p.question_id,
            printable(p.first),
            printable(p.second),
            _percent(p.similarity),
            f"{_percent(p.first_share)} / {_percent(p.second_share)}",
            "identical" if p.identical else "",
        )
        for p in report.pairs
    ]
    lines = []
    if rows:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        lines.append("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        lines.extend("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)
        lines.append("")
    lines.append(
        f"{len(report.pairs)} pairs at {_percent(report.threshold)} similarity or more, the stubs' own text excluded"
        " (shares: of each side's own tokens, the part found in the other); scores are unchanged"
    )
    lines.extend(f"{name}: {reason}" for name, reason in report.skipped)
    return "\n".join(lines)
