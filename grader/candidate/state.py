"""The candidate's progress, kept in ``.fastlings/state.json``: the last check of each question, the hints
revealed and when, when each file was first and last seen changed, and the question being worked on.

Written atomically (a temporary file renamed over the old one), so an interrupted write never leaves a
corrupt file; an unreadable file is treated as no progress rather than a crash, and fields this version does
not know are ignored (a state written by a newer fastlings still loads).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from grader.kit import state_dir
from grader.kit.catalogue import Question

__all__ = [
    "Progress",
    "QuestionState",
    "load_progress",
    "next_question",
    "now_iso",
    "save_progress",
    "state_file",
]

STATE_VERSION = 1


def state_file() -> Path:
    """Where the pack keeps the candidate's progress: ``.fastlings/state.json``."""
    return state_dir() / "state.json"


def now_iso(timestamp: float | None = None) -> str:
    """A UTC time to the second, as the state and the submission manifest write it."""
    moment = datetime.now(UTC) if timestamp is None else datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="seconds")


@dataclass
class QuestionState:
    status: str = "unchecked"  # unchecked | done | failing | error | timeout
    checked_at: str = ""
    hints_shown: int = 0
    hint_times: list[str] = field(default_factory=list)  # when each hint was first shown
    first_modified: str = ""  # the file's modification time when fastlings first saw it differ from the stub
    last_modified: str = ""  # its modification time at the last check fastlings ran


@dataclass
class Progress:
    questions: dict[str, QuestionState] = field(default_factory=dict)
    current: str = ""  # the question being worked on: the last one checked or moved to

    def get(self, qid: str) -> QuestionState:
        return self.questions.setdefault(qid, QuestionState())

    def record_check(self, qid: str, status: str) -> None:
        state = self.get(qid)
        state.status = status
        state.checked_at = now_iso()

    def record_hint(self, qid: str, available: int) -> int:
        """Reveal one more hint of ``qid`` (of ``available``); the number now revealed."""
        state = self.get(qid)
        if state.hints_shown < available:
            state.hints_shown += 1
            state.hint_times = [*state.hint_times[: state.hints_shown - 1], now_iso()]
        return state.hints_shown

    def record_modified(self, qid: str, mtime: float) -> None:
        """The file of ``qid``, changed from its stub, had this modification time when fastlings looked."""
        state = self.get(qid)
        seen = now_iso(mtime)
        state.first_modified = min(state.first_modified or seen, seen)
        state.last_modified = max(state.last_modified, seen)

    def forget(self, qid: str) -> None:
        """After a reset or a restore: the file is another one, its last check says nothing about it."""
        state = self.get(qid)
        state.status, state.checked_at = "unchecked", ""

    def done(self, qids: list[str]) -> int:
        return sum(self.get(q).status == "done" for q in qids)


def next_question(
    progress: Progress, questions: tuple[Question, ...], after: Question | None = None
) -> Question | None:
    """The question to work on next, the one answer every command gives.

    The first question not done, from the current one on (or from the one after ``after``), wrapping around to
    the start: skipping a question and coming back to it later works as a candidate expects, and `fastlings`,
    `fastlings check`, `watch` and its `n` key never disagree. None when every question is done.
    """
    ids = [q.id for q in questions]
    if after is not None and after.id in ids:
        start = ids.index(after.id) + 1
    else:
        start = ids.index(progress.current) if progress.current in ids else 0
    for question in (*questions[start:], *questions[:start]):
        if progress.get(question.id).status != "done":
            return question
    return None


def _question_state(data: object) -> QuestionState:
    known = {f.name for f in fields(QuestionState)}
    values = {k: v for k, v in data.items() if k in known} if isinstance(data, dict) else {}
    state = QuestionState(**values)
    if not isinstance(state.hint_times, list):
        state.hint_times = []
    return state


def load_progress(path: Path) -> Progress:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("version") != STATE_VERSION:
            return Progress()
        entries = raw["questions"]
        current = raw.get("current", "")
        return Progress(
            {str(qid): _question_state(data) for qid, data in entries.items()},
            current if isinstance(current, str) else "",
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return Progress()


def save_progress(path: Path, progress: Progress) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "version": STATE_VERSION,
        "current": progress.current,
        "questions": {qid: vars(state) for qid, state in sorted(progress.questions.items())},
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2)
    os.replace(tmp, path)
