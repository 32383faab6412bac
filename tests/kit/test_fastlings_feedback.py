"""fastlings' feedback: errors that point at the place, time limits that say what hung, a watch that never
hangs (a save cancels a running check), its keys, and its plain fallback outside a terminal."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner

from grader.candidate.cli import cli
from grader.candidate.failures import assertion_details
from grader.kit import solutions_dir

Q01, Q02, Q06 = "q01_what_is_fastapi.py", "q02_basic_app.py", "q06_request_body.py"
SOLUTIONS = solutions_dir()  # resolved before any test points the kit root at a pack
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FASTLINGS = str(Path(sys.executable).with_name("fastlings"))


def fastlings(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False, prog_name="fastlings")
    return result.exit_code, result.output


def write(pack: Path, filename: str, text: str) -> None:
    (pack / "exercises" / filename).write_text(text, encoding="utf-8")


BASIC_APP = 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return helper()\n'


# -- errors that point ------------------------------------------------------------------------------------
def test_a_syntax_error_shows_the_file_the_line_its_code_and_a_caret(pack: Path) -> None:
    write(pack, Q02, "from fastapi import FastAPI\n\napp = FastAPI()\nx = = 1\n")
    code, out = fastlings("check", "2")
    assert code == 1
    assert "the module does not compile" in out
    assert f"exercises/{Q02}:4" in out, out
    lines = out.splitlines()
    source = next(i for i, line in enumerate(lines) if line.strip() == "x = = 1")
    assert lines[source + 1].strip().startswith("^"), "a caret under the offending code"
    assert lines[source + 1].index("^") == lines[source].index("=") + 2, "the caret is under the second ="
    assert "SyntaxError" in out


def test_an_exception_at_import_shows_the_line_of_the_candidates_file(pack: Path) -> None:
    write(pack, Q02, "from fastapi import FastAPI\n\nsettings = {'a': 1}\nname = settings['b']\napp = FastAPI()\n")
    code, out = fastlings("check", "2")
    assert code == 1
    assert "the module does not import" in out
    assert f"exercises/{Q02}:4" in out and "name = settings['b']" in out and "KeyError: 'b'" in out
    assert out.count("KeyError") == 1, "reported once, not as every check's setup error"
    _, listing = fastlings("list")
    assert re.search(r"! q02", listing)


def test_an_exception_in_a_handler_shows_the_candidates_frame(pack: Path) -> None:
    write(pack, Q02, BASIC_APP)
    code, out = fastlings("check", "2")
    assert code == 1
    assert f"exercises/{Q02}:8 in root" in out, out
    assert "return helper()" in out and "NameError: name 'helper' is not defined" in out


def test_an_assertion_shows_pytests_own_diff_and_only_the_first_failure_in_full(pack: Path) -> None:
    solution = (SOLUTIONS / Q06).read_text(encoding="utf-8")
    write(pack, Q06, solution.replace("    images: list[Image] = []\n", ""))
    code, out = fastlings("check", "6")
    assert code == 1
    # pytest's own words; whether the extra item follows on the same line depends on the terminal's width.
    assert re.search(r"Right contains 1 more item:\s+\{'images': \[\]\}", out), out
    assert out.count("checks/test_q06_request_body.py:") == 1, "the other failures take one line each"
    assert "✓ put with a non integer item id is refused" in out


def test_assertion_details_keep_the_explanation_and_drop_pytests_flag_hints() -> None:
    message = (
        "should answer every field, got {...}\nassert {'a': 1} == {'a': 1, 'b': []}\n  \n"
        "  Omitting 1 identical items, use -vv to show\n  Right contains 1 more item:\n  {'b': []}\n"
        "  Use -v to get more diff"
    )
    summary, details = assertion_details(message)
    assert summary == "should answer every field, got {...}"
    assert details == ("Right contains 1 more item: {'b': []}",)


# -- time limits --------------------------------------------------------------------------------------------
def test_a_module_that_never_finishes_importing_is_told_apart_and_the_limit_is_said(pack: Path) -> None:
    write(pack, Q01, "while True:\n    pass\n")
    code, out = fastlings("check", "1", "--timeout", "1.5")
    assert code == 1
    assert "the module did not finish importing within the 1.5 s limit" in out, out
    assert "stuck in" not in out
    _, listing = fastlings("list")
    assert re.search(r"∞ q01", listing) and "∞ the checks did not finish in time" in listing


def test_a_stuck_handler_names_its_check_and_the_limit(pack: Path) -> None:
    write(pack, Q02, BASIC_APP.replace("    return helper()\n", "    while True:\n        pass\n"))
    code, out = fastlings("check", "2", "--timeout", "2")
    assert code == 1
    assert "did not finish within the 2 s limit (stuck in root says hello world)" in out, out


@pytest.mark.slow
def test_check_all_checks_every_question_one_line_each(pack: Path) -> None:
    shutil.copyfile(SOLUTIONS / Q02, pack / "exercises" / Q02)
    code, out = fastlings("check", "--all")
    assert code == 1, "the untouched stubs fail"
    assert re.search(r"^✓ q02  A basic application$", out, re.M), out
    assert len(re.findall(r"^[✓✗!∞] q\d\d ", out, re.M)) == 30
    assert "1/30" in out


@pytest.mark.slow
def test_without_fork_a_fresh_interpreter_runs_the_same_checks(pack: Path) -> None:
    """Windows has no fork: each check is then a fresh interpreter, with the same verdicts and time limit."""
    from grader.candidate.checker import run_check
    from grader.kit.catalogue import find_question

    q02 = find_question("2")
    stub = run_check(q02, use_fork=False)
    assert stub.status == "failing" and stub.failures[0].failure is not None
    assert "GET / should answer 200, got 404" in stub.failures[0].failure.summary
    shutil.copyfile(SOLUTIONS / Q02, pack / "exercises" / Q02)
    assert run_check(q02, use_fork=False).status == "done"
    write(pack, Q02, "while True:\n    pass\n")
    stuck = run_check(q02, limit_s=3, use_fork=False)
    assert stuck.status == "timeout" and stuck.problem is not None
    assert "did not finish importing within the 3 s limit" in stuck.problem.summary


# -- watch ----------------------------------------------------------------------------------------------------
def _spawn_watch(pack: Path, *args: str, no_color: bool = False) -> tuple[pexpect.spawn, io.StringIO]:
    env = {**os.environ, "FASTAPI_KIT_ROOT": str(pack)}
    env.pop("NO_COLOR", None)
    if no_color:
        env["NO_COLOR"] = "1"
    child = pexpect.spawn(
        FASTLINGS, ["watch", *args], cwd=str(pack), env=env, encoding="utf-8", timeout=30, dimensions=(60, 200)
    )
    transcript = io.StringIO()
    child.logfile_read = transcript
    return child, transcript


@pytest.mark.slow
def test_a_save_cancels_a_stuck_check_and_checks_the_new_version_at_once(
    pack: Path, session_members: Callable[[int], list[int]]
) -> None:
    """The candidate saves a loop, then the fix: the fix's verdict comes without waiting for the 30 s limit."""
    write(pack, Q02, "while True:\n    pass\n")
    child, _ = _spawn_watch(pack)
    try:
        child.expect("checking q01")
        child.expect("q quit")
        child.expect("q quit")  # q01's verdict: the watch is idle, waiting for a save
        time.sleep(0.3)
        os.utime(pack / "exercises" / Q02)  # "saves" the looping q02
        child.expect("checking q02")
        time.sleep(1)
        assert len(session_members(child.pid)) > 1, "the looping check is running"
        started = time.monotonic()
        shutil.copyfile(SOLUTIONS / Q02, pack / "exercises" / Q02)
        child.expect("all public checks pass", timeout=20)
        assert time.monotonic() - started < 20, "the fix was checked without waiting for the stuck check's limit"
        assert session_members(child.pid) == [child.pid], "the stuck check was killed, whole"
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


@pytest.mark.slow
def test_watch_keys_hint_list_next_rerun_quit(pack: Path) -> None:
    """On a terminal the screen is redrawn (cleared) on each result; h, l, n, r and q do what the screen says."""
    shutil.copyfile(SOLUTIONS / Q01, pack / "exercises" / Q01)
    child, transcript = _spawn_watch(pack)
    try:
        child.expect("q01 · ")
        child.expect("all public checks pass")
        child.expect("next: q02")  # the one next: every command agrees
        child.expect("q quit")
        child.send("h")
        child.expect("hint 1/")
        child.send("l")
        child.expect("q30")
        child.expect("the checks did not finish in time")  # the legend
        child.send("n")
        child.expect("checking q02")
        child.expect("root says hello world")
        child.expect("q quit")
        child.send("r")
        child.expect("checking q02")
        child.expect("q quit")
        child.send("q")
        child.expect("stopped watching")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "\x1b[2J" in transcript.getvalue(), "the screen is cleared for each result"
    state = (pack / ".fastlings" / "state.json").read_text()
    assert '"current": "q02"' in state and '"hints_shown": 1' in state


@pytest.mark.slow
def test_no_color_keeps_the_screen_but_drops_the_colours(pack: Path) -> None:
    child, transcript = _spawn_watch(pack, no_color=True)
    try:
        child.expect("q01 · ")
        child.expect("stuck\\? press h for a hint")
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    text = transcript.getvalue()
    assert "\x1b[2J" in text, "the screen is still cleared"
    assert not re.search(r"\x1b\[[0-9;]*m", text), "but nothing is coloured"


@pytest.mark.slow
def test_watch_outside_a_terminal_prints_plain_lines(pack: Path) -> None:
    env = {**os.environ, "FASTAPI_KIT_ROOT": str(pack)}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [FASTLINGS, "watch"], cwd=pack, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while not any(line.startswith("progress [") for line in lines) and time.monotonic() < deadline:
            lines.append(process.stdout.readline())
        shutil.copyfile(SOLUTIONS / Q02, pack / "exercises" / Q02)
        while not any("next: q03" in line for line in lines) and time.monotonic() < deadline:
            lines.append(process.stdout.readline())
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    text = "".join(lines) + rest
    assert not ANSI.search(text), "no escape sequences outside a terminal"
    assert "checking q01" in text and "checking q02" in text and "all public checks pass" in text
    assert "stopped watching" in text
    assert process.returncode == 0
