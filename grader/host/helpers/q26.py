"""q26 helpers: a start-up that fails half-way, and constructions of the resources forwarded to the judge.

Both only install something and return None: the judge counts the constructions it is told about and reads the
failure the host's client raises.
"""

from __future__ import annotations

from typing import Any

from grader.host import services
from grader.host.helpers import helper


@helper("q26.break_cache_open")
def break_cache_open(session: Any, message: str) -> None:
    """``Cache.open`` replaced by a classmethod raising ``RuntimeError(message)`` (until the next load)."""

    async def broken_open(cls: type) -> object:
        raise RuntimeError(message)

    session.module.Cache.open = classmethod(broken_open)


@helper("q26.forward_constructions")
def forward_constructions(session: Any, service: str) -> None:
    """Every ``ConnectionPool`` and ``Cache`` built from now on, however it is built (``__init__`` runs), first
    calls the judge's ``service`` with its class name (until the next load). The judge counts; nothing is kept."""
    for name in ("ConnectionPool", "Cache"):
        cls = getattr(session.module, name)
        original_init = cls.__init__

        def forwarding_init(
            self: Any, *args: Any, _name: str = name, _init: Any = original_init, **kwargs: Any
        ) -> None:
            services.call(service, _name)
            _init(self, *args, **kwargs)

        cls.__init__ = forwarding_init
