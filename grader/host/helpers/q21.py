"""Helpers for q21 (rate limiting): call ``reset_limits()`` whatever it returns."""

from __future__ import annotations

from typing import Any

from grader.host.helpers import helper


@helper("q21.reset_limits")
def reset_limits(session: Any) -> str:
    """Call ``module.reset_limits()`` with no arguments; report the type of what it returned (it is not checked)."""
    result = session.module.reset_limits()
    return type(result).__name__
