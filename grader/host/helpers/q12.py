"""Helpers for q12's hidden tests: a route of the kit's own that raises the module's OutOfStockError."""

from __future__ import annotations

from typing import Any

from grader.host.helpers import helper


@helper("q12.add_out_of_stock_route")
def add_out_of_stock_route(session: Any, path: str, item_id: int, requested: int, available: int) -> str:
    """Add ``GET path`` raising ``OutOfStockError(item_id, requested, available)`` to the module's app.

    The app is registered as ``session.apps["q12.out_of_stock"]``; the name is returned for ``host.client(app=...)``.
    """
    module = session.module
    app = getattr(module, "app", None)
    if app is None:
        raise AttributeError("the module defines no `app`")

    def raise_out_of_stock() -> None:
        raise module.OutOfStockError(item_id, requested, available)

    app.add_api_route(path, raise_out_of_stock, methods=["GET"])
    session.apps["q12.out_of_stock"] = app
    return "q12.out_of_stock"
