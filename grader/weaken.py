"""Test-only switches that take away one defence at a time, so that the kit's tests can show each check fails
without the defence it checks (a probe that passes with its layer off is not testing that layer).

``KIT_WEAKEN`` in the grader's environment is a comma-separated list of names; no candidate can set it (the
grader's environment never reaches an app host). Names:

- ``host-fork-from-judge``: fork app hosts straight from the judge, as the kit did before the exec'd zygote;
- ``frame-deadline``: a reply frame's deadline applies to each read, not to the whole frame;
- ``frame-values``: a reply frame may hold any number of JSON values;
- ``scratch-tmpfs``: a host's scratch folder is a plain folder, with no ceiling on what is written there in all;
- ``frame-bytes``: a reply frame may be 1024 times larger than the protocol allows;
- ``scratch-follow-links``: the scratch tmpfs follows symlinks (no ``nosymfollow``), so the judge, reading and
  writing there outside every sandbox, goes wherever a link the host planted points.

Sandbox layers, one part each (carried to the host in its ``Policy.weaken``):

- ``landlock-read-anywhere``: the host may read every file (``/`` is added to its read-only paths);
- ``landlock-write-readonly``: the paths meant read-only (runtime, the module's folder) are writable;
- ``landlock-truncate``: truncation is not handled by the ruleset;
- ``landlock-tcp``: TCP bind and connect are not handled by the ruleset;
- ``seccomp-tcp``: TCP sockets are allowed whether or not a test named a port;
- ``seccomp-off``: no seccomp filter at all;
- ``cgroup-pids``, ``cgroup-memory``: the cgroup's process count or memory is not capped;
- ``caps-bounding-only``: capabilities are dropped from the bounding set only (effective and permitted kept);
- ``env-keep``: the host's environment is not reset (it keeps the zygote's);
- ``fds-keep``: descriptors the host inherits are left open;
- ``rlimits-soft-only``: rlimits are set soft only (the hard limits stay infinite, so the host can raise them);
- ``pidns-no-pdeathsig``: the PID namespace's first process does not die with its outer waiter.
"""

from __future__ import annotations

import os

__all__ = ["SANDBOX_PARTS", "sandbox_weakenings", "weakened"]

SANDBOX_PARTS = frozenset(
    {
        "landlock-read-anywhere",
        "landlock-write-readonly",
        "landlock-truncate",
        "landlock-tcp",
        "seccomp-tcp",
        "seccomp-off",
        "cgroup-pids",
        "cgroup-memory",
        "caps-bounding-only",
        "env-keep",
        "fds-keep",
        "rlimits-soft-only",
        "pidns-no-pdeathsig",
    }
)
KNOWN = frozenset(
    {"host-fork-from-judge", "frame-deadline", "frame-values", "frame-bytes", "scratch-tmpfs", "scratch-follow-links"}
)
KNOWN |= SANDBOX_PARTS


def weakened(name: str) -> bool:
    """True when the defence ``name`` is switched off for a test (``KIT_WEAKEN=name``)."""
    if name not in KNOWN:
        raise ValueError(f"unknown defence {name!r}")
    return name in os.environ.get("KIT_WEAKEN", "").split(",")


def sandbox_weakenings() -> tuple[str, ...]:
    """The sandbox parts ``KIT_WEAKEN`` switches off, for a host's ``Policy.weaken``."""
    named = os.environ.get("KIT_WEAKEN", "").split(",")
    return tuple(sorted(name for name in named if name in SANDBOX_PARTS))
