"""Helpers for q19's hidden tests: a route of the kit's own whose exception no handler expects."""

from __future__ import annotations

from typing import Any

from grader.host.helpers import helper


@helper("q19.add_failing_route")
def add_failing_route(session: Any, path: str, secret: str) -> str:
    """Add ``GET path`` raising ``KeyError(secret)`` to the module's app.

    The app is registered as ``session.apps["q19.failing"]``; the name is returned for ``host.client(app=...)``.
    """
    app = getattr(session.module, "app", None)
    if app is None:
        raise AttributeError("the module defines no `app`")

    def lookup_fails() -> dict[str, str]:
        raise KeyError(secret)

    app.add_api_route(path, lookup_fails)
    session.apps["q19.failing"] = app
    return "q19.failing"
