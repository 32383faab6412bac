"""Due dates and late policies: how late a submission is, and what that costs.

A submission's time is the one ``fastlings submit`` wrote in its manifest, else the modification time of
what was handed in (the archive on the grader's disk, or the newest exercise file of a folder). Both come from
the candidate's side, so reports always show the time they used next to the penalty: a teacher can check it
against the platform's own record of when the work arrived. A manifest's time that is no time at all ("the
night before the deadline") or lies in the future is never taken as "not late": the time of what was handed
in is used instead, and a note says so (``submission_time``).

Policies (``--late-policy``):

- ``none``: late work is reported as late, nothing is taken off (the default);
- ``N%/day`` (or ``N%/hour``): N percent of the score is taken off per started day (hour) of lateness,
  never more than 100;
- ``zero``: late work scores nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["LatePolicyError", "Lateness", "assess", "parse_due", "parse_policy", "submission_time"]

_POLICY_RE = re.compile(r"^(?P<rate>\d+(?:\.\d+)?)%/(?P<unit>day|hour)$")
_UNIT_SECONDS = {"day": 86400, "hour": 3600}


class LatePolicyError(ValueError):
    """A due date or late policy the kit cannot read (the CLI turns it into a usage error)."""


def parse_due(text: str, *, day_starts: bool = False) -> str:
    """An ISO 8601 date or date-time as a canonical, timezone-aware ISO string.

    A date alone means the end of that day (a deadline), or its start with ``day_starts`` (a hand-in recorded
    only by its day, which is then never late on the day it is due); a time without a zone is this machine's
    local time, as a teacher who types ``--due 2026-12-01T23:59`` means it.
    """
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise LatePolicyError(f"{text!r} is not a date like 2026-12-01 or 2026-12-01T23:59") from exc
    if len(value) == 10 and not day_starts:  # a date alone: the whole day is allowed
        moment = moment.replace(hour=23, minute=59, second=59)
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time
    return moment.isoformat(timespec="seconds")


def parse_policy(text: str) -> str:
    """A late policy in its canonical spelling (see the module's docstring)."""
    value = text.strip().lower().replace(" ", "")
    if value in ("", "none", "zero") or _POLICY_RE.match(value):
        return value or "none"
    raise LatePolicyError(f"{text!r} is not a late policy: use none, zero, or a rate like 10%/day")


@dataclass(frozen=True)
class Lateness:
    """How one submission stands against its due date."""

    submitted_at: str
    due: str
    late_by_s: float  # 0 when on time
    penalty_percent: float  # of the score, 0..100

    @property
    def late(self) -> bool:
        return self.late_by_s > 0

    def describe(self) -> str:
        """``on time`` or ``late by 1 d 3 h, -20%`` for a table or a note."""
        if not self.late:
            return "on time"
        days, rest = divmod(int(self.late_by_s), 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        spent = " ".join(f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "min")) if n) or "<1 min"
        return f"late by {spent}" + (f", -{self.penalty_percent:g}%" if self.penalty_percent else "")

    def apply(self, score: float) -> float:
        return round(score * (1 - self.penalty_percent / 100), 2)

    def to_dict(self) -> dict[str, object]:
        return {
            "submitted_at": self.submitted_at,
            "due": self.due,
            "late_by_s": round(self.late_by_s),
            "penalty_percent": self.penalty_percent,
        }


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def assess(submitted_at: str, due: str, policy: str) -> Lateness | None:
    """The submission's lateness under ``due`` and ``policy``; None without a due date or a usable time."""
    if not due or not submitted_at:
        return None
    try:
        late_by = (_moment(submitted_at) - _moment(due)).total_seconds()
    except (ValueError, OverflowError):
        return None
    late_by = max(0.0, late_by)
    penalty = 0.0
    if late_by and policy == "zero":
        penalty = 100.0
    elif late_by and (match := _POLICY_RE.match(policy)):
        started_units = math.ceil(late_by / _UNIT_SECONDS[match["unit"]])
        penalty = min(100.0, float(match["rate"]) * started_units)
    return Lateness(submitted_at, due, late_by, penalty)


_MAX_QUOTED = 60


def submission_time(claimed: str, handed_in: str, now: datetime | None = None) -> tuple[str, str]:
    """The time a submission is dated by, and a note when the time it claims is not used ('' when it is).

    ``claimed`` is the manifest's ``created_at``, written on the candidate's machine; ``handed_in`` the
    modification time of what was handed in, on the grader's disk. A claimed time wins when it is a time and
    not later than ``now``; one that is no time, or in the future, gives way to ``handed_in``, and the note
    says so in every report. No claim at all (no manifest, no ``created_at``) is ``handed_in`` without a note.
    """
    if not claimed:
        return handed_in, ""
    try:
        future = _moment(claimed) > (now or datetime.now(UTC))
    except (ValueError, OverflowError):
        why = "is not a time"
    else:
        if not future:
            return claimed, ""
        why = "is in the future"
    quoted = claimed if len(claimed) <= _MAX_QUOTED else claimed[: _MAX_QUOTED - 3] + "..."
    used = handed_in or "unknown"
    return handed_in, f'the manifest\'s time "{quoted}" {why}: dated by what was handed in instead ({used})'
