"""q14 (middleware): the judge's clock in place of the module's ``time``, and a route of the kit's that asks the
judge to advance it.

Both forward to the judge's services and keep nothing: the time, and how far the route moves it, exist only in
the judge, which reads the answer off the ``X-Process-Time`` header.
"""

from __future__ import annotations

import time
from typing import Any

from grader.host import services
from grader.host.helpers import helper


class JudgeTime:
    """Stands in for the module's ``time``: ``perf_counter()`` answers the judge's clock; the rest is real time."""

    def __init__(self, service: str) -> None:
        self._service = service

    def perf_counter(self) -> float:
        return float(services.call(self._service))

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@helper("q14.install_judge_clock")
def install_judge_clock(session: Any, path: str, clock_service: str, advance_service: str) -> None:
    """``module.time`` = a clock read from ``clock_service``; ``GET path``, added to ``app``, calls
    ``advance_service`` (the judge moves its clock then) and answers ``{"ok": true}``."""
    session.module.time = JudgeTime(clock_service)

    async def advance_clock() -> dict[str, bool]:
        await services.acall(advance_service)
        return {"ok": True}

    session.module.app.get(path)(advance_clock)
