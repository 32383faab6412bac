"""A class survives any one submission: whatever a student hands in costs that student alone.

The text a submission controls (names, archive members, failure messages, manifest fields) goes through
``grader.text.safetext.printable`` on its way into the gradebook and again in every report: the property tests
push arbitrary text, lone surrogates and undecodable bytes included, through the sanitiser, every renderer and
the gradebook. A damaged archive is that student's ``error`` (a fuzz test damages real archives at a few
hundred fixed places). A manifest's time that is no time, or lies in the future, never makes late work on time.
A full disk stops the run with one line and exit code 3, storing nothing half-made. The slow tests grade a
real class holding one student of each kind.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import html
import io
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.book.archives import ArchiveError, extract_archive
from grader.book.diskfull import EXIT_DISK_FULL, DiskFull
from grader.book.gradebook import Gradebook, StoredSubmission
from grader.book.lateness import assess, submission_time
from grader.book.manifest import MANIFEST_NAME, read_manifest
from grader.book.results import QuestionResult, RawRun, SubmissionResult, TestFailure, TestOutcome
from grader.book.scoring import score_question
from grader.book.submissions import resolve_submissions
from grader.kit import solutions_dir
from grader.kit.catalogue import find_question
from grader.reports.classlist import render_class_csv, render_class_table, render_junit
from grader.reports.html import render_index
from grader.reports.html_student import render_student
from grader.reports.jsonout import render_report_json
from grader.reports.lms import render_canvas_csv, render_moodle_csv
from grader.reports.table import render_table
from grader.text.safetext import html_text, printable
from tests.kit.full_disk import RefusingConnection

Q02 = find_question("2")
Q03 = find_question("3")
QUESTIONS = (Q02, Q03)

# One of each kind of character that has done harm, so that every example is likely to hold several.
HOSTILE = (
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\t", "\n", "\r",  # C0, DEL, C1, line breaks
    "\ud800", "\udbff", "\udfff", "\udcff", "\udc80",  # lone surrogates; the last two are undecodable bytes
    "\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff",  # noncharacters
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",  # bidi
    "\u200e", "\u200f", "\u061c",  # bidi marks
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\U000e0001", "\U000e0041",  # invisible (Cf)
    "\u2028", "\u2029",  # line and paragraph separators
    "=", "+", "-", "@", "<", ">", "&", '"', "'", "\\", ",", ";",  # what CSV, HTML and XML treat specially
)  # fmt: skip
TEXT = st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from(HOSTILE)), max_size=30)
NAME = st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from(HOSTILE)), min_size=1, max_size=12)
FAST = settings(derandomize=True, max_examples=150, deadline=None)
SLOWER = settings(
    derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)  # fmt: skip


def _harmful(char: str) -> bool:
    """A character no report may hold: a control (but the layout's own line breaks and tabs), a surrogate, a
    noncharacter, an invisible formatting character (bidi controls among them), a line or paragraph separator."""
    code = ord(char)
    if char in "\t\n\r":
        return False
    noncharacter = 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
    return noncharacter or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def _assert_clean(text: str, where: str) -> None:
    bad = sorted({f"U+{ord(c):04X}" for c in text if _harmful(c)})
    assert not bad, f"{where} holds {', '.join(bad)}"
    text.encode("utf-8")  # never raises: no lone surrogate


# ------------------------------------------------------------------------------------------------ the sanitiser


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("al\x1bice", "al\\x1bice"),
        ("a\tb\nc\rd", "a b c d"),
        ("\x85\x9b\x7f", "\\x85\\x9b\\x7f"),
        ("boom \ud800 here", "boom \\ud800 here"),
        ("b\udcffd", "b\\xffd"),
        (b"b\xffd", "b\\xffd"),
        ("\uffff\ufffe", "\\uffff\\ufffe"),
        ("\ufdd0\U0001fffe\U0010ffff", "\\ufdd0\\U0001fffe\\U0010ffff"),
        ("eve\u202egpj.exe", "eve\\u202egpj.exe"),
        ("\u2066\u2069\u200e\u200f\u061c", "\\u2066\\u2069\\u200e\\u200f\\u061c"),
        ("a\u200bb\u2060c\ufeffd", "a\\u200bb\\u2060c\\ufeffd"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("Zoë 日本 😀 ñ", "Zoë 日本 😀 ñ"),
    ],
)
def test_the_sanitiser_shows_what_harms_as_escapes(text: str | bytes, shown: str) -> None:
    assert printable(text) == shown


def test_code_keeps_its_lines_and_html_is_escaped_after_the_sanitiser() -> None:
    assert printable("def f():\r\n\treturn '\u202e'\n", keep_lines=True) == "def f():\r\n\treturn '\\u202e'\n"
    assert html_text('<b a="\u202e">\n') == "&lt;b a=&quot;\\u202e&quot;&gt;\n"


@FAST
@given(TEXT)
def test_any_text_comes_out_clean_encodable_and_stable(text: str) -> None:
    shown = printable(text)
    _assert_clean(shown, "printable's output")
    assert "\t" not in shown and "\n" not in shown and "\r" not in shown
    assert printable(shown) == shown, "a second pass changes nothing"
    if not any(_harmful(c) or c in "\t\n\r" for c in text):
        assert shown == text, "harmless text is kept as it is"
    element = ET.fromstring(ET.tostring(ET.Element("e", name=shown), encoding="unicode"))
    assert element.get("name") == shown, "valid in XML 1.0, attribute and all"


@FAST
@given(st.binary(max_size=30))
def test_any_file_name_bytes_come_out_clean(raw: bytes) -> None:
    name = os.fsdecode(raw)  # how Python reads a file name: undecodable bytes as surrogates
    shown = printable(name)
    _assert_clean(shown, "a file name")
    assert shown == printable(raw)


# --------------------------------------------------------------------------------------------------- reports


def _question(q: Any, status: str, message: str, failures: tuple[TestFailure, ...], flags: tuple[str, ...]) -> Any:
    passed = 1 if status == "failed" else 0
    return QuestionResult(
        q.id, q.slug, q.title, q.level, status, 0.5 * passed, q.points, passed, 2, 0, 0.1,  # type: ignore[arg-type]
        message, failures, flags, ("env",),
    )  # fmt: skip


def _stored(sid: int, name: str, text: str, problem: str = "") -> StoredSubmission:
    failures = (TestFailure(f"test_{text}", f"assert {text!s} == 1"), TestFailure(text, text))
    questions = (
        _question(Q02, "failed", "", failures, (f"imports {text}",)),
        _question(Q03, "error", f"RuntimeError: {text}", (), ()),
    )
    result = SubmissionResult(name, questions, 0.2)
    return StoredSubmission(
        sid, name, "h", "k", f"/class/{name}", problem, (f"warning {text}",), "2026-01-01T00:00:00+00:00", result,
        submitted_at=text,
    )  # fmt: skip


def _render_everything(subs: list[StoredSubmission]) -> dict[str, str]:
    """Every report of the class (the terminal's without its ANSI styles, as a terminal without colour shows it)."""
    pages = [f"s{i}.html" for i in range(len(subs))]
    return {
        "table": click.unstyle(render_table(subs[0].result, verbose=True, notes=("note", *subs[0].warnings))),
        "class table": click.unstyle(render_class_table(subs, QUESTIONS, verbose=True)),
        "json": render_report_json(subs, "book.sqlite3"),
        "csv": render_class_csv(subs, QUESTIONS),
        "junit": render_junit(subs),
        "canvas": render_canvas_csv(subs, QUESTIONS).removeprefix("\ufeff"),  # Excel's byte order mark
        "moodle": render_moodle_csv(subs, QUESTIONS).removeprefix("\ufeff"),
        "html index": render_index(subs, QUESTIONS, pages, ""),
        **{f"html {page}": render_student(sub, ()) for sub, page in zip(subs, pages, strict=True)},
    }


def _check_reports(subs: list[StoredSubmission], names: list[str]) -> None:
    """Every report is clean, parses, and shows each name as the sanitiser does."""
    reports = _render_everything(subs)
    for where, text in reports.items():
        _assert_clean(text, where)
    shown = [printable(name) for name in names]
    assert [s["name"] for s in json.loads(reports["json"])["submissions"]] == shown
    rows = list(csv.DictReader(io.StringIO(reports["csv"])))
    assert [row["student"] for row in rows] == [("'" + n if n.startswith(("=", "+", "-", "@")) else n) for n in shown]
    root = ET.fromstring(reports["junit"].encode("utf-8"))
    assert [suite.get("name") for suite in root.findall("testsuite")] == shown
    for lms in ("canvas", "moodle"):
        cells = [row[0] for row in csv.reader(io.StringIO(reports[lms]))]
        assert len(cells) == len(subs) + (2 if lms == "canvas" else 1)
    for sub in subs:
        page = render_student(sub, ())
        assert f"<h1>{html_text(sub.name)}</h1>" in page
        assert f">{html_text(sub.name)}</a>" in reports["html index"]


@SLOWER
@given(st.lists(NAME, min_size=1, max_size=3, unique_by=printable), TEXT)
def test_every_report_stays_clean_and_parses_whatever_the_text(names: list[str], text: str) -> None:
    subs = [_stored(i, name, text, problem=text if i == 1 else "") for i, name in enumerate(names)]
    _check_reports(subs, names)


# ------------------------------------------------------------------------------------------------- gradebook


@SLOWER
@given(NAME, TEXT, TEXT)
def test_the_gradebook_stores_any_text_and_gives_it_back_printable(name: str, text: str, other: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        manifest_path = Path(scratch) / MANIFEST_NAME
        manifest_path.write_text(json.dumps({"candidate": text, "created_at": other}), encoding="utf-8")
        manifest = read_manifest(manifest_path)
        assert manifest is not None and manifest.candidate == printable(text)[:200]
        run = RawRun(
            Q02.id, "completed", (f"t_{text}", "t_ok"),
            (TestOutcome(f"t_{text}", "failed", other), TestOutcome("t_ok", "passed")), text, 0.1, (f"flag {other}",),
        )  # fmt: skip
        path = Path(scratch) / "book.sqlite3"
        with Gradebook(path) as book:
            sid = book.submission_id(name, "h", "k", f"/class/{name}", text, (text, other), manifest, other)
            book.record(sid, score_question(Q02, run), run, "f", "k", text.encode("utf-8", "surrogatepass"))
            loaded = book.load(sid)
            again = book.latest()
        assert again == [loaded]
        assert (loaded.name, loaded.source) == (printable(name), printable(f"/class/{name}"))
        assert (loaded.problem, loaded.submitted_at) == (printable(text), printable(other))
        assert loaded.warnings == tuple(w for w in (printable(text), printable(other)) if w)
        (question,) = loaded.result.questions
        assert question.message == printable(text) and question.flags == (printable(f"flag {other}"),)
        assert question.failures == (TestFailure(printable(f"t_{text}"), printable(other)),)
        assert loaded.manifest is not None and loaded.manifest.candidate == manifest.candidate
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        _check_reports([loaded], [name])


def test_a_gradebook_holding_bytes_that_are_not_utf8_is_read_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    with Gradebook(path) as book:
        sid = book.submission_id("bob", "h", "k", "src")
    with closing(sqlite3.connect(path)) as db, db:  # what another program (or an older kit) could write
        db.execute(
            "UPDATE submissions SET name = CAST(? AS TEXT), problem = ? WHERE id = ?", (b"b\xffb", "\x1b]52", sid)
        )
    with Gradebook(path) as book:
        loaded = book.load(sid)
    assert (loaded.name, loaded.problem) == ("b\\xffb", "\\x1b]52")


# -------------------------------------------------------------------------------------------------- archives


def _solution(question: Any) -> bytes:
    return (solutions_dir() / question.filename).read_bytes()


def _members() -> dict[str, bytes]:
    manifest = {"kit_version": "0", "created_at": "2026-05-20T12:00:00+00:00", "files": {}}
    return {
        f"ann/{Q02.filename}": _solution(Q02),
        f"ann/{Q03.filename}": _solution(Q03),
        f"ann/{MANIFEST_NAME}": json.dumps(manifest).encode(),
    }


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as handle:
        for name, data in members.items():
            handle.writestr(name, data)
    return path


def _tar(path: Path, members: dict[str, bytes], mode: str) -> Path:
    with tarfile.open(path, mode) as handle:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            handle.addfile(info, io.BytesIO(data))
    return path


def _damaged_zip(path: Path) -> Path:
    """A zip whose central directory is intact but whose first member's deflate stream is not."""
    _zip(path, {Q02.filename: _solution(Q02), Q03.filename: _solution(Q03)})
    data = bytearray(path.read_bytes())
    start = 30 + len(Q02.filename)  # the first local header, then the compressed data
    for index in range(start, start + 8):
        data[index] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def test_archive_damage_of_every_kind_is_an_archive_error(tmp_path: Path) -> None:
    good_zip = _zip(tmp_path / "good.zip", _members()).read_bytes()
    zip_crc = bytearray(good_zip)
    central = good_zip.rfind(b"PK\x01\x02")
    zip_crc[central + 16] ^= 0x01  # the central directory's CRC: the member reads, its check fails
    good_tgz = _tar(tmp_path / "good.tgz", _members(), "w:gz").read_bytes()
    good_tar = _tar(tmp_path / "good.tar", _members(), "w").read_bytes()
    bad_header = bytearray(good_tar)
    bad_header[148:156] = b"garbage!"  # the first header's checksum field
    cases = {
        "deflate.zip": _damaged_zip(tmp_path / "deflate-src.zip").read_bytes(),
        "crc.zip": bytes(zip_crc),
        "member.zip": good_zip[: len(good_zip) // 3] + good_zip[good_zip.rfind(b"PK\x01\x02") :],
        "cut.tgz": good_tgz[: len(good_tgz) // 2],
        "cut.tar": good_tar[:700],
        "header.tar": bytes(bad_header),
    }
    for name, data in cases.items():
        archive = tmp_path / name
        archive.write_bytes(data)
        destination = tmp_path / f"out-{name}"
        destination.mkdir()
        with pytest.raises(ArchiveError, match=rf"^{name}: ") as caught:
            extract_archive(archive, destination)
        assert str(caught.value).strip(), name


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_fuzzed_archives_extract_or_raise_the_kit_s_archive_error(tmp_path: Path, kind: str) -> None:
    """A real submission archive damaged at 150 fixed places (a flipped byte or a cut): extraction succeeds or
    raises ArchiveError, never anything else."""
    source = tmp_path / f"ann.{kind}"
    if kind == "zip":
        _zip(source, _members())
    else:
        _tar(source, _members(), "w" if kind == "tar" else "w:gz")
    original = source.read_bytes()
    rng = random.Random(f"issue 19 {kind}")
    outcomes: dict[str, int] = {}
    for attempt in range(150):
        data = bytearray(original)
        position = rng.randrange(len(data))
        if rng.random() < 0.25:
            del data[position:]
        else:
            data[position] ^= rng.randrange(1, 256)
        archive = tmp_path / f"{attempt}.{kind}"
        archive.write_bytes(bytes(data))
        destination = tmp_path / f"out{attempt}"
        destination.mkdir()
        try:
            extract_archive(archive, destination)
        except ArchiveError as exc:
            printable(str(exc)).encode("utf-8")
            cause = type(exc.__cause__).__name__ if exc.__cause__ else "refused"
            outcomes[cause] = outcomes.get(cause, 0) + 1
        else:
            outcomes["extracted"] = outcomes.get("extracted", 0) + 1
        archive.unlink()
        shutil.rmtree(destination)
    assert len(outcomes) >= 2, f"the damage did not reach the reader: {outcomes}"


def _write_class_entries(room: Path) -> None:
    """alice (a folder), a folder and an archive whose names are not UTF-8, a damaged zip."""
    for raw in (b"alice", b"b\xffd"):
        folder = os.fsencode(room) + b"/" + raw
        os.makedirs(folder, exist_ok=True)
        Path(os.fsdecode(folder + b"/" + Q02.filename.encode())).write_bytes(_solution(Q02))
    _zip(Path(os.fsdecode(os.fsencode(room) + b"/c\xffz.zip")), {Q02.filename: _solution(Q02)})
    _damaged_zip(room / "dana.zip")


def test_undecodable_names_and_a_damaged_zip_cost_their_student_alone(tmp_path: Path) -> None:
    room = tmp_path / "class"
    room.mkdir()
    _write_class_entries(room)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    subs = {s.name: s for s in resolve_submissions([room], scratch)}
    assert sorted(subs) == ["alice", "b\\xffd", "c\\xffz", "dana"]
    assert all(subs[n].folder is not None and not subs[n].problem for n in ("alice", "b\\xffd", "c\\xffz"))
    assert subs["dana"].folder is None
    assert subs["dana"].problem.startswith("dana.zip: cannot be read as an archive (")
    with Gradebook(tmp_path / "book.sqlite3") as book:
        for sub in subs.values():
            book.submission_id(sub.name, "h", "k", str(sub.source), sub.problem, sub.warnings)
        stored = book.latest()
    assert [s.source.rsplit("/", 1)[-1] for s in stored] == ["alice", "b\\xffd", "c\\xffz.zip", "dana.zip"]


def test_a_manifest_nested_past_python_s_recursion_limit_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST_NAME
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    manifest = read_manifest(path)
    assert manifest is not None and manifest.problem == "the manifest is unreadable"


# ------------------------------------------------------------------------------------------------------ time

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
FILES = "2026-12-05T09:00:00+00:00"


@pytest.mark.parametrize(
    ("claimed", "used", "note"),
    [
        ("2026-12-01T10:00:00+00:00", "2026-12-01T10:00:00+00:00", ""),
        ("2026-12-01", "2026-12-01", ""),
        ("", FILES, ""),
        ("the night before the deadline", FILES, '"the night before the deadline" is not a time'),
        ("2026-13-01T00:00:00", FILES, "is not a time"),
        ("2026-12-07T00:00:00+00:00", FILES, '"2026-12-07T00:00:00+00:00" is in the future'),
        ("9999-12-31T23:59:59-23:59", FILES, "is in the future"),
    ],
)
def test_a_manifest_time_that_is_no_time_or_in_the_future_gives_way(claimed: str, used: str, note: str) -> None:
    when, said = submission_time(claimed, FILES, now=NOW)
    assert when == used
    if note:
        assert note in said and said.endswith(f"dated by what was handed in instead ({FILES})")
    else:
        assert said == ""


def test_times_the_candidate_writes_never_make_late_work_on_time(tmp_path: Path) -> None:
    due = "2026-06-01T00:00:00+00:00"
    room = tmp_path / "class"
    room.mkdir()
    for name, created in (("fred", "the night before the deadline"), ("gus", 20260520), ("hal", "2999-01-01")):
        manifest = json.dumps({"kit_version": "0", "created_at": created, "files": {}})
        archive = _zip(room / f"{name}.zip", {Q02.filename: _solution(Q02), MANIFEST_NAME: manifest.encode()})
        late = datetime(2026, 7, 1, tzinfo=UTC).timestamp()
        os.utime(archive, (late, late))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    for sub in resolve_submissions([room], scratch):
        assert sub.submitted_at == "2026-07-01T00:00:00+00:00", sub.name
        lateness = assess(sub.submitted_at, due, "zero")
        assert lateness is not None and lateness.penalty_percent == 100.0, sub.name
        (note,) = [w for w in sub.warnings if w.startswith("the manifest's time")]
        assert note.endswith("dated by what was handed in instead (2026-07-01T00:00:00+00:00)"), note


# ------------------------------------------------------------------------------------------------- full disk


def test_a_full_disk_at_commit_stores_nothing_half_made(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    with Gradebook(path) as book:
        kept = book.submission_id("alice", "h", "k", "src")
        book._db = RefusingConnection(book._db, "COMMIT")  # type: ignore[assignment]
        with pytest.raises(DiskFull, match=r"the disk is full: the gradebook .*book.sqlite3 could not be written"):
            book.submission_id("bob", "h", "k", "src")
        assert not book._db.in_transaction, "rolled back, not left open"
    with Gradebook(path) as book:
        assert [s.id for s in book.latest()] == [kept]


def test_a_full_disk_while_unpacking_is_no_student_s_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _zip(tmp_path / "ann.zip", _members())

    def no_space(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_bytes", no_space)
    with pytest.raises(OSError, match="No space left"):
        extract_archive(archive, tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with pytest.raises(OSError, match="No space left"):
        resolve_submissions([archive], scratch)


# ------------------------------------------------------------------------------------------- real class runs


def _grade(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        stdin=subprocess.DEVNULL,
    )


ON_TIME = datetime(2026, 5, 1, tzinfo=UTC).timestamp()
LATE = datetime(2026, 7, 1, tzinfo=UTC).timestamp()
DUE = "2026-06-01T00:00:00+00:00"


def _dated(path: Path, when: float) -> None:
    for item in (path, *path.rglob("*")) if path.is_dir() else (path,):
        os.utime(item, (when, when))


def _honest(room: Path) -> None:
    """alice: a folder; bob: `fastlings submit`'s zip, its manifest dated before the due date (the zip after)."""
    (room / "alice").mkdir(parents=True)
    for q in QUESTIONS:
        (room / "alice" / q.filename).write_bytes(_solution(q))
    _dated(room / "alice", ON_TIME)
    files = {q.filename: hashlib.sha256(_solution(q)).hexdigest() for q in QUESTIONS}
    manifest = {"kit_version": "0", "candidate": "Bob", "created_at": "2026-05-20T12:00:00+00:00", "files": files}
    members = {f"bob/{q.filename}": _solution(q) for q in QUESTIONS}
    _zip(room / "bob.zip", {**members, f"bob/{MANIFEST_NAME}": json.dumps(manifest).encode()})
    _dated(room / "bob.zip", LATE)


def _hostile(room: Path) -> None:
    """One student of each kind that used to stop the batch or lie in its reports."""

    def folder(raw: bytes, q02: bytes) -> None:
        path = Path(os.fsdecode(os.fsencode(room) + b"/" + raw))
        path.mkdir()
        (path / Q02.filename).write_bytes(q02)
        (path / Q03.filename).write_bytes(_solution(Q03))
        _dated(path, ON_TIME)

    folder(b"sam", b'raise RuntimeError("boom \\ud800 here")\n')  # a lone surrogate in the message
    folder(b"uma", b'raise RuntimeError("bad \\uffff\\ufffe text")\n')  # noncharacters: invalid XML
    folder(b"b\xffd", _solution(Q02))  # a name that is not UTF-8
    folder("eve\u202egpj.exe".encode(), _solution(Q02))  # a right-to-left override in the name
    _damaged_zip(room / "dana.zip")
    forged = {"kit_version": "0", "created_at": "the night before the deadline", "files": {}}
    members = {q.filename: _solution(q) for q in QUESTIONS}
    _zip(room / "fred.zip", {**members, MANIFEST_NAME: json.dumps(forged).encode()})
    _dated(room / "fred.zip", LATE)


def _run_class(
    room: Path, out: Path, with_reports: bool = True
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """``grade`` on the class (with every report), due before the late archives, late work scoring zero."""
    out.mkdir(exist_ok=True)
    args = [str(room), "-q", "2", "-q", "3", "--gradebook", str(out / "book.sqlite3"), "--json"]
    late = ["--due", DUE, "--late-policy", "zero"]
    reports = ["--csv", str(out / "g.csv"), "--junit", str(out / "g.xml"), "--html", str(out / "html")]
    reports += ["--lms", "moodle", "--lms-csv", str(out / "m.csv")]
    completed = _grade(*args, *late, *(reports if with_reports else ()))
    report = json.loads(completed.stdout) if completed.stdout.strip() else {"submissions": []}
    return completed, {s["name"]: s for s in report["submissions"]}


def _row(student: dict[str, Any]) -> dict[str, Any]:
    """What a student's result is, without the times and durations of the run that produced it."""
    questions = [
        {k: q[k] for k in ("id", "status", "points", "tests_passed", "tests_total", "reason", "failures")}
        for q in student["questions"]
    ]
    keep = ("name", "score", "percent", "problem", "warnings", "submitted_at", "late", "final_score", "final_percent")
    return {**{k: student[k] for k in keep}, "questions": questions}


@pytest.mark.slow
def test_a_class_survives_one_student_of_every_kind(tmp_path: Path) -> None:
    clean_room, room = tmp_path / "clean", tmp_path / "class"
    _honest(clean_room)
    _honest(room)
    _hostile(room)
    clean, honest = _run_class(clean_room, tmp_path / "clean-out", with_reports=False)
    assert clean.returncode == 0, clean.stderr
    out = tmp_path / "out"
    completed, report = _run_class(room, out)
    assert completed.returncode == 0, completed.stderr  # grading finished: exit 0, as the README says
    assert "Traceback" not in completed.stderr
    assert sorted(report) == ["alice", "b\\xffd", "bob", "dana", "eve\\u202egpj.exe", "fred", "sam", "uma"]
    for name in ("alice", "bob"):
        assert _row(report[name]) == _row(honest[name]), f"{name} is graded as in a class of honest students"
    assert report["alice"]["percent"] == 100.0 and report["bob"]["late"]["late_by_s"] == 0
    # Each hostile student pays alone, and is shown escaped.
    assert report["sam"]["questions"][0]["status"] == "error" and "\\ud800" in report["sam"]["questions"][0]["reason"]
    assert "\\uffff\\ufffe" in report["uma"]["questions"][0]["reason"]
    assert report["b\\xffd"]["percent"] == report["eve\\u202egpj.exe"]["percent"] == 100.0
    assert report["dana"]["problem"].startswith("dana.zip: cannot be read as an archive (")
    fred = report["fred"]
    assert (fred["percent"], fred["final_percent"], fred["late"]["penalty_percent"]) == (100.0, 0.0, 100.0)
    assert fred["submitted_at"] == "2026-07-01T00:00:00+00:00"
    (note,) = fred["warnings"]
    assert note.startswith('the manifest\'s time "the night before the deadline" is not a time: dated by')
    # Every report parses, holds nothing harmful, and carries the forged time's note.
    junit = ET.parse(out / "g.xml").getroot()
    suites = {suite.get("name"): suite for suite in junit.findall("testsuite")}
    assert set(suites) == set(report)
    fred_properties = {p.get("name"): p.get("value") for p in suites["fred"].iter("property")}
    assert fred_properties["warning"] == note and fred_properties["late"].startswith("late by 30 d")
    rows = {row["student"]: row for row in csv.DictReader(io.StringIO((out / "g.csv").read_text(encoding="utf-8")))}
    assert set(rows) == set(report) and note in rows["fred"]["notes"] and rows["fred"]["final_score"] == "0"
    moodle = {row[0]: row for row in csv.reader(io.StringIO((out / "m.csv").read_text(encoding="utf-8-sig")))}
    assert note in moodle["fred"][2]
    student_pages = "".join(p.read_text(encoding="utf-8") for p in (out / "html").rglob("*.html"))
    assert html.escape(note) in student_pages
    table = _grade("report", "--gradebook", str(out / "book.sqlite3"), "-q", "2", "-q", "3", "-v")
    assert note in table.stdout and "eve\\u202egpj.exe" in table.stdout
    for name, text in {
        "stdout": completed.stdout + table.stdout,
        "csv": (out / "g.csv").read_text(encoding="utf-8"),
        "junit": (out / "g.xml").read_text(encoding="utf-8"),
        "moodle": (out / "m.csv").read_text(encoding="utf-8-sig"),
        "html": student_pages,
        "json": json.dumps(report, ensure_ascii=False),
    }.items():
        _assert_clean(text, name)
    with closing(sqlite3.connect(out / "book.sqlite3")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # A rerun (it used to die the same way) reuses everything and reports the same.
    rerun, again = _run_class(room, out, with_reports=False)
    assert rerun.returncode == 0, rerun.stderr
    assert {n: _row(s) for n, s in again.items()} == {n: _row(s) for n, s in report.items()}


def _class_of_three(room: Path) -> None:
    for name in ("ann", "ben", "cy"):
        (room / name).mkdir(parents=True)
        (room / name / Q02.filename).write_bytes(f"# {name}\n".encode() + _solution(Q02))  # three distinct files


def _disk_full_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr and len(lines) == 1, stderr
    return lines[0]


@pytest.mark.slow
def test_a_full_disk_while_recording_stops_the_run_cleanly_and_a_rerun_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second result's INSERT fails as SQLite does on a full disk: exit 3, one line, the first result
    kept whole and nothing of the second; the same command, with room again, grades the rest."""
    from grader import cli

    room, book = tmp_path / "class", tmp_path / "book.sqlite3"
    _class_of_three(room)
    args = ["grade", str(room), "-q", "2", "-j", "1", "--gradebook", str(book)]
    opened = Gradebook.__init__

    def full_on_second_result(self: Gradebook, *a: Any, **k: Any) -> None:
        opened(self, *a, **k)
        self._db = RefusingConnection(self._db, "INSERT OR REPLACE INTO question_results VALUES", after=1)  # type: ignore[assignment]

    monkeypatch.setattr(Gradebook, "__init__", full_on_second_result)
    monkeypatch.setattr(sys, "argv", args)
    monkeypatch.setattr(cli, "stop_on_signals", lambda: None)  # pytest keeps its own SIGTERM handling
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == EXIT_DISK_FULL == 3
    line = _disk_full_line(capsys.readouterr().err)
    assert line.startswith("grade: the disk is full: the gradebook ") and "run the same command again" in line
    with closing(sqlite3.connect(book)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM question_results").fetchone() == (1,)
        graded = db.execute("SELECT submission_id FROM question_results").fetchone()
        assert db.execute("SELECT DISTINCT submission_id FROM test_results").fetchall() == [graded]
        assert db.execute("SELECT count(*) FROM files").fetchone() == (1,), "the failed result's file is not kept"
    monkeypatch.setattr(Gradebook, "__init__", opened)
    with pytest.raises(SystemExit) as finished:
        cli.main()
    assert finished.value.code == 0
    assert "1 question results reused" in capsys.readouterr().err


@pytest.mark.slow
def test_a_real_full_disk_stops_the_run_cleanly(tmp_path: Path) -> None:
    """The gradebook on a 160 KiB tmpfs (mounting needs root; skipped elsewhere): exit 3, one line, a sound
    gradebook; grown to 4 MiB, the same command finishes the class."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(mount)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        room = tmp_path / "class"
        _class_of_three(room)
        args = [str(room), "-q", "2", "--gradebook", str(mount / "book.sqlite3"), "--json"]
        full = _grade(*args)
        assert full.returncode == EXIT_DISK_FULL, full.stderr
        assert _disk_full_line(full.stderr).startswith("grade: the disk is full")
        with closing(sqlite3.connect(mount / "book.sqlite3")) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        subprocess.run(["mount", "-o", "remount,size=4m", str(mount)], check=True)
        resumed = _grade(*args)
        assert resumed.returncode == 0, resumed.stderr
        report = json.loads(resumed.stdout)["submissions"]
        assert [(s["name"], s["percent"]) for s in report] == [("ann", 100.0), ("ben", 100.0), ("cy", 100.0)]
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=False)  # --lazy: even while a file is open
