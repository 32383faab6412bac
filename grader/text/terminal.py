"""Terminal conventions shared by every command: when to use colour."""

from __future__ import annotations

import os
import sys

__all__ = ["use_colour"]


def use_colour(explicit: bool | None = None) -> bool:
    """Colour only on a terminal and never when NO_COLOR is set, unless --color/--no-color says otherwise."""
    if explicit is not None:
        return explicit
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
