"""Test-only switches that take away one defence at a time, so that the kit's tests can show each check fails
without the defence it checks (a probe that passes with its layer off is not testing that layer).

``KIT_WEAKEN`` in the grader's environment is a comma-separated list of names; no candidate can set it (the
grader's environment never reaches an app host). Names:

- ``host-fork-from-judge``: fork app hosts straight from the judge, as the kit did before the exec'd zygote;
- ``frame-deadline``: a reply frame's deadline applies to each read, not to the whole frame;
- ``frame-values``: a reply frame may hold any number of JSON values;
- ``scratch-tmpfs``: a host's scratch folder is a plain folder, with no ceiling on what is written there in all.
"""

from __future__ import annotations

import os

__all__ = ["weakened"]

KNOWN = frozenset({"host-fork-from-judge", "frame-deadline", "frame-values", "scratch-tmpfs"})


def weakened(name: str) -> bool:
    """True when the defence ``name`` is switched off for a test (``KIT_WEAKEN=name``)."""
    if name not in KNOWN:
        raise ValueError(f"unknown defence {name!r}")
    return name in os.environ.get("KIT_WEAKEN", "").split(",")
