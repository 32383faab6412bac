"""Every report of a small class, compared whole: the terminal tables, the class CSV, JSON and JUnit, the HTML.

Written against the mutants of ``grader/reports/`` that the kit's suite let through (``python
bench/mutation.py -m reports.classlist -m reports.table -m reports.jsonout -m reports.html``). The class
holds one of each case a report must tell apart: a passed and a partly failed question, a flagged one, an
unusable archive, a missing file, a timeout, warnings, an empty submission and a name a spreadsheet would
take for a formula.

The HTML pages are compared with the files under ``tests/kit/golden/html/``. After an intended change to the
HTML report, rewrite them with ``KIT_UPDATE_GOLDEN=1 pytest tests/kit/test_reports_mutants.py`` and read the
diff before committing it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from grader import __version__
from grader.book.gradebook import StoredSubmission
from grader.book.lateness import Lateness
from grader.book.results import QuestionResult, SubmissionResult, TestFailure
from grader.kit.catalogue import Question
from grader.reports.classlist import (
    class_sandbox,
    flag_summary,
    late_note,
    render_class_csv,
    render_class_table,
    render_junit,
    submission_notes,
)
from grader.reports.html import (
    REPORT_MARKER,
    ReportFolderError,
    check_report_folder,
    render_index,
    write_html_report,
)
from grader.reports.jsonout import render_report_json
from grader.reports.summary import MEAN_DEFINITION
from grader.reports.table import render_sandbox, render_table, sandbox_text

GOLDEN = Path(__file__).parent / "golden" / "html"
ALL = ("landlock", "seccomp", "pidns", "cgroup", "disk", "nocaps", "rlimits", "env")
Q1 = Question("q01", "first", "First", "basic", 1.0, ("h",))
Q2 = Question("q02", "second", "Second & <more>", "intermediate", 2.0, ("h",))
Q3 = Question("q03", "third", "Third", "advanced", 3.0, ("h",))
QUESTIONS = (Q1, Q2, Q3)
BOLD, DIM, END = "\x1b[1m", "\x1b[2m", "\x1b[0m"
GREEN, RED, MAGENTA, YELLOW, GREY = "\x1b[32m", "\x1b[31m", "\x1b[35m", "\x1b[33m", "\x1b[90m"
LEGEND = f"{DIM}✓ passed  ✗ failed  ! error  T timeout  - missing  · not attempted{END}"
PROBLEM = "bob.zip: not a zip or tar archive"
DORA = "dora holds none of the kit's exercise files"
MISSING = "landlock, pidns, cgroup, disk, nocaps, rlimits"
MISSING_REASON = "missing: there is no q01_first.py"
NEAR_MISS = (
    "a file named q01.py was found instead: rename it to q01_first.py, or grade it as it is with --map q01=q01.py"
)
TIMEOUT = "timeout: 1/4 tests, 0.5/2 points"
FLAGGED = "* the code reaches for the grading machinery: read it before trusting the score"


def _q(
    q: Question,
    status: str,
    points: float,
    passed: int,
    total: int,
    *,
    skipped: int = 0,
    message: str = "",
    failures: tuple[TestFailure, ...] = (),
    flags: tuple[str, ...] = (),
    sandbox: tuple[str, ...] = ALL,
) -> QuestionResult:
    return QuestionResult(
        q.id, q.slug, q.title, q.level, status, points, q.points, passed, total, skipped, 0.5,  # type: ignore[arg-type]
        message, failures, flags, sandbox,
    )  # fmt: skip


MEAN = "mean 47.2% over 2 graded submissions (not counted: 2 unusable)"


def _sub(
    sid: int, name: str, questions: list[QuestionResult], problem: str = "", warnings: tuple[str, ...] = ()
) -> StoredSubmission:
    result = SubmissionResult(name, tuple(questions), 1.25 if questions else 0.0)
    return StoredSubmission(
        sid, name, f"hash-{sid}", "0.1.0+abc", f"/class/{name}", problem, warnings, "2025-03-01T10:00:00+00:00", result
    )


def make_class() -> list[StoredSubmission]:
    alice = _sub(
        1,
        "alice",
        [
            _q(Q1, "passed", 1.0, 4, 4, flags=("imports gc",)),
            _q(
                Q2,
                "failed",
                1.33,
                2,
                4,
                skipped=1,
                failures=(TestFailure("test_items", "assert 404 == 200"), TestFailure("test_head", "")),
            ),
        ],
    )
    bob = _sub(
        2,
        "bob",
        [
            _q(Q1, "error", 0.0, 0, 0, message=PROBLEM, sandbox=()),
            _q(Q2, "error", 0.0, 0, 0, message=PROBLEM, sandbox=()),
        ],
        problem=PROBLEM,
    )
    carl = _sub(
        3,
        "=carl",
        [
            _q(Q1, "missing", 0.0, 0, 4, sandbox=()),
            _q(
                Q2,
                "timeout",
                0.5,
                1,
                4,
                message="stuck in test_c",
                failures=(TestFailure("(timeout)", "stuck in test_c"),),
                sandbox=("seccomp", "env"),
            ),
        ],
        warnings=("files changed after submit: q01_first.py", "fichier modifié"),
    )
    dora = _sub(4, "dora", [], problem=DORA)
    return [alice, bob, carl, dora]


# ------------------------------------------------------------------------------------------- class reports


def test_the_class_table_in_full() -> None:
    """One row per student with its status grid (one symbol per question, q03 absent everywhere), the legend."""
    notes = "files changed after submit: q01_first.py; fichier modifié"
    width = len(notes)
    assert render_class_table(make_class(), QUESTIONS) == "\n".join(
        [
            f"{BOLD}student  score   percent  passed  questions  note{END}",
            f"{' ' * 34}{DIM}123{END}",
            f"alice    2.33/3  77.7%    1/2     {GREEN}✓{END}{RED}✗{END}{GREY}-{END}        "
            f"{YELLOW}{'integrity flags: q01'.ljust(width)}{END}",
            f"bob      0/3     0%       0/2     {MAGENTA}!{END}{MAGENTA}!{END}{GREY}-{END}        "
            f"{MAGENTA}{PROBLEM.ljust(width)}{END}",
            f"=carl    0.5/3   16.7%    0/2     {GREY}-{END}{YELLOW}T{END}{GREY}-{END}        {YELLOW}{notes}{END}",
            f"dora     0/0     0%       0/0     {GREY}-{END}{GREY}-{END}{GREY}-{END}        "
            f"{MAGENTA}{DORA.ljust(width)}{END}",
            LEGEND,
            "",
            f"{YELLOW}sandbox       seccomp, env; missing {MISSING} (run `grade doctor`){END}",
            f"{BOLD}4 submissions; mean 47.2% over 2 graded submissions (not counted: 2 unusable){END}",
        ]
    )  # fmt: skip


def test_an_empty_class_table_is_its_header() -> None:
    assert render_class_table([], QUESTIONS) == "\n".join(
        [f"{BOLD}student  score  percent  passed  questions  note{END}", f"{' ' * 33}{DIM}123{END}"]
    )


def test_a_class_table_where_every_layer_ran() -> None:
    (alice,) = make_class()[:1]
    lines = render_class_table([alice], QUESTIONS).split("\n")
    assert lines[-2:] == [
        "sandbox       all 8 layers (landlock, seccomp, pidns, cgroup, disk, nocaps, rlimits, env)",
        f"{BOLD}1 submission; mean 77.7% over 1 graded submission{END}",
    ]


def test_the_class_csv_in_full() -> None:
    assert render_class_csv(make_class(), QUESTIONS) == (
        "student,q01,q02,q03,score,max_score,percent,q01_status,q02_status,q03_status,reasons,notes,submitted_at,"
        "penalty_percent,final_score,final_percent,time_source\n"
        'alice,1,1.33,0,2.33,3,77.7,passed,failed,missing,"q02 1 test failed, first: assert 404 == 200",'
        "integrity flags: q01,,0,2.33,77.7,\n"
        f"bob,0,0,0,0,3,0.0,error,error,missing,q01 error: {PROBLEM}; q02 error: {PROBLEM},{PROBLEM},,0,0,0.0,\n"
        "'=carl,0,0.5,0,0.5,3,16.7,missing,timeout,missing,q01 missing: there is no q01_first.py; q02 timeout:"
        " stuck in test_c,files changed after submit: q01_first.py; fichier modifié,,0,0.5,16.7,\n"
        f"dora,0,0,0,0,6,0.0,missing,missing,missing,,{DORA},,0,0,0.0,\n"
    )


def test_the_class_json_in_full() -> None:
    text = render_report_json(make_class(), "book.sqlite3")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, ensure_ascii=False)
    assert "fichier modifié" in text
    keys = ["schema_version", "kit_version", "gradebook", "assignment", "class", "elapsed_s", "submissions"]
    assert list(data) == keys
    assert (data["schema_version"], data["kit_version"], data["gradebook"]) == (2, __version__, "book.sqlite3")
    assert data["assignment"] == {"name": "default", "questions": ["q01", "q02"], "max_score": 3.0}
    assert data["class"] == {
        "mean_percent": 47.2,
        "counted": 2,
        "not_counted": {"unusable": 2, "absent": 0, "incomplete": 0},
        "definition": MEAN_DEFINITION,
    }
    assert data["elapsed_s"] is None, "a report from the gradebook graded nothing"
    carl = data["submissions"][2]
    expected = make_class()[2].result.to_dict()
    expected.update(
        name="=carl",
        source="/class/=carl",
        content_hash="hash-3",
        kit_version="0.1.0+abc",
        graded_at="2025-03-01T10:00:00+00:00",
        problem="",
        warnings=["files changed after submit: q01_first.py", "fichier modifié"],
        submitted_at="",
        late=None,
        final_score=0.5,
        final_percent=16.7,
        submitted_at_source="",
        incomplete=False,
        ungraded=[],
    )
    assert carl == expected
    assert [s["name"] for s in data["submissions"]] == ["alice", "bob", "=carl", "dora"]


def test_the_junit_report_in_full() -> None:
    root = ET.fromstring(render_junit(make_class()))
    assert render_junit(make_class()).startswith("<?xml version='1.0' encoding='utf-8'?>\n<testsuites")
    assert (root.tag, root.attrib) == ("testsuites", {"name": "fastapi-interview-kit"})
    suites = [
        (s.attrib, [(p.get("name"), p.get("value")) for p in s.find("properties")], s.findall("testcase")) for s in root
    ]
    summary = [(attrib["name"], attrib["tests"], attrib["failures"], attrib["errors"], attrib["time"])
               for attrib, _, _ in suites]  # fmt: skip
    assert summary == [
        ("alice", "2", "1", "0", "1.25"),
        ("bob", "2", "0", "3", "1.25"),
        ("=carl", "2", "1", "1", "1.25"),
        ("dora", "1", "0", "1", "0.00"),
    ]

    def scores(score: str, max_score: str, percent: str) -> list[tuple[str, str]]:
        return [
            ("score", score),
            ("max_score", max_score),
            ("percent", percent),
            ("final_score", score),
            ("final_percent", percent),
            ("class.mean", MEAN),
        ]

    assert [props for _, props, _ in suites] == [
        [*scores("2.33", "3", "77.7"), ("sandbox.active", ",".join(ALL)), ("sandbox.missing", ""),
         ("integrity.q01", "imports gc")],
        [*scores("0", "3", "0"), ("sandbox.active", ""), ("sandbox.missing", "")],
        [
            *scores("0.5", "3", "16.7"),
            ("sandbox.active", "seccomp,env"),
            ("sandbox.missing", "landlock,pidns,cgroup,disk,nocaps,rlimits"),
            ("warning", "files changed after submit: q01_first.py"),
            ("warning", "fichier modifié"),
        ],
        [*scores("0", "0", "0"), ("sandbox.active", ""), ("sandbox.missing", "")],
    ]  # fmt: skip

    def case(element: ET.Element) -> tuple:
        outcome = next(iter(element), None)
        verdict = None if outcome is None else (outcome.tag, outcome.get("message"), outcome.text)
        return (element.get("classname"), element.get("name"), element.get("time"), verdict)

    assert [[case(c) for c in cases] for _, _, cases in suites] == [
        [
            ("alice.basic", "q01_first", "0.50", None),
            (
                "alice.intermediate",
                "q02_second",
                "0.50",
                ("failure", "failed: 2/4 tests, 1.33/2 points", "test_items: assert 404 == 200\ntest_head: "),
            ),
        ],
        [
            ("bob", "submission", None, ("error", PROBLEM, None)),
            ("bob.basic", "q01_first", "0.50", ("error", "error: 0/0 tests, 0/1 points", PROBLEM)),
            ("bob.intermediate", "q02_second", "0.50", ("error", "error: 0/0 tests, 0/2 points", PROBLEM)),
        ],
        [
            ("=carl.basic", "q01_first", "0.50", ("failure", "missing: 0/4 tests, 0/1 points", MISSING_REASON)),
            ("=carl.intermediate", "q02_second", "0.50", ("error", TIMEOUT, "stuck in test_c")),
        ],
        [("dora", "submission", None, ("error", "dora holds none of the kit's exercise files", None))],
    ]  # fmt: skip


def test_a_missing_question_without_failures_carries_its_reason_in_junit() -> None:
    sub = _sub(5, "eve", [_q(Q1, "missing", 0.0, 0, 3, message=NEAR_MISS)])
    failure = ET.fromstring(render_junit([sub])).find("testsuite/testcase/failure")
    assert (failure.get("message"), failure.text) == ("missing: 0/3 tests, 0/1 points", f"missing: {NEAR_MISS}")


# --------------------------------------------------------------------------------------- one submission


def test_the_submission_table_in_full() -> None:
    alice = make_class()[0].result
    head = [
        f"{BOLD}id   title            level         status   tests             points{END}",
        f"q01  First            basic         {GREEN}passed*{END}  4/4               1/1",
        f"q02  Second & <more>  intermediate  {RED}failed {END}  2/3 (+1 skipped)  1.33/2",
    ]
    tail = [
        "basic         1/1 points",
        "intermediate  1.33/2 points",
        "sandbox       all 8 layers (landlock, seccomp, pidns, cgroup, disk, nocaps, rlimits, env)",
        f"{BOLD}score         2.33/3 points (77.7%), 1/2 questions passed{END}",
    ]
    assert render_table(alice) == "\n".join([*head, "", f"{YELLOW}{FLAGGED}{END} (-v says why)", *tail])
    # -v: each flag under its question, every failure of a question that did not pass (not only the first).
    assert render_table(alice, verbose=True) == "\n".join(
        [
            *head[:2],
            f"{YELLOW}      * imports gc{END}",
            head[2],
            f"{DIM}      -> test_items: assert 404 == 200{END}",
            f"{DIM}      -> test_head{END}",
            "",
            f"{YELLOW}{FLAGGED}{END}",
            *tail,
        ]
    )


def test_the_verbose_table_says_what_went_wrong_first() -> None:
    dim = "\x1b[2m"
    result = SubmissionResult(
        "dora",
        (
            _q(Q1, "missing", 0.0, 0, 4, sandbox=()),
            _q(Q2, "failed", 0.0, 0, 2, failures=(TestFailure("test_head", ""),), sandbox=()),
            _q(Q3, "error", 0.0, 0, 2, message="SyntaxError: bad input (line 3)", sandbox=()),
        ),
        0.0,
    )
    lines = render_table(result, verbose=True).split("\n")
    assert [line for line in lines if line.startswith(dim)] == [
        f"{dim}      -> there is no q01_first.py{END}",
        f"{dim}      -> test_head{END}",
        f"{dim}      -> SyntaxError: bad input (line 3){END}",
    ]
    assert "\x1b[90mmissing\x1b[0m" in lines[1] and "\x1b[35merror  \x1b[0m" in lines[5]
    assert lines[-1] == f"{BOLD}score         0/6 points (0%), 0/3 questions passed{END}"
    assert lines[-2] == (  # q02's code ran with no layer at all
        f"\x1b[33msandbox       none; missing {', '.join(ALL)} (run `grade doctor`)\x1b[0m"
    )
    named = _q(Q1, "missing", 0.0, 0, 4, message=NEAR_MISS)
    assert render_table(SubmissionResult("x", (named,), 0.0), verbose=True).split("\n")[2] == (
        f"{dim}      -> {NEAR_MISS}{END}"
    )
    quiet = _q(Q1, "failed", 0.0, 0, 2)
    assert render_table(SubmissionResult("x", (quiet,), 0.0), verbose=True).split("\n")[2] == ""


def test_an_empty_submission_table() -> None:
    assert render_table(SubmissionResult("x", (), 0.0)) == "\n".join(
        [
            f"{BOLD}id  title  level  status  tests  points{END}",
            "",
            f"{BOLD}score         0/0 points (0%), 0/0 questions passed{END}",
        ]
    )


def test_sandbox_sentences() -> None:
    assert sandbox_text({"active": [], "missing": []}) == "Sandbox: no candidate code ran."
    assert sandbox_text({"active": ["seccomp", "env"], "missing": []}) == "Sandbox layers active: seccomp, env."
    assert sandbox_text({"active": [], "missing": ["seccomp"]}) == (
        "Sandbox layers active: none. Missing: seccomp (see grade doctor)."
    )
    assert render_sandbox({"active": [], "missing": []}) == ""
    assert render_sandbox({"active": [], "missing": ["env"]}) == (
        "\x1b[33msandbox       none; missing env (run `grade doctor`)\x1b[0m"
    )


def test_one_submission_is_a_class_of_one_in_json() -> None:
    carl = make_class()[2]
    text = render_report_json([carl], None)
    submission = {
        **carl.result.to_dict(),
        "name": "=carl",
        "source": "/class/=carl",
        "content_hash": "hash-3",
        "kit_version": "0.1.0+abc",
        "graded_at": "2025-03-01T10:00:00+00:00",
        "problem": "",
        "warnings": ["files changed after submit: q01_first.py", "fichier modifié"],
        "submitted_at": "",
        "late": None,
        "final_score": 0.5,
        "final_percent": 16.7,
        "submitted_at_source": "",
        "incomplete": False,
        "ungraded": [],
    }
    report = {
        "schema_version": 2,
        "kit_version": __version__,
        "gradebook": None,
        "assignment": {"name": "default", "questions": ["q01", "q02"], "max_score": 3.0},
        "class": {
            "mean_percent": 16.7,
            "counted": 1,
            "not_counted": {"unusable": 0, "absent": 0, "incomplete": 0},
            "definition": MEAN_DEFINITION,
        },
        "elapsed_s": None,
        "submissions": [submission],
    }
    assert text == json.dumps(report, indent=2, ensure_ascii=False)
    assert "Second & <more>" in text


# ----------------------------------------------------------------------------------------------- the HTML


def _without_css(page: str) -> str:
    """The page with its style sheet left out: styling is no result, and a restyle need not touch the goldens."""
    return re.sub(r"<style>.*?</style>", "<style>(the report's style sheet)</style>", page, count=1, flags=re.DOTALL)


def test_the_html_report_matches_the_golden_pages(tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert write_html_report(make_class(), QUESTIONS, out) == out / "index.html"
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == [
        REPORT_MARKER,
        "index.html",
        "students/_carl.html",
        "students/alice.html",
        "students/bob.html",
        "students/dora.html",
    ]
    assert (out / REPORT_MARKER).read_text() == "written by `grade --html`; safe to replace\n"
    for name in written[1:]:
        golden = GOLDEN / name
        actual = _without_css((out / name).read_text(encoding="utf-8"))
        if os.environ.get("KIT_UPDATE_GOLDEN") == "1":
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(actual, encoding="utf-8")
        assert actual == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}"


def test_rewriting_a_report_drops_pages_of_students_who_left(tmp_path: Path) -> None:
    out = tmp_path / "report"
    write_html_report(make_class(), QUESTIONS, out)
    (out / "students" / "notes.txt").write_text("mine")
    write_html_report(make_class()[:1], QUESTIONS, out)
    assert sorted(p.name for p in (out / "students").iterdir()) == ["alice.html", "notes.txt"]


def test_report_folders_that_are_refused(tmp_path: Path) -> None:
    file = tmp_path / "file.html"
    file.write_text("x")
    with pytest.raises(ReportFolderError, match=r"file.html is a file: --html needs a folder$"):
        check_report_folder(file)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "thesis.tex").write_text("x")
    with pytest.raises(ReportFolderError, match=r"busy holds other files: give --html a new or empty folder$"):
        write_html_report(make_class(), QUESTIONS, tmp_path / "busy")
    assert sorted(p.name for p in (tmp_path / "busy").iterdir()) == ["thesis.tex"]
    (tmp_path / "empty").mkdir()
    check_report_folder(tmp_path / "empty")
    check_report_folder(tmp_path / "new")


def test_a_page_list_shorter_than_the_class_is_an_error() -> None:
    with pytest.raises(ValueError):
        render_index(make_class(), QUESTIONS, ["alice.html"])


def test_junit_properties_are_property_elements() -> None:
    root = ET.fromstring(render_junit(make_class()[:1]))
    assert [p.tag for p in root.find("testsuite/properties")] == ["property"] * 9


def test_the_json_report_keeps_non_ascii_text_readable() -> None:
    question = _q(Q1, "failed", 0.0, 0, 1, failures=(TestFailure("test_é", "attendu « oui »"),))
    text = render_report_json([_sub(9, "zoë", [question])], "cahier-été.sqlite3")
    assert '"target": "zoë"' in text and "attendu « oui »" in text and '"gradebook": "cahier-été.sqlite3"' in text


def test_a_passed_question_with_a_message_says_nothing_more_in_verbose() -> None:
    passed = _q(Q1, "passed", 1.0, 1, 1, message="finished with a warning")
    lines = render_table(SubmissionResult("x", (passed,), 0.0), verbose=True).split("\n")
    assert lines[2] == "" and not any("->" in line for line in lines)


def test_page_names_disambiguate_in_order_and_keep_leading_letters() -> None:
    from grader.reports.html import page_names

    assert page_names(["Xavier", "a", "A", "a", ".x"]) == ["Xavier.html", "a.html", "A-2.html", "a-3.html", "x.html"]


def test_the_index_of_a_ten_student_class() -> None:
    """Pass-rate bands at their exact edges (70% high, 40% mid), long titles cut to 36 characters, no unusable."""
    long = Question("q04", "long", "A title far longer than the label has room for", "basic", 1.0, ("h",))
    exact = Question("q05", "exact", "Exactly thirty-two characters!!!", "basic", 1.0, ("h",))
    students = [
        _sub(
            i,
            f"s{i}",
            [
                _q(Q1, "passed" if i < 7 else "failed", 1.0, 1, 1),
                _q(Q2, "passed" if i < 4 else "failed", 2.0, 1, 1),
                _q(Q3, "passed" if i < 3 else "failed", 3.0, 1, 1),
            ],
        )
        for i in range(10)
    ]
    page = render_index(students, (Q1, Q2, Q3, long, exact), [f"s{i}.html" for i in range(10)])
    assert re.findall(r'class="bar (\w+)" data-question="(q\d\d)"', page) == [
        ("high", "q01"),
        ("mid", "q02"),
        ("low", "q03"),
        ("low", "q04"),
        ("low", "q05"),
    ]
    assert '<text x="0" y="87">q04 A title far longer than the lab…<title>' in page
    assert '<text x="0" y="109">q05 Exactly thirty-two characters!!!<title>' in page
    summary = "10 submissions; mean 100.0% over 10 graded submissions; median 100.0%, lowest 100%, best 100%"
    assert f'<p class="summary">{summary}</p>' in page


def test_the_index_of_an_empty_class() -> None:
    page = render_index([], (), [])
    assert '<p class="summary">No submissions.</p>' in page
    assert '<svg id="pass-rates" xmlns="http://www.w3.org/2000/svg" width="560" height="34"' in page


# ------------------------------------------------------------------------------------------- late work

DUE = "2025-03-01T00:00:00+00:00"


def late_class() -> list[StoredSubmission]:
    """alice late by a day and an hour under 10%/day (two started days: -20%), =carl on time, bob unusable."""
    alice, bob, carl, _dora = make_class()
    late = Lateness("2025-03-02T01:00:00+00:00", DUE, 90000.0, 20.0)
    on_time = Lateness("2025-02-28T12:00:00+00:00", DUE, 0.0, 0.0)
    return [
        replace(alice, submitted_at=late.submitted_at, lateness=late),
        bob,
        replace(carl, submitted_at=on_time.submitted_at, lateness=on_time),
    ]


LATE_NOTE = (
    "late by 1 d 1 h, -20% (submitted 2025-03-02T01:00:00+00:00, due 2025-03-01T00:00:00+00:00;"
    " 77.7% before the penalty)"
)


def test_late_work_in_the_class_table_is_its_final_score_and_a_note() -> None:
    lines = render_class_table(late_class(), QUESTIONS).split("\n")
    width = len(f"{LATE_NOTE}; integrity flags: q01")
    assert lines[2] == (
        f"alice    1.86/3  62%      1/2     {GREEN}✓{END}{RED}✗{END}{GREY}-{END}        "
        f"{YELLOW}{LATE_NOTE}; integrity flags: q01{END}"
    )
    assert lines[4] == f"=carl    0.5/3   16.7%    0/2     {GREY}-{END}{YELLOW}T{END}{GREY}-{END}        " + (
        f"{YELLOW}{'files changed after submit: q01_first.py; fichier modifié'.ljust(width)}{END}"
    )
    assert lines[-1] == f"{BOLD}3 submissions; mean 39.4% over 2 graded submissions (not counted: 1 unusable){END}", (
        "the mean of the final percents of the graded submissions: (62 + 16.7) / 2"
    )


def test_a_late_penalty_of_nothing_says_late_without_a_price() -> None:
    alice = make_class()[0]
    free = Lateness("2025-03-02T01:00:00+00:00", DUE, 90000.0, 0.0)
    note = "late by 1 d 1 h (submitted 2025-03-02T01:00:00+00:00, due 2025-03-01T00:00:00+00:00)"
    assert late_note(replace(alice, lateness=free)) == note
    assert late_note(replace(alice, lateness=Lateness("x", DUE, 0.0, 0.0))) == ""
    assert late_note(alice) == ""


def test_late_work_in_the_csv_json_and_junit() -> None:
    assert render_class_csv(late_class(), QUESTIONS).splitlines()[1:] == [
        'alice,1,1.33,0,2.33,3,77.7,passed,failed,missing,"q02 1 test failed, first: assert 404 == 200",'
        f'"{LATE_NOTE}; integrity flags: q01",2025-03-02T01:00:00+00:00,20,1.86,62.0,',
        f"bob,0,0,0,0,3,0.0,error,error,missing,q01 error: {PROBLEM}; q02 error: {PROBLEM},{PROBLEM},,0,0,0.0,",
        "'=carl,0,0.5,0,0.5,3,16.7,missing,timeout,missing,q01 missing: there is no q01_first.py; q02 timeout:"
        " stuck in test_c,files changed after submit: q01_first.py; fichier modifié,2025-02-28T12:00:00+00:00,0,"
        "0.5,16.7,",
    ]
    alice = json.loads(render_report_json(late_class(), None))["submissions"][0]
    assert {k: alice[k] for k in ("score", "percent", "submitted_at", "late", "final_score", "final_percent")} == {
        "score": 2.33,
        "percent": 77.7,
        "submitted_at": "2025-03-02T01:00:00+00:00",
        "late": {"submitted_at": "2025-03-02T01:00:00+00:00", "due": DUE, "late_by_s": 90000, "penalty_percent": 20.0},
        "final_score": 1.86,
        "final_percent": 62.0,
    }
    root = ET.fromstring(render_junit(late_class()))
    assert [(p.get("name"), p.get("value")) for p in root.find("testsuite/properties")][3:5] == [
        ("final_score", "1.86"),
        ("final_percent", "62"),
    ]
    assert [(p.get("name"), p.get("value")) for p in root.find("testsuite/properties")][8:] == [
        ("late", LATE_NOTE),
        ("integrity.q01", "imports gc"),
    ]
    carl = root.findall("testsuite")[2]
    assert [p.get("name") for p in carl.find("properties")] == [
        "score",
        "max_score",
        "percent",
        "final_score",
        "final_percent",
        "class.mean",
        "sandbox.active",
        "sandbox.missing",
        "warning",
        "warning",
    ]


# ------------------------------------------------------------------------------------ -v and wide classes


def test_the_verbose_class_table_adds_each_student_s_questions_and_notes() -> None:
    subs = make_class()
    lines = render_class_table(subs, QUESTIONS, verbose=True).split("\n")
    summary = render_class_table(subs, QUESTIONS).split("\n")
    assert lines[: len(summary)] == summary
    expected: list[str] = []
    for sub in subs:
        expected += ["", f"{BOLD}== {sub.name} =={END}"]
        expected += render_table(sub.result, verbose=True, notes=tuple(submission_notes(sub))).split("\n")
    assert lines[len(summary) :] == expected
    assert f"{YELLOW}note: {PROBLEM}{END}" in lines and f"{YELLOW}note: integrity flags: q01{END}" in lines


def test_the_grid_of_a_wide_class_numbers_its_columns_by_their_last_digit() -> None:
    many = tuple(Question(f"q{n:02d}", f"s{n}", f"T{n}", "basic", 1.0, ("h",)) for n in range(1, 13))
    sub = _sub(1, "al", [_q(many[9], "passed", 1.0, 1, 1), _q(many[0], "not_attempted", 0.0, 0, 1)])
    lines = render_class_table([sub], many).split("\n")
    assert lines[0] == f"{BOLD}student  score  percent  passed  questions     note{END}"
    assert lines[1] == f"{' ' * 33}{DIM}123456789012{END}"
    grid = f"{GREY}·{END}" + f"{GREY}-{END}" * 8 + f"{GREEN}✓{END}" + f"{GREY}-{END}" * 2
    assert lines[2] == f"al       1/2    50%      1/2     {grid}"
    assert lines[3] == LEGEND


def test_a_class_whose_code_never_ran_has_no_sandbox_line() -> None:
    bob, dora = make_class()[1], make_class()[3]
    lines = render_class_table([bob, dora], QUESTIONS).split("\n")
    assert lines[-3:] == [
        LEGEND,
        "",
        f"{BOLD}2 submissions; no graded submission: no mean (not counted: 2 unusable){END}",
    ]
    assert class_sandbox([bob, dora]) == {"active": [], "missing": []}
    alice, carl = make_class()[0], make_class()[2]
    assert class_sandbox([carl, alice, bob]) == {
        "active": ["seccomp", "env"],
        "missing": ["landlock", "pidns", "cgroup", "disk", "nocaps", "rlimits"],
    }


def test_every_status_in_the_submission_table_and_its_verbose_lines() -> None:
    crashed = _q(
        Q3, "error", 0.0, 0, 3, message="the test process died", failures=(TestFailure("test_a", "boom"),), sandbox=()
    )
    result = SubmissionResult(
        "x",
        (
            _q(Q1, "not_attempted", 0.0, 0, 4, message="the file is the untouched stub", sandbox=()),
            _q(Q2, "failed", 0.5, 1, 4, message="finished with a warning", failures=(TestFailure("test_b", "no"),)),
            crashed,
        ),
        0.0,
    )
    lines = render_table(result, verbose=True).split("\n")
    assert lines[:7] == [
        f"{BOLD}id   title            level         status         tests  points{END}",
        f"q01  First            basic         {GREY}not attempted{END}  -      0/1",
        f"q02  Second & <more>  intermediate  {RED}failed       {END}  1/4    0.5/2",
        f"{DIM}      -> test_b: no{END}",
        f"q03  Third            advanced      {MAGENTA}error        {END}  0/3    0/3",
        f"{DIM}      -> the test process died{END}",
        f"{DIM}      -> test_a: boom{END}",
    ]
    carl = render_table(make_class()[2].result, verbose=True).split("\n")
    assert carl[1:6] == [
        f"q01  First            basic         {GREY}missing{END}  -      0/1",
        f"{DIM}      -> there is no q01_first.py{END}",
        f"q02  Second & <more>  intermediate  {YELLOW}timeout{END}  1/4    0.5/2",
        f"{DIM}      -> stuck in test_c{END}",  # the message once: the (timeout) failure repeats it
        "",
    ]
    assert render_table(result).split("\n")[1] == lines[1], "not run: no tests to count"


def test_junit_counts_a_question_not_attempted_as_a_failure_with_its_reason() -> None:
    sub = _sub(6, "nia", [_q(Q1, "not_attempted", 0.0, 0, 4, message="the file is the untouched stub")])
    suite = ET.fromstring(render_junit([sub])).find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "1", "0")
    failure = suite.find("testcase/failure")
    assert (failure.get("message"), failure.text) == (
        "not_attempted: 0/4 tests, 0/1 points",
        "not attempted: the file is the untouched stub",
    )


def test_every_junit_property_is_a_property_element() -> None:
    root = ET.fromstring(render_junit(late_class()))
    tags = [[p.tag for p in suite.find("properties")] for suite in root]
    assert tags == [["property"] * 10, ["property"] * 8, ["property"] * 10]


def test_flags_on_several_questions_are_listed_together() -> None:
    two = _sub(7, "flo", [_q(Q1, "passed", 1.0, 1, 1, flags=("a",)), _q(Q2, "passed", 2.0, 1, 1, flags=("b", "c"))])
    assert flag_summary(two) == "integrity flags: q01, q02"
    assert flag_summary(make_class()[1]) == ""
