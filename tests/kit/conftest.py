"""Helpers several kit tests share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


def _session_members(session_id: int) -> list[int]:
    """The pids of every live process in session ``session_id`` (field 6 of /proc/PID/stat)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == session_id:
                members.append(int(entry.name))
    return members


@pytest.fixture
def session_members() -> Callable[[int], list[int]]:
    """Find what a command started in its own session left running (a process leak shows up here)."""
    return _session_members
