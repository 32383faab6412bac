"""q26 helpers: a start-up that fails half-way, and a fresh import + run with warnings recorded."""

from __future__ import annotations

import warnings
from typing import Any

from grader.host.helpers import helper
from grader.loading import load_module_from_path, unload_module
from grader.protocol import json_safe


def _plain(value: Any) -> Any:
    return value if json_safe(value) else repr(value)


@helper("q26.break_cache_open")
def break_cache_open(session: Any, message: str = "cache unavailable") -> None:
    """``Cache.open`` replaced by a classmethod raising ``RuntimeError(message)`` (until the next load)."""

    async def broken_open(cls: type) -> object:
        raise RuntimeError(message)

    session.module.Cache.open = classmethod(broken_open)


@helper("q26.fresh_run_recording_warnings")
def fresh_run_recording_warnings(session: Any, user_id: int = 1) -> dict[str, Any]:
    """Import a new copy of the module and run its app once (``GET /users/{user_id}``), recording warnings.

    Reports the first line of every ``DeprecationWarning`` emitted, the response, and the copy's ``events``
    after the shutdown.
    """
    from fastapi.testclient import TestClient

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = load_module_from_path(session.module_file)
        try:
            with TestClient(module.app) as client:
                response = client.get(f"/users/{user_id}")
            events = getattr(module, "events", None)
        finally:
            unload_module(module)
    deprecations = [str(w.message).strip().split("\n")[0] for w in caught if issubclass(w.category, DeprecationWarning)]
    return {
        "deprecations": deprecations,
        "status": response.status_code,
        "text": response.text,
        "events": _plain(list(events) if isinstance(events, list) else events),
    }


@helper("q26.count_instances")
def count_instances(session: Any) -> None:
    """Count every ``ConnectionPool`` and ``Cache`` built from now on, however it is built (until the next load)."""
    made: dict[str, int] = session.state.setdefault("q26:made", {})
    for name in ("ConnectionPool", "Cache"):
        cls = getattr(session.module, name)
        original_init = cls.__init__
        made[name] = 0

        def counting_init(self: Any, *args: Any, _name: str = name, _init: Any = original_init, **kwargs: Any) -> None:
            made[_name] += 1
            _init(self, *args, **kwargs)

        cls.__init__ = counting_init


@helper("q26.instances")
def instances(session: Any) -> dict[str, int]:
    """How many ``ConnectionPool`` and ``Cache`` objects were built since ``q26.count_instances``."""
    return dict(session.state.get("q26:made", {}))
