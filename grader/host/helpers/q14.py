"""q14 (middleware): a fake clock in place of the module's ``time``, and a route of the kit's that advances it."""

from __future__ import annotations

import time
from typing import Any

from grader.host.helpers import helper


class FakeTime:
    """Stands in for the module's ``time``: ``perf_counter()`` only moves when the kit's route advances it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def perf_counter(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@helper("q14.install_fake_clock")
def install_fake_clock(session: Any, path: str, start: float, advance: float) -> None:
    """``module.time`` = a fake clock at ``start``; ``GET path``, added to ``app``, moves it by ``advance``."""
    fake = FakeTime(start)
    session.module.time = fake

    async def advance_clock() -> dict[str, bool]:
        fake.now += advance
        return {"ok": True}

    session.module.app.get(path)(advance_clock)
