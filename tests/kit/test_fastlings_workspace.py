"""fastlings and the candidate's files: reset and restore, one "next" everywhere, the list's legend, what
submit warns about and records, and serve's port and offline /docs."""

from __future__ import annotations

import json
import re
import shutil
import socket
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.candidate.cli import cli
from grader.candidate.serving import ASSETS_PREFIX, PortTaken, find_port, wrap_app
from grader.candidate.state import Progress, load_progress, save_progress
from grader.kit import solutions_dir

Q02, Q03 = "q02_basic_app.py", "q03_path_parameters.py"
SOLUTIONS = solutions_dir()


def fastlings(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False, prog_name="fastlings")
    return result.exit_code, result.output


def state(pack: Path) -> Progress:
    return load_progress(pack / ".fastlings" / "state.json")


def backups(pack: Path, stem: str = "q02_basic_app") -> list[Path]:
    return sorted((pack / ".fastlings" / "backups").glob(f"{stem}.*.py"))


# -- reset and restore --------------------------------------------------------------------------------------
def test_reset_forgets_the_last_check_so_the_list_and_progress_agree(pack: Path) -> None:
    shutil.copyfile(SOLUTIONS / Q02, pack / "exercises" / Q02)
    assert fastlings("check", "2")[0] == 0
    code, out = fastlings("reset", "2", "--yes")
    assert code == 0, out
    _, listing = fastlings("list")
    assert re.search(r"· q02", listing) and "0/30" in listing


def test_reset_of_an_untouched_stub_says_so_and_writes_nothing(pack: Path) -> None:
    code, out = fastlings("reset", "2", "--yes")
    assert code == 0
    assert "still the original stub" in out
    assert not (pack / ".fastlings" / "backups").exists(), "no backup of a stub"


def test_restore_brings_back_the_latest_backup_and_keeps_the_file_it_replaces(pack: Path) -> None:
    mine = pack / "exercises" / Q02
    mine.write_text("# first try\n")
    fastlings("reset", "2", "--yes")
    mine.write_text("# second try\n")
    fastlings("reset", "2", "--yes")
    mine.write_text("# third try, not yet backed up\n")
    code, out = fastlings("restore", "2")
    assert code == 0, out
    assert mine.read_text() == "# second try\n", "the latest backup"
    assert "# third try, not yet backed up\n" in [p.read_text() for p in backups(pack)], "nothing is lost"
    code, out = fastlings("restore", "q02")
    assert code == 0 and mine.read_text() == "# third try, not yet backed up\n", "a second restore undoes the first"
    assert len(backups(pack)) == 3, "no backup holds the same content twice"


def test_restore_without_a_backup_is_a_clear_error(pack: Path) -> None:
    code, out = fastlings("restore", "2")
    assert code == 1 and "no backup" in out


# -- one "next", the list ---------------------------------------------------------------------------------
def test_next_is_the_same_for_fastlings_check_and_watch(pack: Path) -> None:
    """The question after the one worked on, not the first unfinished of all (watch said q17, fastlings q06)."""
    progress = Progress(current="q16")
    for qid in ("q01", "q02", "q03", "q04", "q05", "q16"):
        progress.record_check(qid, "done")
    save_progress(pack / ".fastlings" / "state.json", progress)
    _, out = fastlings()
    assert "next: q17" in out
    _, out = fastlings("check")
    assert out.startswith("q17 · ")
    _, out = fastlings("list")
    assert re.search(r"^>[·✗] q17", out, re.M), "the list marks the same question"


def test_list_has_a_legend_and_a_symbol_per_state(pack: Path) -> None:
    progress = Progress()
    for qid, status in (("q01", "done"), ("q02", "failing"), ("q03", "error"), ("q04", "timeout")):
        progress.record_check(qid, status)
    save_progress(pack / ".fastlings" / "state.json", progress)
    _, out = fastlings("list")
    marks = [re.search(rf"^.(\S) {qid}", out, re.M)[1] for qid in ("q01", "q02", "q03", "q04", "q05")]  # type: ignore[index]
    assert len(set(marks)) == 5, f"error and timeout look alike: {marks}"
    for mark in marks:
        assert re.search(rf"{re.escape(mark)} \w", out.split("q30")[1]), f"{mark} is missing from the legend"


# -- submit -----------------------------------------------------------------------------------------------------
def test_submit_warns_about_untouched_and_failing_questions_and_asks_first(pack: Path, tmp_path: Path) -> None:
    (pack / "exercises" / Q03).write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    out_zip = tmp_path / "answer.zip"
    code, out = fastlings("submit", "--name", "Ada", "-o", str(out_zip), input="n\n")
    assert code == 1 and not out_zip.exists(), "nothing is written when the candidate says no"
    assert "29 still the untouched stub" in out and "q02" in out
    assert re.search(r"1 do not pass their public checks: q03", out), out
    assert "Submit anyway?" in out
    code, out = fastlings("submit", "--name", "Ada", "-o", str(out_zip), input="y\n")
    assert code == 0 and out_zip.exists()


def test_submit_asks_for_the_name_and_names_the_zip_after_it(pack: Path) -> None:
    shutil.copyfile(SOLUTIONS / Q02, pack / "exercises" / Q02)
    code, out = fastlings("submit", "--yes", input="Ada Lovelace\n")
    assert code == 0, out
    (archive,) = pack.glob("submission-ada-lovelace-*.zip")
    with zipfile.ZipFile(archive) as handle:
        manifest = json.loads(handle.read("manifest.json"))
    assert manifest["candidate"] == "Ada Lovelace"


def test_the_manifest_records_hints_modification_times_and_versions(pack: Path, tmp_path: Path) -> None:
    shutil.copyfile(SOLUTIONS / Q02, pack / "exercises" / Q02)
    fastlings("hint", "2")
    fastlings("hint", "2")
    out_zip = tmp_path / "answer.zip"
    code, out = fastlings("submit", "--name", "Ada", "--yes", "-o", str(out_zip))
    assert code == 0, out
    with zipfile.ZipFile(out_zip) as handle:
        manifest = json.loads(handle.read("manifest.json"))
    assert {"kit_version", "created_at", "files"} <= set(manifest), "the fields `grade` reads are kept"
    q02, q03 = manifest["questions"]["q02"], manifest["questions"]["q03"]
    assert q02["hints_shown"] == 2 and len(q02["hint_times"]) == 2
    assert q02["status"] == "done", "checked before the zip was written"
    assert q02["first_modified"] and q02["last_modified"] and not q02["untouched"]
    assert q03["untouched"] and q03["first_modified"] == "" and q03["hints_shown"] == 0
    assert set(manifest["versions"]) == {"python", "fastapi", "starlette", "pydantic"}
    assert all(manifest["versions"].values())


# -- serve ----------------------------------------------------------------------------------------------------
def test_a_busy_port_is_skipped_unless_the_candidate_chose_it() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert find_port("127.0.0.1", port, explicit=False) != port
        with pytest.raises(PortTaken, match="--port"):
            find_port("127.0.0.1", port, explicit=True)


def test_serve_on_a_taken_port_says_so_and_exits_1(pack: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code, out = fastlings("serve", "2", "--port", str(busy.getsockname()[1]))
    assert code == 1
    assert "is in use" in out and "--port" in out


def test_docs_are_served_offline_and_the_lifespan_still_runs() -> None:
    from contextlib import asynccontextmanager

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    started: list[bool] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
        started.append(True)
        yield

    with TestClient(wrap_app(FastAPI(lifespan=lifespan))) as client:  # type: ignore[arg-type]
        docs = client.get("/docs").text
        assert "cdn.jsdelivr.net" not in docs and f"{ASSETS_PREFIX}/swagger-ui-bundle.js" in docs
        script = client.get(f"{ASSETS_PREFIX}/swagger-ui-bundle.js")
        assert script.status_code == 200 and "SwaggerUIBundle" in script.text
        assert client.get(f"{ASSETS_PREFIX}/swagger-ui.css").status_code == 200
        assert "cdn.jsdelivr.net" not in client.get("/redoc").text
    assert started == [True]
