"""What `fastlings submit` tells a candidate before it packs their answers.

The questions changed since their last check are checked again first (quietly: their results are recorded
as `fastlings check` would), so that the warnings speak of the files being sent, not of older versions; then
the candidate hears which questions are still the untouched stub, missing, or failing their public checks.
The warnings never stop a submission: the candidate confirms, or passes ``--yes``.
"""

from __future__ import annotations

from collections.abc import Callable

from grader.candidate import screen
from grader.candidate.state import Progress, load_progress, now_iso, state_file
from grader.candidate.workspace import is_untouched
from grader.kit import exercises_dir
from grader.kit.catalogue import Question
from grader.text.words import counted

__all__ = ["warnings_before_submit"]


def _stale(question: Question, progress: Progress) -> bool:
    """A changed file whose last check says nothing about its present content (or was never checked)."""
    state = progress.get(question.id)
    path = exercises_dir() / question.filename
    if state.status == "unchecked" or not path.is_file():
        return path.is_file()
    return now_iso(path.stat().st_mtime) >= state.checked_at


def warnings_before_submit(questions: tuple[Question, ...], say: Callable[[str], None]) -> list[str]:
    """What the candidate should know before sending: untouched stubs and questions that fail their checks
    (``say`` tells them that the changed ones are being checked first)."""
    before = load_progress(state_file())
    stale = [q for q in questions if is_untouched(q) is False and _stale(q, before)]
    if stale:
        say(f"checking {counted(len(stale), 'question')} changed since their last check…")
        _check_quietly(stale)
    progress = load_progress(state_file())
    untouched = [q.id for q in questions if is_untouched(q)]
    missing = [q.id for q in questions if not (exercises_dir() / q.filename).is_file()]
    failing = [
        f"{q.id} {screen.symbol(progress.get(q.id).status)}"
        for q in questions
        if q.id not in untouched and q.id not in missing and progress.get(q.id).status != "done"
    ]
    warnings = []
    if untouched:
        warnings.append(f"{len(untouched)} still the untouched stub: {', '.join(untouched)}")
    if missing:
        warnings.append(f"{len(missing)} missing (not in the zip): {', '.join(missing)}")
    if failing:
        warnings.append(f"{len(failing)} do not pass their public checks: {', '.join(failing)}")
    return warnings


def _check_quietly(questions: list[Question]) -> None:
    from grader.candidate.checker import run_checks, warm_up
    from grader.candidate.outcome import CheckResult
    from grader.candidate.watch import record_result

    warm_up(full=True)
    for question, outcome in run_checks(questions):
        if isinstance(outcome, CheckResult):
            record_result(question, outcome)
