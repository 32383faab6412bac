"""Helpers for q13's hidden tests: read and write records of the module's ``items_db`` (its keys are ints)."""

from __future__ import annotations

from typing import Any

from grader.host.helpers import helper
from grader.protocol import json_safe


@helper("q13.read_record")
def read_record(session: Any, item_id: int) -> Any:
    """``items_db.get(item_id)`` as stored; a value that is not plain data comes back as a description of it."""
    value = session.module.items_db.get(item_id)
    if json_safe(value):
        return value
    try:
        shown = repr(value)
    except Exception:
        shown = type(value).__name__
    return f"<not plain data: {shown[:300]}>"


@helper("q13.store_record")
def store_record(session: Any, item_id: int, record: dict[str, Any]) -> None:
    """``items_db[item_id] = record``, a record of the test's own."""
    session.module.items_db[item_id] = record
