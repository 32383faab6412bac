"""Issue 21's wrong numbers, each shown right with real `grade` runs: one assignment, one number on every path.

Most runs here grade nothing new: their files are untouched stubs (not attempted, never run) or files whose
result a seeded gradebook already holds (``seed``: the gradebook reuses a stored result for a byte-identical
file under the same grading key, as it does across a real class), so each is a real `grade` command that takes
a second. The end-to-end proof at the bottom grades a real answer, as a zip, as its unzipped folder and through
`grade report`, and is marked slow.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import zipfile
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from grader.book.fingerprint import grading_key, key_parts
from grader.book.gradebook import Gradebook
from grader.book.results import RawRun, TestOutcome
from grader.book.scoring import score_question
from grader.cli import RUN_STATE, cli, run_click_command
from grader.kit import exercises_dir, solutions_dir
from grader.kit.catalogue import find_question, load_catalogue

Q02, Q03 = "q02_basic_app.py", "q03_path_parameters.py"
LONG_AGO = 1_600_000_000  # 2020-09-13
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MEAN_WORDS = "over the graded submissions; unusable, absent and incomplete ones are not counted"


def grade(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, ANSI.sub("", result.stdout), ANSI.sub("", result.stderr)


def seed(book: Path, question_id: str, content: bytes, passed: int, total: int, duration_s: float = 0.5) -> None:
    """Store a result for ``content`` as ``question_id``'s file, as an earlier grading of that file would have."""
    question = find_question(question_id)
    names = tuple(f"test_{i:03d}" for i in range(total))
    tests = tuple(
        TestOutcome(name, "passed" if i < passed else "failed", "" if i < passed else "assert 1 == 2")
        for i, name in enumerate(names)
    )
    run = RawRun(question.id, "completed", names, tests, "", duration_s)
    digest = hashlib.sha256(content).hexdigest()
    with Gradebook(book, "seed") as gradebook:
        sid = gradebook.submission_id(f"seed-{question_id}-{digest[:8]}", digest, grading_key(), "seed")
        gradebook.record(sid, score_question(question, run), run, digest, grading_key(), content)


def answer(text: str) -> bytes:
    """A q02 file of its own bytes (no grading process ever runs it: its result is seeded)."""
    return (solutions_dir() / Q02).read_bytes() + f"\n# {text}\n".encode()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder, made the current one (where ./gradebook.sqlite3 would be)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def stub(question_file: str) -> bytes:
    return (exercises_dir() / question_file).read_bytes()


def hand_in(folder: Path, files: dict[str, bytes], when: float = LONG_AGO) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
        os.utime(folder / name, (when, when))
    return folder


# --------------------------------------------------------------------------- the assignment is remembered


def test_the_first_grading_gives_the_assignment_its_questions_and_every_report_keeps_them(here: Path) -> None:
    hand_in(here / "class" / "ann", {Q02: stub(Q02), Q03: stub(Q03)})
    hand_in(here / "class" / "bob", {Q02: stub(Q02)})
    code, out, err = grade("class", "-q", "2", "-q", "3", "--gradebook", "b.sqlite3")
    assert code == 0, err
    assert "assignment 'default' in b.sqlite3: 2 questions (q02, q03), 2 points, given at first grading" in err
    report = json.loads(grade("report", "--gradebook", "b.sqlite3", "--json")[1])
    assert report["assignment"] == {"name": "default", "questions": ["q02", "q03"], "max_score": 2.0}
    assert {s["name"]: s["max_score"] for s in report["submissions"]} == {"ann": 2.0, "bob": 2.0}
    # A later run without -q grades the same questions; -q narrows within them; a question outside is refused.
    assert json.loads(grade("class", "--gradebook", "b.sqlite3", "--json")[1])["assignment"]["questions"] == [
        "q02",
        "q03",
    ]
    narrowed = json.loads(grade("report", "--gradebook", "b.sqlite3", "-q", "3", "--json")[1])
    assert narrowed["assignment"]["questions"] == ["q03"]
    code, _, err = grade("class", "--gradebook", "b.sqlite3", "-q", "5")
    assert code == 2 and "q05 is not in assignment 'default' (q02, q03)" in err
    code, _, err = grade("report", "--gradebook", "b.sqlite3", "--level", "advanced")
    assert code == 2 and "none of assignment 'default''s questions (q02, q03) is of level advanced" in err
    code, out, _ = grade("assignment", "--gradebook", "b.sqlite3")
    assert code == 0 and "questions     q02, q03 (given at first grading)" in out


def test_points_per_assignment_rescore_stored_results_and_never_change_the_grading_key(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = answer("points")
    seed(here / "b.sqlite3", "q02", content, passed=3, total=4)
    hand_in(here / "class" / "ann", {Q02: content})
    hand_in(here / "class" / "bob", {Q02: stub(Q02)})
    first = json.loads(grade("class", "-q", "2", "--gradebook", "b.sqlite3", "--json")[1])
    assert first["submissions"][0]["score"] == 0.75
    key = grading_key()
    report = json.loads(grade("report", "--gradebook", "b.sqlite3", "--points", "q02=8", "--json")[1])
    assert (report["submissions"][0]["score"], report["submissions"][0]["max_score"]) == (6.0, 8.0)
    assert report["assignment"]["max_score"] == 8.0
    again = json.loads(grade("class", "--gradebook", "b.sqlite3", "--json")[1])  # remembered; nothing regraded
    assert again["submissions"][0]["score"] == 6.0 and grading_key() == key
    # The catalogue's points are no part of the grading key either: only ids and slugs name the graded files.
    parts = dict(key_parts())
    doubled = tuple(replace(q, points=q.points * 2) for q in load_catalogue())
    monkeypatch.setattr("grader.book.fingerprint.load_catalogue", lambda: doubled)
    assert dict(key_parts()) == parts and "file:catalogue.toml" not in parts


def test_grade_pack_records_the_assignment_beside_the_pack_and_refuses_to_redefine_a_graded_one(here: Path) -> None:
    code, out, _ = grade("pack", "interview.zip", "-q", "2", "-q", "3", "--points", "q03=2")
    assert code == 0, out
    assert "assignment 'default' recorded in gradebook.sqlite3: 2 questions (q02, q03), 3 points" in out
    with Gradebook(here / "gradebook.sqlite3") as book:
        assert (book.settings().questions, book.settings().points, book.settings().origin) == (
            ("q02", "q03"),
            {"q03": 2.0},
            "grade pack",
        )
    hand_in(here / "class" / "ann", {Q02: stub(Q02)})
    hand_in(here / "class" / "bob", {Q02: stub(Q02)})
    assert grade("class")[0] == 0  # graded against the pack's assignment
    code, out, err = grade("pack", "other.zip", "-q", "5")
    assert code == 2 and "already graded (2 students) on q02, q03: name another with --assignment" in out + err
    assert not (here / "other.zip").exists(), "refused before anything was written"
    assert grade("pack", "other.zip", "-q", "5", "--assignment", "week5")[0] == 0


# ------------------------------------------------------------------ a submission graded as what it is


def _submit_zip(path: Path, files: dict[str, bytes], created_at: str, listed: dict[str, bytes] | None = None) -> Path:
    """What `fastlings submit` writes: exercises/ and a manifest with each file's hash and the time."""
    manifest = {
        "kit_version": "0",
        "created_at": created_at,
        "candidate": "Cand",
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in (listed or files).items()},
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"exercises/{name}", data)
        archive.writestr("manifest.json", json.dumps(manifest))
    return path


def _summary(report: dict) -> list[tuple]:
    return [
        (s["name"], s["score"], s["max_score"], s["submitted_at"], s["submitted_at_source"], s["warnings"],
         [(q["id"], q["status"]) for q in s["questions"]])
        for s in report["submissions"]
    ]  # fmt: skip


def test_an_unzipped_submission_is_graded_exactly_as_its_zip(here: Path) -> None:
    edited = stub(Q03) + b"# edited after submit\n"
    archive = _submit_zip(
        here / "cand.zip",
        {Q02: stub(Q02), Q03: edited},
        "2025-01-02T03:04:05+00:00",
        listed={Q02: stub(Q02), Q03: stub(Q03)},
    )
    as_zip = json.loads(grade("cand.zip", "-q", "2", "-q", "3", "--json")[1])
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(here / "unzipped" / "cand")
    as_folder = json.loads(grade("unzipped/cand", "-q", "2", "-q", "3", "--json")[1])
    assert _summary(as_folder) == _summary(as_zip)
    (cand,) = _summary(as_zip)
    assert cand[:5] == ("cand", 0.0, 2.0, "2025-01-02T03:04:05+00:00", "manifest"), "dated by its manifest"
    assert cand[5] == ["files changed after submit: q03_path_parameters.py"]
    assert not (here / "gradebook.sqlite3").exists(), "one submission, no class: no gradebook left in the folder"


def test_a_manifest_listing_other_questions_is_a_warning_and_never_decides_what_is_graded(here: Path) -> None:
    _submit_zip(here / "cand.zip", {Q02: stub(Q02), Q03: stub(Q03)}, "2025-01-02T03:04:05+00:00")
    report = json.loads(grade("cand.zip", "-q", "2", "-q", "3", "-q", "6", "--json")[1])
    (only,) = report["submissions"]
    assert report["assignment"]["questions"] == ["q02", "q03", "q06"]
    assert [q["status"] for q in only["questions"]] == ["not_attempted", "not_attempted", "missing"]
    assert only["warnings"] == [
        "the submit manifest lists 2 questions, the assignment asks 3; not in the manifest: q06"
        " (graded on the assignment's questions)"
    ]


def test_a_candidate_s_pack_folder_is_recognised_and_the_message_says_what_to_grade(here: Path) -> None:
    from grader.kit.pack import write_pack

    pack = write_pack(here / "handed-out", questions=(find_question("q02"), find_question("q03")))
    (pack / "submission-cand-20250101.zip").write_bytes(b"")
    code, out, err = grade("handed-out")
    assert code == 2
    assert (
        "handed-out is a candidate's whole pack folder (stubs, checks, the practice tool): grade"
        " handed-out/exercises, or the zip fastlings submit wrote: grade handed-out/submission-cand-20250101.zip"
    ) in " ".join((out + err).split())
    assert not (here / "gradebook.sqlite3").exists()


def test_regrading_one_student_with_map_adds_no_phantom_student(here: Path) -> None:
    hand_in(here / "class" / "ann", {Q02: stub(Q02), Q03: stub(Q03)})
    hand_in(here / "class" / "hjames" / "exercises", {Q02: stub(Q02), "q03.py": stub(Q03)})
    assert grade("class", "-q", "2", "-q", "3")[0] == 0
    code, _, err = grade("class/hjames", "--map", "q03=q03.py")
    assert code == 0, err
    report = json.loads(grade("report", "--json")[1])
    assert [s["name"] for s in report["submissions"]] == ["ann", "hjames"]
    hjames = report["submissions"][1]
    assert [(q["id"], q["status"]) for q in hjames["questions"]] == [("q02", "not_attempted"), ("q03", "not_attempted")]
    assert "q03_path_parameters.py graded from q03.py (--map)" in hjames["warnings"]


# ----------------------------------------------------------------------------- a half-graded student


def _stop_half_way(book: Path, student: str, question_id: str) -> None:
    """What a batch stopped by kill -9 leaves: the student registered, one question's result never stored."""
    with sqlite3.connect(book) as db:
        db.execute(
            "DELETE FROM question_results WHERE question_id = ? AND submission_id IN"
            " (SELECT id FROM submissions WHERE name = ? AND assignment = 'default')",
            (question_id, student),
        )


def test_a_half_graded_submission_is_incomplete_in_every_report_and_left_out_of_lms_files(here: Path) -> None:
    seed(here / "gradebook.sqlite3", "q02", answer("bclark"), passed=4, total=4)
    hand_in(here / "class" / "bclark", {Q02: answer("bclark"), Q03: stub(Q03)})
    hand_in(here / "class" / "ann", {Q02: stub(Q02), Q03: stub(Q03)})
    assert grade("class", "-q", "2", "-q", "3")[0] == 0
    _stop_half_way(here / "gradebook.sqlite3", "bclark", "q03")
    code, out, err = grade(
        "report", "--csv", "g.csv", "--junit", "g.xml", "--html", "html", "--lms", "canvas", "--lms-csv", "c.csv"
    )
    assert code == 0, err
    row = next(line for line in out.splitlines() if line.startswith("bclark"))
    assert row.split()[1:3] == ["incomplete", "-"] and "q03 not graded yet" in row
    assert "1 submission incomplete: some questions are not graded yet" in out
    assert "mean 0.0% over 1 graded submission (not counted: 1 incomplete)" in out
    report = json.loads(grade("report", "--json")[1])
    bclark = next(s for s in report["submissions"] if s["name"] == "bclark")
    assert (bclark["incomplete"], bclark["ungraded"], bclark["score"], bclark["max_score"]) == (True, ["q03"], None, 2)
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO((here / "g.csv").read_text()))}
    bclark_row = rows["bclark"]
    assert (bclark_row["score"], bclark_row["q03_status"], bclark_row["q03"]) == ("incomplete", "not_graded", "")
    suite = next(s for s in ET.parse(here / "g.xml").getroot() if s.get("name") == "bclark")
    assert {p.get("name"): p.get("value") for p in suite.find("properties")}["score"] == "incomplete"
    assert suite.get("skipped") == "1"
    assert "bclark" not in (here / "c.csv").read_text(encoding="utf-8-sig")
    assert "c.csv: left out, not graded completely yet: bclark" in err
    assert ">incomplete</td>" in (here / "html" / "index.html").read_text()
    # The same command finishes the grading: nothing incomplete is left.
    assert grade("class")[0] == 0
    assert not any(s["incomplete"] for s in json.loads(grade("report", "--json")[1])["submissions"])


# ----------------------------------------------------------------- the LMS column, zeros, the roster


def test_the_lms_column_zeros_and_the_roster_are_the_assignment_s(here: Path) -> None:
    hand_in(here / "class" / "ann", {Q02: stub(Q02)})
    (here / "class" / "corrupt.zip").write_bytes(b"PK\x03\x04 not a zip")
    (here / "roster.csv").write_text("id\nann\ncleo\ncorrupt\n")
    args = ("--gradebook", "fall.sqlite3", "--assignment", "week3")
    assert grade("class", "-q", "2", "--roster", "roster.csv", *args)[0] == 0
    # The roster is remembered: the report lists cleo, who handed in nothing, without being told again.
    code, _, err = grade("report", *args, "--lms", "canvas", "--lms-csv", "canvas.csv", "--lms-unusable", "blank")
    assert code == 0, err
    canvas = list(csv.reader(io.StringIO((here / "canvas.csv").read_text(encoding="utf-8-sig"))))
    assert canvas[0][-1] == "week3", "the column is the assignment's name"
    assert [(r[0], r[-1]) for r in canvas[2:]] == [("ann", "0"), ("cleo", ""), ("corrupt", "")]
    assert "written as blank (the LMS keeps what it had), no grade of their own:" in err
    assert "  cleo: no submission: on the roster, but nothing was handed in" in err
    assert "  corrupt: " in err
    code, _, err = grade("report", *args, "--lms", "moodle", "--lms-csv", "moodle.csv", "--lms-column", "Week 3")
    moodle = list(csv.reader(io.StringIO((here / "moodle.csv").read_text(encoding="utf-8-sig"))))
    assert moodle[0] == ["ID number", "Week 3 (Real)", "Week 3 (Feedback)"]
    cleo = next(r for r in moodle if r[0] == "cleo")
    assert cleo[1] == "0" and "no submission: on the roster, but nothing was handed in" in cleo[2]
    # Week 4's file never overwrites week 3's column: another assignment, another column.
    assert grade("class", "-q", "2", "--gradebook", "fall.sqlite3", "--assignment", "week4")[0] == 0
    assert grade("report", "--gradebook", "fall.sqlite3", "--assignment", "week4", "--lms", "canvas",
                 "--lms-csv", "canvas.csv")[0] == 0  # fmt: skip
    assert (here / "canvas.csv").read_text(encoding="utf-8-sig").splitlines()[0].endswith(",week4")


# ------------------------------------------------------------------------------- lateness and times


def test_a_file_time_is_said_to_be_one_and_the_teacher_s_times_win(here: Path) -> None:
    hand_in(here / "class" / "ann", {Q02: stub(Q02)}, when=LONG_AGO + 86400)
    hand_in(here / "class" / "bob", {Q02: stub(Q02)}, when=LONG_AGO)
    args = ("--gradebook", "b.sqlite3", "--due", "2020-09-13T12:00+00:00", "--late-policy", "zero")
    code, out, _ = grade("class", "-q", "2", *args, "--csv", "g.csv", "--lms", "moodle", "--lms-csv", "m.csv")
    assert code == 0
    ann = next(line for line in out.splitlines() if line.startswith("ann"))
    assert "late by" in ann and "a file time on this disk: a copy dates it anew" in ann
    moodle = csv.reader(io.StringIO((here / "m.csv").read_text(encoding="utf-8-sig")))
    feedback = next(r for r in moodle if r[0] == "ann")
    assert "dated by a file time on the grader's disk" in feedback[2]
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO((here / "g.csv").read_text()))}
    assert (rows["ann"]["time_source"], rows["bob"]["time_source"]) == ("file", "file")
    (here / "times.csv").write_text("id,submitted_at\nann,2020-09-13T10:00+00:00\n")
    report = json.loads(grade("report", "--gradebook", "b.sqlite3", "--submission-times", "times.csv", "--json")[1])
    ann_json = next(s for s in report["submissions"] if s["name"] == "ann")
    assert (ann_json["submitted_at"], ann_json["submitted_at_source"], ann_json["late"]["late_by_s"]) == (
        "2020-09-13T10:00:00+00:00",
        "teacher",
        0,
    )
    again = json.loads(grade("report", "--gradebook", "b.sqlite3", "--json")[1])  # remembered
    assert next(s for s in again["submissions"] if s["name"] == "ann")["submitted_at_source"] == "teacher"


# ------------------------------------------------------------------ the class mean, --fail-under, time


def test_the_class_mean_is_the_same_in_every_report(here: Path) -> None:
    seed(here / "gradebook.sqlite3", "q02", answer("ann"), passed=4, total=4)
    seed(here / "gradebook.sqlite3", "q02", answer("dan"), passed=2, total=4)
    hand_in(here / "class" / "ann", {Q02: answer("ann")})
    hand_in(here / "class" / "bob", {Q02: stub(Q02)})
    hand_in(here / "class" / "dan", {Q02: answer("dan"), Q03: stub(Q03)})
    (here / "class" / "corrupt.zip").write_bytes(b"not a zip at all")
    (here / "roster.csv").write_text("id\nann\nbob\ncleo\ndan\ncorrupt\n")
    assert grade("class", "-q", "2", "-q", "3", "--roster", "roster.csv")[0] == 0
    _stop_half_way(here / "gradebook.sqlite3", "dan", "q03")
    # ann 50% (1 of 2 points), bob 0%: the mean of the graded is 25%; corrupt, cleo (absent), dan (incomplete) apart.
    sentence = "mean 25.0% over 2 graded submissions (not counted: 1 unusable, 1 absent, 1 incomplete)"
    code, out, _ = grade("report", "--csv", "g.csv", "--junit", "g.xml", "--html", "html")
    assert code == 0 and f"5 submissions; {sentence}" in out
    report = json.loads(grade("report", "--json")[1])
    assert report["class"]["mean_percent"] == 25.0 and MEAN_WORDS in report["class"]["definition"]
    assert report["class"]["not_counted"] == {"unusable": 1, "absent": 1, "incomplete": 1}
    junit = {p.get("name"): p.get("value") for p in ET.parse(here / "g.xml").getroot().find("testsuite/properties")}
    assert junit["class.mean"] == sentence
    html = (here / "html" / "index.html").read_text()
    assert sentence in html and MEAN_WORDS in html
    assert '<tr><th>Mean</th><td class="num">25.0%</td></tr>' in html


def test_fail_under_compares_the_unrounded_percent_and_the_time_is_the_run_s(here: Path) -> None:
    content = answer("fail-under")
    seed(here / "gradebook.sqlite3", "q02", content, passed=47, total=120, duration_s=95.0)
    hand_in(here / "class" / "ann", {Q02: content})
    hand_in(here / "class" / "bob", {Q02: content})
    code, out, err = grade("class", "-q", "2", "--points", "q02=12", "--fail-under", "39.2")
    assert code == 1, "39.17% is below 39.2, though shown as 39.2%"
    assert "ann      4.7/12  39.2%" in out
    assert "below --fail-under 39.2%: ann (39.17%), bob (39.17%)" in err
    assert grade("class", "--fail-under", "39.1")[0] == 0
    report = json.loads(grade("class", "--json")[1])
    assert report["submissions"][0]["duration_s"] == 95.0, "the time its question's grading took, once"
    assert report["elapsed_s"] < 95.0, "the run reused everything: its time is its own, not the sum of the results'"
    assert re.search(r"^time: [0-9.]+ s elapsed$", out, re.MULTILINE)


# ---------------------------------------------------------------------------------- what Ctrl-C promises


@pytest.mark.parametrize(
    ("kept", "promise"),
    [
        (True, "finished results are kept, nothing half-made was stored: the same command resumes"),
        (False, "nothing was kept (without --gradebook, one submission is graded into a temporary gradebook)"),
    ],
)
def test_the_interrupt_message_promises_a_resume_only_when_the_results_are_kept(
    kept: bool, promise: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import click

    monkeypatch.setattr("sys.argv", ["grade"])

    @click.command()
    def stopped() -> None:
        RUN_STATE["kept"] = kept
        raise KeyboardInterrupt

    try:
        with pytest.raises(SystemExit) as exit_:
            run_click_command(stopped, "grade")
    finally:
        RUN_STATE.clear()
    assert exit_.value.code == 130
    assert promise in capsys.readouterr().err


# ------------------------------------------------------------------------------ the platform exports


def test_the_exports_grade_the_assignment_s_questions_at_its_points(here: Path) -> None:
    assert grade("pack", "week3.zip", "-q", "2", "-q", "3", "--points", "q03=2", "--assignment", "week3")[0] == 0
    assert grade("export", "gradescope", "ag.zip", "--assignment", "week3")[0] == 0
    with zipfile.ZipFile(here / "ag.zip") as archive:
        run = archive.read("run_autograder").decode()
    assert 'ASSIGNMENT_ARGS="-q q02 -q q03 --points q03=2"' in run
    assert grade("export", "github-classroom", "cr", "--assignment", "week3")[0] == 0
    workflow = (here / "cr" / ".github" / "workflows" / "classroom.yml").read_text()
    assert "grade exercises --json -q q02 -q q03 --points q03=2 > grade.json" in workflow
    assert "runners: q02,q03" in workflow
    assert "3 in all, over 2 questions" in (here / "cr" / "README.md").read_text()
    code, out, err = grade("export", "gradescope", "x.zip", "--assignment", "week9")
    assert code == 2 and "holds no assignment 'week9'" in out + err


# ----------------------------------------------------------------------------- the proof, end to end


def _candidate_zip(pack: Path, out: Path) -> Path:
    """A candidate's `fastlings submit` zip from the pack: q02 answered with the solution, q03 left as it came."""
    from grader.candidate.workspace import write_submission

    shutil.copyfile(solutions_dir() / Q02, pack / "exercises" / Q02)
    os.environ["FASTAPI_KIT_ROOT"] = str(pack)
    try:
        questions = (find_question("q02"), find_question("q03"))
        return write_submission(questions, out, name="Cand")
    finally:
        del os.environ["FASTAPI_KIT_ROOT"]


@pytest.mark.slow
def test_a_subset_pack_s_submission_gets_one_score_out_of_one_maximum_on_every_path(here: Path) -> None:
    """`grade pack -q 2 -q 3`, the candidate answers q02 and submits: 1/2 (50%) as the zip, as its unzipped
    folder, through `grade report`, and in a folder that never saw the pack with `-q` on the first grading;
    without either, all questions are graded and the manifest's two questions are a warning."""
    assert grade("pack", "interview.zip", "-q", "2", "-q", "3")[0] == 0
    with zipfile.ZipFile(here / "interview.zip") as archive:
        archive.extractall(here / "handed-out")
    archive = _candidate_zip(here / "handed-out" / "interview", here / "cand.zip")

    def score(report: dict) -> tuple:
        (only,) = report["submissions"]
        return only["name"], only["score"], only["max_score"], only["percent"], only["submitted_at_source"]

    as_zip = json.loads(grade("cand.zip", "--json")[1])
    assert score(as_zip) == ("cand", 1.0, 2.0, 50.0, "manifest")
    assert json.loads(grade("report", "--json")[1])["submissions"][0]["score"] == 1.0
    elsewhere = here / "elsewhere"  # no gradebook, no pack: the unzipped folder, the questions given with -q
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(elsewhere / "cand")
    os.chdir(elsewhere)
    as_folder = json.loads(grade("cand", "-q", "2", "-q", "3", "--json")[1])
    assert score(as_folder) == score(as_zip)
    assert [q["status"] for q in as_folder["submissions"][0]["questions"]] == ["passed", "not_attempted"]
    code, out, _ = grade("cand", "--gradebook", "kept.sqlite3", "-q", "2", "-q", "3")
    assert code == 0 and "1/2 points (50%)" in out
    assert score(json.loads(grade("report", "--gradebook", "kept.sqlite3", "--json")[1])) == score(as_zip)
    # Asked other questions than the pack's, the manifest's list is a warning; it never chooses what is graded.
    other = json.loads(grade("cand", "-q", "3", "--json")[1])["submissions"][0]
    assert [q["id"] for q in other["questions"]] == ["q03"]
    assert other["warnings"] == [
        "the submit manifest lists 2 questions, the assignment asks 1; not asked: q02 (graded on the assignment's"
        " questions)"
    ]
