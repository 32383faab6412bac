"""Helpers several kit tests share."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


GradeJson = Callable[..., dict[str, Any]]


def _grade_json(
    *args: str, env: dict[str, str] | None = None, exit_codes: tuple[int, ...] = (0,), cwd: Path | None = None
) -> dict[str, Any]:
    """Run ``grade ARGS --json`` in a fresh process (in ``cwd``, where its gradebook goes), as a user would; the
    exit code must be one of ``exit_codes``; the parsed JSON report."""
    completed = subprocess.run(
        [sys.executable, "-m", "grader", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode in exit_codes, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture(scope="session")
def grade_json() -> GradeJson:
    """``grade_json(*args, env=None, exit_codes=(0,), cwd=None)``: a real ``grade --json`` run's report."""
    return _grade_json


@pytest.fixture(scope="session")
def pristine_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One candidate pack (``grade pack``) for the whole session; tests work on copies of it."""
    from grader.kit.pack import write_pack

    return write_pack(tmp_path_factory.mktemp("pristine") / "pack")


@pytest.fixture
def pack(pristine_pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the candidate pack, made the kit root and the current folder, without colour."""
    folder = tmp_path / "pack"
    shutil.copytree(pristine_pack, folder)
    monkeypatch.setenv("FASTAPI_KIT_ROOT", str(folder))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(folder)
    return folder


def _processes_named(name: str) -> list[int]:
    """The pids of every live process whose command name (``comm``, 15 characters at most) is ``name``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture
def processes_named() -> Callable[[str], list[int]]:
    """``processes_named(name)``: the live processes called ``name`` (a daemon a hostile module left behind)."""
    return _processes_named


# Candidate-side code that writes frames straight onto every socket a host holds (its channel to the judge and
# its link to the judge's services), each from a thread of its own, then sleeps: ``_send_everywhere(write)``.
FRAME_WRITER = """
import os, stat, threading, time

def _sockets():
    found = []
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                found.append(fd)
        except OSError:
            pass
    return found

def _send_everywhere(write):
    for fd in _sockets():
        threading.Thread(target=write, args=(fd,), daemon=True).start()
    time.sleep(600)
"""


@pytest.fixture
def frame_writer() -> str:
    """Module text defining ``_send_everywhere(write)`` (see ``FRAME_WRITER``), for attacks on the protocol."""
    return FRAME_WRITER
