"""Issue 21's friction, each with the command a user types: plurals, an empty selection that says why, a pack
written as .tar.gz, names in any script, a subset pack's questions, hint and serve on the current question,
serve stopped by a signal, a misnamed file's way out without -v, sealed hints, and a pack without the grader's
libraries.

Commands a candidate runs inside a pack run the pack's own copy of the package (``python -c`` from the pack's
folder puts it first on the path), as an installed pack does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.candidate.workspace import submission_name
from grader.cli import cli
from grader.kit import solutions_dir
from grader.kit.catalogue import explain_empty_selection, load_catalogue, select_questions
from grader.kit.hints import is_sealed, reveal, seal
from grader.kit.pack import write_pack
from grader.text.words import counted

FASTLINGS = "import sys; from grader.candidate.cli import main; sys.argv[0] = 'fastlings'; main()"


def _grade(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def _fastlings(pack: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``fastlings ARGS`` as the pack's own copy runs it."""
    env = {k: v for k, v in os.environ.items() if k != "FASTAPI_KIT_ROOT"} | {"NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", FASTLINGS, *args], cwd=pack, capture_output=True, text=True, env=env, timeout=timeout
    )


@pytest.fixture(scope="module")
def small_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pack of q02 and q03 only, as an interviewer hands out."""
    return write_pack(tmp_path_factory.mktemp("small") / "interview", questions=select_questions(("2", "3")))


@pytest.fixture
def pack(small_pack: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "interview"
    shutil.copytree(small_pack, folder)
    return folder


# -- small words ------------------------------------------------------------------------------------------------------


def test_counts_are_singular_for_one() -> None:
    assert [counted(n, "question") for n in (0, 1, 2)] == ["0 questions", "1 question", "2 questions"]
    assert counted(1, "match", "matches") == "1 match" and counted(3, "match", "matches") == "3 matches"


def test_an_empty_selection_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = _grade("-q", "3", "--level", "advanced")
    assert code == 2
    assert "no question selected: q03 is basic, and --level keeps only advanced questions" in out
    code, out = _grade("pack", str(tmp_path / "p"), "-q", "3", "-q", "q10", "--level", "advanced")
    assert code == 2 and "q03 is basic, q10 is intermediate, and --level keeps only advanced questions" in out
    assert not (tmp_path / "p").exists()
    assert (
        explain_empty_selection((), ("advanced",), ())
        == "no question selected: this catalogue has no advanced question"
    )


def test_a_pack_of_one_question_says_one_question(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = _grade("pack", str(tmp_path / "one"), "-q", "2")
    assert code == 0, out
    assert "(1 question)" in out and "1 questions" not in out


# -- grade pack x.tar.gz --------------------------------------------------------------------------------------------


def test_a_pack_named_tar_gz_is_a_tar_gz_holding_one_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = _grade("pack", "week3.tar.gz", "-q", "2")
    assert code == 0, out
    out_path = tmp_path / "week3.tar.gz"
    assert out_path.is_file(), "an archive, not a folder named like one"
    with tarfile.open(out_path) as archive:
        names = archive.getnames()
    assert {name.split("/")[0] for name in names} == {"week3"}
    assert "week3/exercises/q02_basic_app.py" in names and "week3/.fastlings/pack.json" in names
    assert _grade("pack", "week3.tar.gz", "-q", "2", "-q", "3", "--force")[0] == 0, "--force replaces the pack"
    with tarfile.open(out_path) as archive:
        assert "week3/exercises/q03_path_parameters.py" in archive.getnames()
    code, out = _grade("pack", "w.tgz", "-q", "2")
    assert code == 0 and tarfile.is_tarfile(tmp_path / "w.tgz")
    code, out = _grade("pack", "week3.7z", "-q", "2")
    assert code == 2 and "a pack is a folder, a .zip, a .tar.gz (.tgz) or a .tar" in out
    assert not (tmp_path / "week3.7z").exists()
    (tmp_path / "mine.tar.gz").write_bytes(b"not a pack")
    code, out = _grade("pack", "mine.tar.gz", "--force")
    assert code == 2 and "is not a pack written by `grade pack`" in out
    assert (tmp_path / "mine.tar.gz").read_bytes() == b"not a pack"


# -- names in any script ----------------------------------------------------------------------------------------------


def test_names_keep_their_letters() -> None:
    assert submission_name("Zoë") == "zoe"
    assert submission_name("Zoë Ångström-O'Brien") == "zoe-angstrom-o-brien"
    assert submission_name("李雷") == "李雷"
    assert submission_name("Дмитрий Ivanov") == "дмитрий-ivanov", "й is a letter of its own, not и with a mark"
    assert submission_name("Ελένη") == "ελένη"
    assert submission_name("../../etc/passwd") == "etc-passwd"
    assert submission_name(" \t ") == submission_name("!!!") == "candidate"


@pytest.mark.slow
def test_a_submission_named_in_chinese_is_named_so_and_graded(pack: Path, tmp_path: Path) -> None:
    shutil.copyfile(solutions_dir() / "q02_basic_app.py", pack / "exercises" / "q02_basic_app.py")
    done = _fastlings(pack, "submit", "--name", "李雷", "--yes", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    (archive,) = pack.glob("submission-*.zip")
    assert archive.name.startswith("submission-李雷-")
    done = _fastlings(pack, "submit", "--name", "Zoë", "--yes", "-o", str(tmp_path / "zoe.zip"), timeout=120)
    assert done.returncode == 0
    result = CliRunner().invoke(cli, [str(archive), "-q", "2", "-q", "3", "--json"])
    assert result.exit_code == 0, result.output
    (graded,) = json.loads(result.output)["submissions"]
    assert graded["name"].startswith("submission-李雷-") and graded["questions"][0]["status"] == "passed"


# -- fastlings in a pack of some questions ------------------------------------------------------------------------


def test_a_question_outside_the_pack_is_not_in_this_pack(pack: Path) -> None:
    for key, qid in (("16", "q16"), ("q16", "q16"), ("jwt_auth", "q16"), ("cors", "q24")):
        done = _fastlings(pack, "check", key)
        assert done.returncode == 2
        assert f"{qid} is not in this pack: it holds q02, q03 (`fastlings list` shows them)" in done.stderr
    unknown = _fastlings(pack, "hint", "99")
    assert unknown.returncode == 2 and "no question matches '99'" in unknown.stderr, "no such question at all"


def test_hint_defaults_to_the_current_question_and_the_pack_holds_no_hint_in_clear(pack: Path) -> None:
    q02 = next(q for q in load_catalogue() if q.id == "q02")
    for path in pack.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not any(hint in text for hint in q02.hints), f"{path} holds a hint in clear"
    first = _fastlings(pack, "hint")
    assert first.returncode == 0, first.stderr
    assert f"hint 1/3: {q02.hints[0]}" in first.stdout and "hint 2/3" not in first.stdout
    second = _fastlings(pack, "hint")
    assert f"hint 2/3: {q02.hints[1]}" in second.stdout
    state = json.loads((pack / ".fastlings" / "state.json").read_text())
    assert state["questions"]["q02"]["hints_shown"] == 2 and len(state["questions"]["q02"]["hint_times"]) == 2


def test_sealed_hints_open_only_for_their_own_place() -> None:
    sealed = seal("q02", 0, "Create the app with app = FastAPI().")
    assert is_sealed(sealed) and "FastAPI" not in sealed
    assert reveal("q02", 0, sealed) == "Create the app with app = FastAPI()."
    assert seal("q03", 0, "same") != seal("q02", 0, "same") != seal("q02", 1, "same")
    assert (
        reveal("q02", 0, "plain text, as the kit's catalogue holds it") == "plain text, as the kit's catalogue holds it"
    )


def _serve(pack: Path, port: int, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "FASTAPI_KIT_ROOT"}
    child = subprocess.Popen(
        [sys.executable, "-c", FASTLINGS, "serve", "--port", str(port), *args],
        cwd=pack,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                assert json.loads(response.read()) == {"Hello": "World"}
            return child
        except OSError:
            if time.monotonic() > deadline or child.poll() is not None:
                child.kill()
                raise AssertionError(child.communicate()[0]) from None
            time.sleep(0.2)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 0)], ids=["TERM", "HUP", "INT"]
)
def test_serve_serves_the_current_question_and_a_signal_gives_its_exit_code(pack: Path, signum: int, code: int) -> None:
    """`fastlings serve` with no Q serves the question `check` would check (q02 here); SIGTERM exits 143 and SIGHUP
    129, as every fastlings command, Ctrl-C 0 (the way to stop a server); the app's own process goes with it."""
    shutil.copyfile(solutions_dir() / "q02_basic_app.py", pack / "exercises" / "q02_basic_app.py")
    child = _serve(pack, _free_port())
    try:
        child.send_signal(signum)
        output, _ = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == code, output
    assert "serving q02_basic_app.py" in output and "Finished server process" in output
    deadline = time.monotonic() + 10  # nothing of the session is left (the app's process included), once reaped
    while _session_alive(child.pid):
        assert time.monotonic() < deadline, "a process of fastlings serve outlived it"
        time.sleep(0.1)


def _session_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


# -- a misnamed file ---------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_misnamed_file_shows_its_rename_and_map_without_v(tmp_path: Path) -> None:
    folder = tmp_path / "cand"
    folder.mkdir()
    shutil.copyfile(solutions_dir() / "q02_basic_app.py", folder / "q02_basic_app.py")
    shutil.copyfile(solutions_dir() / "q03_path_parameters.py", folder / "q03.py")
    result = CliRunner().invoke(cli, [str(folder), "-q", "2", "-q", "3"])
    assert result.exit_code == 0, result.output
    assert (
        "note: q03: a file named q03.py was found instead: rename it to q03_path_parameters.py, or grade it as it is"
        " with --map q03=q03.py"
    ) in result.output
    mapped = CliRunner().invoke(cli, [str(folder), "-q", "2", "-q", "3", "--map", "q03=q03.py"])
    assert "2/2 questions passed" in mapped.output and "found instead" not in mapped.output


# -- the pack installs only what practice needs ----------------------------------------------------------------------


def test_the_pack_depends_on_nothing_only_the_grader_uses(small_pack: Path) -> None:
    pyproject = tomllib.loads((small_pack / "pyproject.toml").read_text())
    names = {dep.split(">")[0].split("<")[0].split("=")[0].lower() for dep in pyproject["project"]["dependencies"]}
    assert not names & {"copydetect", "pytest-json-report", "pygments", "numpy", "matplotlib"}
    assert {"fastapi", "pytest", "uvicorn", "fastapi-offline", "sqlalchemy"} <= names
    kit = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert "copydetect>=0.5,<0.6" in kit["project"]["optional-dependencies"]["grader"]
    assert "fastapi-interview-kit[grader]" in kit["project"]["optional-dependencies"]["dev"]


def test_practice_never_imports_the_grader_s_libraries(pack: Path) -> None:
    """fastlings checks and hints with copydetect and pytest-json-report made unimportable."""
    blocked = "import sys; sys.modules.update(copydetect=None, pytest_jsonreport=None, numpy=None); "
    shutil.copyfile(solutions_dir() / "q02_basic_app.py", pack / "exercises" / "q02_basic_app.py")
    done = subprocess.run(
        [sys.executable, "-c", blocked + FASTLINGS, "check", "2"], cwd=pack, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all public checks pass" in done.stdout
