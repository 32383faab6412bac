"""Helpers for q30 (caching): a counting fake ``fetch_from_db``, a settable ``clock``, ``app.state.cache`` checks.

The fakes replace the module-level names, as ``monkeypatch.setattr(module, ...)`` did; what they observed (the
keys the source was asked for) stays in ``session.state`` until the next load, for the judge to read back.
"""

from __future__ import annotations

import json
from typing import Any

from grader.host.helpers import helper

_CALLS = "q30:source_calls"
_NOW = "q30:now"
_CACHE = "q30:cache"
_NOTHING = object()


@helper("q30.install_source")
def install_source(session: Any, fixed: dict[str, Any] | None = None) -> None:
    """``module.fetch_from_db`` = an ``async def`` that records each key it is asked for.

    It answers a copy of ``fixed[key]`` when given (``None`` included), else
    ``{"key": key, "version": <how many times key was asked>, "tags": ["cached", "json"]}``.
    """
    calls: list[str] = []
    session.state[_CALLS] = calls
    answers = dict(fixed or {})

    async def fetch_from_db(key: str) -> dict[str, Any] | None:
        calls.append(key)
        if key in answers:
            value = answers[key]
            return None if value is None else json.loads(json.dumps(value))
        return {"key": key, "version": calls.count(key), "tags": ["cached", "json"]}

    session.module.fetch_from_db = fetch_from_db


@helper("q30.source_calls")
def source_calls(session: Any) -> list[str]:
    """The keys the fake ``fetch_from_db`` was called with, in order."""
    return list(session.state.get(_CALLS, []))


@helper("q30.set_clock")
def set_clock(session: Any, now: float) -> None:
    """``module.clock`` = a function answering ``now`` (installed on the first call, moved by later calls)."""
    first = _NOW not in session.state
    session.state[_NOW] = float(now)
    if first:
        state = session.state
        session.module.clock = lambda: state[_NOW]


@helper("q30.cache")
def cache(session: Any, remember: bool = False) -> dict[str, Any]:
    """Whether ``app.state.cache`` is set, its type, and whether it is the very object a ``remember`` call saw."""
    current = getattr(session.module.app.state, "cache", None)
    remembered = session.state.get(_CACHE, _NOTHING)
    if remember:
        session.state[_CACHE] = current
    return {
        "present": current is not None,
        "type": type(current).__name__,
        "same_as_remembered": None if remembered is _NOTHING else current is remembered,
    }
