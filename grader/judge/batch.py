"""Grade many submissions as one batch: every (submission, question) pair in one shared process pool.

Results go into the gradebook as each question finishes, which makes a batch resumable: re-running it
grades only what is not stored yet for the same submission content and grading key (``regrade`` forces).

Identical files are graded once. The hidden tests are deterministic and load each file on its own, so a
byte-identical file gets the same result wherever it appears: classes are full of untouched stubs and of
shared copies, and each distinct (question, file) pair costs one process, its result copied to the rest.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.book.fingerprint import grading_key
from grader.book.gradebook import Gradebook, StoredSubmission
from grader.book.results import RawRun
from grader.book.scoring import score_question
from grader.book.submissions import Submission, content_hash
from grader.judge.runner import DEFAULT_TIMEOUT_S, GradingJob, run_jobs
from grader.kit import exercises_dir
from grader.kit.catalogue import Question

__all__ = ["BatchPlan", "execute_batch", "is_untouched_stub", "plan_batch", "rejected_run"]

MISSING_FILE = "missing"


@dataclass(frozen=True)
class BatchPlan:
    submission_ids: tuple[int, ...]
    jobs: tuple[GradingJob, ...]
    reused: int  # question results already in the gradebook (or copied from an identical file) and not graded
    # For each job's key, the submissions holding the same file, which get a copy of its result.
    followers: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _file_hash(submission: Submission, question: Question) -> str:
    assert submission.folder is not None
    path = submission.folder / question.filename
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else MISSING_FILE


def _normalised_source(data: bytes) -> bytes:
    """Line endings made Unix: an editor on Windows re-saving the untouched stub has not attempted it."""
    return data.replace(b"\r\n", b"\n")


@functools.cache
def _stub_source(stub: Path) -> bytes | None:
    """The stub's text, read once per path (keyed by path: the kit root can change within one process)."""
    return _normalised_source(stub.read_bytes()) if stub.is_file() else None


def is_untouched_stub(question: Question, path: Path) -> bool:
    """Whether ``path`` holds the kit's stub for the question, unchanged (line endings aside)."""
    stub = _stub_source(exercises_dir() / question.filename)
    return stub is not None and path.is_file() and _normalised_source(path.read_bytes()) == stub


def rejected_run(question: Question, submission: Submission) -> RawRun | None:
    """The result of a question that is not graded, with the reason, or None when it is graded.

    A file intake refused (a link, a FIFO, too large) is an error; a missing file with a near miss beside it
    (``q03.py``) is missing, saying which file to rename; the untouched stub is not attempted (running its
    tests would only list a dozen failures that say nothing about the candidate). Messages address the
    reader of the report, who may be the candidate or an interviewer.
    """
    reason = submission.rejection(question.filename)
    if reason is not None:
        return RawRun(question.id, "import_error", (), (), f"not graded: {reason}", 0.0)
    found = submission.near_miss(question.filename)
    if found is not None:
        message = (
            f"a file named {found} was found instead: rename it to {question.filename}, "
            f"or grade it as it is with --map {question.id}={found}"
        )
        return RawRun(question.id, "missing", (), (), message, 0.0)
    if submission.folder is not None and is_untouched_stub(question, submission.folder / question.filename):
        return RawRun(question.id, "not_attempted", (), (), "the file is the untouched stub", 0.0)
    return None


def _job_key(question: Question, file_hash: str) -> str:
    return f"{question.id}:{file_hash}"


def plan_batch(
    submissions: list[Submission], questions: tuple[Question, ...], gradebook: Gradebook, regrade: bool = False
) -> BatchPlan:
    """Register every submission in the gradebook and list the distinct (question, file) pairs to grade.

    A stored result is reused only under the same grading key (``grader.book.fingerprint``): a changed hidden test,
    library version or system tool regrades.
    """
    grading = grading_key()
    ids, reused = [], 0
    leaders: dict[str, tuple[int, Submission, Question]] = {}
    followers: dict[str, list[int]] = {}
    wanted = {q.id for q in questions}
    for submission in submissions:
        digest = content_hash(submission.folder) if submission.folder else ""
        sid = gradebook.submission_id(
            submission.name,
            digest,
            grading,
            str(submission.source),
            submission.problem,
            submission.warnings,
            submission.manifest,
            submission.submitted_at,
            submission.time_source,
        )
        ids.append(sid)
        if submission.folder is None:
            # Unusable (a bad archive): every question is an error carrying the reason, so totals stay honest.
            for q in questions:
                run = RawRun(q.id, "import_error", (), (), submission.problem, 0.0)
                gradebook.record(sid, score_question(q, run), run, "", grading)
            continue
        if regrade:
            gradebook.forget(sid, wanted)
        done = gradebook.graded_questions(sid) & wanted
        reused += len(done)
        for q in questions:
            if q.id in done:
                continue
            not_graded = rejected_run(q, submission)
            if not_graded is not None:
                gradebook.record(sid, score_question(q, not_graded), not_graded, "", grading)
                continue
            file_hash = _file_hash(submission, q)
            graded = None if regrade else gradebook.find_graded_file(q.id, file_hash, grading)
            key = _job_key(q, file_hash)
            if graded is not None:
                gradebook.copy_result(q.id, graded, sid)
                reused += 1
            elif key in leaders:
                followers.setdefault(key, []).append(sid)
            else:
                leaders[key] = (sid, submission, q)
    jobs = tuple(GradingJob(key, q, sub.folder) for key, (_sid, sub, q) in leaders.items() if sub.folder)
    plan_followers = {key: (leaders[key][0], *followers.get(key, ())) for key in leaders}
    return BatchPlan(tuple(ids), jobs, reused, plan_followers)


def execute_batch(
    plan: BatchPlan,
    questions: tuple[Question, ...],
    gradebook: Gradebook,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    workers: int | None = None,
    on_progress: Callable[[GradingJob, RawRun], None] | None = None,
    sandbox: str = "auto",
    protected: tuple[Path, ...] = (),
) -> list[StoredSubmission]:
    """Grade the plan's jobs, store each result as it comes, and return every planned submission's results."""

    def record(job: GradingJob, run: RawRun) -> None:
        result = score_question(job.question, run)
        file_hash = job.key.split(":", 1)[1]
        first, *others = plan.followers[job.key]
        graded_file = job.target_dir / job.question.filename
        content = graded_file.read_bytes() if graded_file.is_file() else None
        gradebook.record(first, result, run, file_hash, grading_key(), content)
        for sid in others:
            gradebook.copy_result(job.question.id, first, sid)
        if on_progress is not None:
            on_progress(job, run)

    run_jobs(plan.jobs, timeout_s=timeout_s, workers=workers, on_result=record, sandbox=sandbox, protected=protected)
    wanted = {q.id for q in questions}
    return [gradebook.load(sid, wanted) for sid in plan.submission_ids]
