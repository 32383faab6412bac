"""The candidate's loop, exercised in a real candidate pack: list, check, hint, reset, submit and watch."""

from __future__ import annotations

import io
import json
import re
import shutil
import signal
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner

from grader.candidate.cli import cli
from grader.kit import solutions_dir

Q02 = "q02_basic_app.py"
Q02_SOLUTION = solutions_dir() / Q02  # resolved before any test points the kit root at a pack
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def pack(pristine_pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the candidate pack, made the kit root for this test."""
    folder = tmp_path / "pack"
    shutil.copytree(pristine_pack, folder)
    monkeypatch.setenv("FASTAPI_KIT_ROOT", str(folder))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return folder


def fastlings(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False, prog_name="fastlings")
    return result.exit_code, result.output


@pytest.mark.slow
def test_check_reports_failures_then_success_and_progress(pack: Path) -> None:
    code, out = fastlings("check", "2")
    assert code == 1
    assert "✗ root says hello world" in out and "GET / should answer 200, got 404" in out
    assert not ANSI.search(out), "no colour when the output is not a terminal"
    shutil.copyfile(Q02_SOLUTION, pack / "exercises" / Q02)
    code, out = fastlings("check", "q02")
    assert code == 0, out
    assert "✓ root says hello world" in out and "1/30" in out
    _, listing = fastlings("list")
    assert re.search(r"✓ q02\s+basic\s+A basic application", listing)
    assert "progress [#" in listing and "1/30" in listing


def test_hints_are_revealed_one_at_a_time(pack: Path) -> None:
    _, first = fastlings("hint", "2")
    assert "hint 1/3" in first and "hint 2/3" not in first
    _, second = fastlings("hint", "basic_app")
    assert "hint 1/3" in second and "hint 2/3" in second
    fastlings("hint", "2")
    _, last = fastlings("hint", "2")
    assert "hint 3/3" in last and "last hint" in last


def test_reset_keeps_a_backup_and_restores_the_stub(pack: Path) -> None:
    mine = pack / "exercises" / Q02
    mine.write_text("# my work in progress\n")
    code, out = fastlings("reset", "2", input="y\n")
    assert code == 0, out
    backups = list((pack / ".fastlings" / "backups").glob("q02_basic_app.*.py"))
    assert len(backups) == 1 and backups[0].read_text() == "# my work in progress\n"
    assert mine.read_text() == (pack / ".fastlings" / "original" / Q02).read_text()
    mine.write_text("# second try\n")
    fastlings("reset", "2", "--yes")
    assert len(list((pack / ".fastlings" / "backups").glob("q02_basic_app.*.py"))) == 2, "no backup is overwritten"


def test_reset_without_a_pristine_copy_is_a_clear_error(pack: Path) -> None:
    shutil.rmtree(pack / ".fastlings" / "original")
    code, out = fastlings("reset", "2", "--yes")
    assert code == 1
    assert "no pristine copy" in out


def test_submit_writes_an_archive_with_a_manifest_and_never_overwrites(pack: Path, tmp_path: Path) -> None:
    out = tmp_path / "answer.zip"
    code, text = fastlings("submit", "-o", str(out), "--name", "Ada Lovelace", "--yes")
    assert code == 0, text
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert f"exercises/{Q02}" in names
    assert manifest["files"][Q02] and manifest["kit_version"] and manifest["created_at"]
    code, text = fastlings("submit", "-o", str(out), "--name", "Ada Lovelace", "--yes")
    assert code == 1 and "already exists" in text


def test_unknown_question_is_a_usage_error(pack: Path) -> None:
    code, out = fastlings("hint", "q99")
    assert code == 2 and "no question matches" in out


@pytest.mark.parametrize("command", [[], *([name] for name in cli.commands)])
def test_every_command_has_help(command: list[str]) -> None:
    code, out = fastlings(*command, "--help")
    assert code == 0 and "Usage: fastlings" in out


@pytest.mark.slow
def test_watch_in_a_terminal_sees_an_exercise_turn_green(pack: Path) -> None:
    """Drive `fastlings watch` in a pseudo-terminal as a candidate would: save a fix, watch it pass, Ctrl-C."""
    script = Path(sys.executable).with_name("fastlings")
    child = pexpect.spawn(
        str(script), ["watch", "--interval", "0.2"], cwd=str(pack), encoding="utf-8", timeout=60, dimensions=(50, 160)
    )
    transcript = io.StringIO()
    child.logfile_read = transcript
    try:
        child.expect("q01")  # starts with the first unfinished question
        child.expect("for changes")  # from now on a save is noticed
        shutil.copyfile(Q02_SOLUTION, pack / "exercises" / Q02)
        child.expect("q02 · A basic application")
        child.expect("all public checks pass")
        child.expect(r"1/30")
        child.expect("next: q03")
        child.sendintr()
        child.expect("stopped watching")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert ANSI.search(transcript.getvalue()), "colour on a terminal (NO_COLOR unset)"


@pytest.mark.slow
def test_serve_runs_the_app_and_its_docs_answer(pack: Path) -> None:
    """`fastlings serve` starts uvicorn on loopback: the candidate's app and its /docs answer, then Ctrl-C stops it."""
    import socket
    import time
    import urllib.request

    shutil.copyfile(Q02_SOLUTION, pack / "exercises" / Q02)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = Path(sys.executable).with_name("fastlings")
    child = pexpect.spawn(str(script), ["serve", "2", "--port", str(port)], cwd=str(pack), encoding="utf-8", timeout=30)
    try:
        child.expect(f"http://127.0.0.1:{port}/docs")
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert json.loads(response.read()) == {"Hello": "World"}
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs", timeout=5) as response:
            docs = response.read().decode()
        assert "swagger-ui" in docs.lower()
        assert "cdn.jsdelivr.net" not in docs, "/docs must work offline"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fastlings/docs/swagger-ui-bundle.js", timeout=5) as js:
            assert js.status == 200 and b"SwaggerUIBundle" in js.read()
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_fastlings_alone_says_where_you_are_and_what_to_do_next(pack: Path) -> None:
    code, out = fastlings()
    assert code == 0
    assert "0/30" in out and "next: q01" in out and "fastlings watch" in out


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_watch_stopped_during_a_stuck_check_leaves_nothing_running(
    pack: Path, signum: int, session_members: Callable[[int], list[int]]
) -> None:
    """An IDE's stop button (SIGTERM), a closed terminal (SIGHUP) or Ctrl-C (SIGINT) while a check loops in the
    warm watcher's forked child: nothing survives, and the child is gone with its whole process group."""
    (pack / "exercises" / "q01_what_is_fastapi.py").write_text("while True:\n    pass\n")
    script = Path(sys.executable).with_name("fastlings")
    child = pexpect.spawn(str(script), ["watch", "--interval", "0.2"], cwd=str(pack), encoding="utf-8", timeout=30)
    try:
        child.expect("checking q01")  # the check's process is forked and importing the looping module
        time.sleep(1)  # well inside the loop now (its deadline is 30 s away)
        assert len(session_members(child.pid)) > 1, "the check's processes should be running"
        child.kill(signum)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    # Ctrl-C is how a candidate quits watch (0); the other two say which signal stopped it, as shells do.
    assert child.exitstatus == {signal.SIGINT: 0, signal.SIGTERM: 143, signal.SIGHUP: 129}[signum]
    deadline = time.monotonic() + 5
    while session_members(child.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session_members(child.pid) == [], "a process of the check outlived fastlings"
