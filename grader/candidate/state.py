"""The candidate's progress, kept in ``.fastlings/state.json``: last check per question and hints revealed.

Written atomically (a temporary file renamed over the old one), so an interrupted write never leaves a
corrupt file; an unreadable file is treated as no progress rather than a crash.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["Progress", "QuestionState", "load_progress", "save_progress"]

STATE_VERSION = 1


@dataclass
class QuestionState:
    status: str = "unchecked"  # unchecked | done | failing | error
    checked_at: str = ""
    hints_shown: int = 0


@dataclass
class Progress:
    questions: dict[str, QuestionState] = field(default_factory=dict)

    def get(self, qid: str) -> QuestionState:
        return self.questions.setdefault(qid, QuestionState())

    def record_check(self, qid: str, status: str) -> None:
        state = self.get(qid)
        state.status = status
        state.checked_at = datetime.now(UTC).isoformat(timespec="seconds")

    def done(self, qids: list[str]) -> int:
        return sum(self.get(q).status == "done" for q in qids)


def load_progress(path: Path) -> Progress:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        entries = raw["questions"] if raw.get("version") == STATE_VERSION else {}
        return Progress({qid: QuestionState(**data) for qid, data in entries.items()})
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return Progress()


def save_progress(path: Path, progress: Progress) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "version": STATE_VERSION,
        "questions": {qid: vars(state) for qid, state in sorted(progress.questions.items())},
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2)
    os.replace(tmp, path)
