"""Find the function behind a route, wherever it was declared (app, APIRouter, nested router)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["find_endpoint"]


def find_endpoint(app: object, path: str, method: str = "GET") -> Callable[..., object] | None:
    """The function serving ``method path`` on ``app``.

    Since FastAPI 0.16x an included router stays one entry in ``app.routes`` and its routes are reached through
    ``fastapi.routing.iter_route_contexts``; older releases copied them into ``app.routes``.
    """
    routes = getattr(app, "routes", [])
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        candidates = routes
    else:
        candidates = iter_route_contexts(routes)
    for route in candidates:
        if getattr(route, "path", None) == path and method in (getattr(route, "methods", None) or ()):
            return route.endpoint
    return None
