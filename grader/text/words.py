"""Counts in sentences: ``1 question``, ``2 questions``; never ``1 questions`` or ``question(s)``."""

from __future__ import annotations

__all__ = ["counted"]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, the noun in the plural unless the count is exactly one."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural or noun + 's'}"
