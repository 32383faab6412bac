"""Grade many submissions as one batch: every (submission, question) pair in one shared process pool.

Results go into the gradebook as each question finishes, which makes a batch resumable: re-running it
grades only what is not stored yet for the same submission content and kit version (``regrade`` forces).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grader import __version__
from grader.catalogue import Question
from grader.gradebook import Gradebook, StoredSubmission
from grader.results import RawRun
from grader.runner import DEFAULT_TIMEOUT_S, GradingJob, run_jobs
from grader.scoring import score_question
from grader.submissions import Submission, content_hash

__all__ = ["BatchPlan", "execute_batch", "plan_batch"]


@dataclass(frozen=True)
class BatchPlan:
    submission_ids: tuple[int, ...]
    jobs: tuple[GradingJob, ...]
    reused: int  # question results already in the gradebook and not graded again


def plan_batch(
    submissions: list[Submission], questions: tuple[Question, ...], gradebook: Gradebook, regrade: bool = False
) -> BatchPlan:
    """Register every submission in the gradebook and list the (submission, question) pairs still to grade."""
    ids, jobs, reused = [], [], 0
    for submission in submissions:
        digest = content_hash(submission.folder) if submission.folder else ""
        sid = gradebook.submission_id(
            submission.name, digest, __version__, str(submission.source), submission.problem, submission.warnings
        )
        ids.append(sid)
        wanted = {q.id for q in questions}
        if submission.folder is None:
            # Unusable (a bad archive): every question is an error carrying the reason, so totals stay honest.
            for q in questions:
                run = RawRun(q.id, "import_error", (), (), submission.problem, 0.0)
                gradebook.record(sid, score_question(q, run), run)
            continue
        if regrade:
            gradebook.forget(sid, wanted)
        done = gradebook.graded_questions(sid) & wanted
        reused += len(done)
        jobs.extend(GradingJob(str(sid), q, submission.folder) for q in questions if q.id not in done)
    return BatchPlan(tuple(ids), tuple(jobs), reused)


def execute_batch(
    plan: BatchPlan,
    questions: tuple[Question, ...],
    gradebook: Gradebook,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    workers: int | None = None,
    on_progress: Callable[[GradingJob, RawRun], None] | None = None,
) -> list[StoredSubmission]:
    """Grade the plan's jobs, store each result as it comes, and return every planned submission's results."""

    def record(job: GradingJob, run: RawRun) -> None:
        gradebook.record(int(job.key), score_question(job.question, run), run)
        if on_progress is not None:
            on_progress(job, run)

    run_jobs(plan.jobs, timeout_s=timeout_s, workers=workers, on_result=record)
    wanted = {q.id for q in questions}
    return [gradebook.load(sid, wanted) for sid in plan.submission_ids]
