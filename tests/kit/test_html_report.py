"""The class HTML report: safe against hostile names, messages and code, and rendering in a real headless browser.

The unit tests read the written files (structure through ``html.parser``, so a test sees elements, not
substrings); the browser test opens them in Debian's chromium through Selenium and chromedriver. Without
those it is skipped, unless ``KIT_REQUIRE_BROWSER=1`` (CI) makes their absence a failure.

A kit folder of our own (``FASTAPI_KIT_ROOT``) holds the stubs and one solution, so the diffs and the
similarity table do not move when the kit's real exercises are edited.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from grader.book.gradebook import StoredSubmission
from grader.book.manifest import Manifest, QuestionActivity
from grader.book.results import QuestionResult, SubmissionResult, TestFailure
from grader.kit.catalogue import Question
from grader.reports.html import page_names, pass_rates, score_buckets, write_html_report
from grader.reports.html_student import format_duration, pygments_css
from grader.scan import similarity

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PAGE_LOAD_TIMEOUT_S = 20
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = "</pre><script>alert(2)</script>"

QUESTIONS = (
    Question("q01", "what_is_fastapi", "What is FastAPI", "basic", 1.0, ()),
    Question("q02", "basic_app", "A basic app", "basic", 1.0, ()),
    Question("q03", "path_parameters", "Path parameters & <types>", "intermediate", 2.0, ()),
)

STUBS = {
    "q01": '"""Q01: say what FastAPI is."""\n\n\ndef describe() -> str:\n    # TODO: one sentence\n    return ""\n',
    "q02": '"""Q02: a greeting."""\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n# TODO: add GET /\n',
    "q03": '"""Q03: path parameters."""\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n# TODO: GET /items/{id}\n',
}
ROUTES = """

@app.get("/")
def read_root() -> dict[str, str]:
    greeting = {"message": "Hello World"}
    return greeting


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
"""
SOLUTION_Q02 = STUBS["q02"] + ROUTES
RENAMED_Q02 = STUBS["q02"] + ROUTES.replace("read_root", "home").replace("greeting", "payload")
ALICE_Q01 = STUBS["q01"].replace('return ""', 'return "A modern, fast web framework for building APIs."')
ALICE_Q03 = (
    STUBS["q03"] + '\n\n@app.get("/items/{item_id}")\ndef item(item_id: int) -> dict:\n    return {"id": item_id}\n'
)
BOB_Q01 = STUBS["q01"].replace('return ""', 'return "ASGI"')
BOB_Q03 = STUBS["q03"] + "\n\nclass Broken(:\n    pass\n"  # a syntax error
EVIL_Q01 = STUBS["q01"].replace('return ""', f"return {BREAKOUT!r}")
EVIL_Q03 = STUBS["q03"] + "\n\nimport time\n\ntime.sleep(10_000)\n"
CHANGED_WARNING = "files changed after submit: q01_what_is_fastapi.py"
VERSIONS_WARNING = "practised on other versions: fastapi 0.110.0 (grading runs 0.122.0)"
FLAG = "calls os._exit"


def _result(
    question: Question, status: str, passed: int, total: int = 4, *failures: TestFailure, flags: tuple[str, ...] = ()
) -> QuestionResult:
    points = question.points * passed / total if status in ("passed", "failed", "timeout") else 0.0
    messages = {
        "error": "SyntaxError: invalid syntax (line 10)",
        "timeout": "timeout after 60 s (the module did not finish importing)",
        "missing": "a file named q02.py was found instead: rename it to q02_basic_app.py",
        "not_attempted": "the file is the untouched stub",
    }
    return QuestionResult(
        question.id,
        question.slug,
        question.title,
        question.level,
        status,  # type: ignore[arg-type]
        round(points, 2),
        question.points,
        passed if status not in ("missing", "not_attempted") else 0,
        total,
        0,
        0.1,
        messages.get(status, ""),
        failures,
        flags,
    )


def _submission(
    sid: int,
    name: str,
    results: tuple[QuestionResult, ...],
    problem: str = "",
    *,
    sources: dict[str, str] | None = None,
    manifest: Manifest | None = None,
    warnings: tuple[str, ...] = (),
) -> StoredSubmission:
    result = SubmissionResult(name, results, 0.3)
    return StoredSubmission(
        sid,
        name,
        f"hash{sid}",
        "1.0",
        f"/class/{name}",
        problem,
        warnings,
        "2025-01-01T00:00:00",
        result,
        manifest,
        sources or {},
    )


EVIL_MANIFEST = Manifest(
    candidate="Eve <img src=x>",
    created_at="2025-03-01T11:00:00+00:00",
    versions={"python": "3.12.1", "fastapi": "0.110.0"},
    activity={
        "q01": QuestionActivity(
            hints_shown=2,
            hint_times=("2025-03-01T10:12:00+00:00",),
            first_modified="2025-03-01T10:00:00+00:00",
            last_modified="2025-03-01T10:25:00+00:00",
            last_check="2025-03-01T10:26:30+00:00",
        ),
    },
)


def _class() -> list[StoredSubmission]:
    q1, q2, q3 = QUESTIONS
    evil_failure = TestFailure("test_greeting", f"assert 'hi' == '{SCRIPT}'")
    return [
        _submission(
            1,
            "alice",
            (_result(q1, "passed", 4), _result(q2, "passed", 4), _result(q3, "passed", 4)),
            sources={"q01": ALICE_Q01, "q02": SOLUTION_Q02, "q03": ALICE_Q03},
        ),
        _submission(
            2,
            "bob",
            (
                _result(q1, "passed", 4),
                _result(
                    q2,
                    "failed",
                    2,
                    4,
                    TestFailure("test_root", "assert 404 == 200"),
                    TestFailure("test_health", "assert 'fine' == 'ok'"),
                ),
                _result(q3, "error", 0),
            ),
            sources={"q01": BOB_Q01, "q02": RENAMED_Q02, "q03": BOB_Q03},
        ),
        _submission(3, "carol", (), problem="carol.zip is not a valid archive: <bad header>"),
        _submission(
            4,
            "../evil",
            (
                _result(q1, "failed", 3, 4, evil_failure, flags=(FLAG,)),
                _result(q2, "missing", 0),
                _result(q3, "timeout", 2),
            ),
            sources={"q01": EVIL_Q01, "q03": EVIL_Q03},
            manifest=EVIL_MANIFEST,
            warnings=(CHANGED_WARNING, VERSIONS_WARNING),
        ),
        _submission(5, "dan", tuple(_result(q, "not_attempted", 0) for q in QUESTIONS)),
    ]


@pytest.fixture
def kit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Our own stubs (and a q02 solution, the reference for the similarity table) under FASTAPI_KIT_ROOT."""
    root = tmp_path / "kit"
    (root / "exercises").mkdir(parents=True)
    (root / "solutions").mkdir()
    for question in QUESTIONS:
        (root / "exercises" / question.filename).write_text(STUBS[question.id], encoding="utf-8")
    (root / "solutions" / "q02_basic_app.py").write_text(SOLUTION_Q02, encoding="utf-8")
    monkeypatch.setenv("FASTAPI_KIT_ROOT", str(root))
    # These answers are a few lines: shared text of any length counts, so that the class page has a cluster.
    monkeypatch.setattr(similarity, "MIN_SHARED", 0)
    return root


@pytest.fixture
def report(tmp_path: Path, kit: Path) -> Path:
    out = tmp_path / "report"
    index = write_html_report(_class(), QUESTIONS, out)
    assert index == out / "index.html"
    return out


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes and, for elements, the ids of their ancestors."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "col", "rect", "line"})

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str], tuple[str, ...]]] = []
        self._open: list[tuple[str, str]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        ancestors = tuple(i for _t, i in self._open if i)
        self.tags.append((tag, values, ancestors))
        if tag not in self.VOID:
            self._open.append((tag, values.get("id", "")))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]
                break

    def ids(self) -> set[str]:
        return {attrs["id"] for _tag, attrs, _anc in self.tags if "id" in attrs}

    def within(self, element_id: str, tag: str | None = None) -> list[dict[str, str]]:
        return [a for t, a, anc in self.tags if element_id in anc and (tag is None or t == tag)]

    def count(self, tag: str) -> int:
        return sum(t == tag for t, _a, _anc in self.tags)


def _read(report: Path, page: str) -> str:
    return (report / page).read_text(encoding="utf-8")


def _section(page: str, question_id: str) -> str:
    found = re.search(rf'<section class="question" id="{question_id}">.*?</section>', page, re.S)
    assert found, f"no section {question_id}"
    return found.group()


# ------------------------------------------------------------------------------------------------ class page


def test_writes_an_index_and_a_page_per_student(report: Path) -> None:
    pages = sorted(p.name for p in (report / "students").iterdir())
    assert pages == ["_evil.html", "alice.html", "bob.html", "carol.html", "dan.html"]
    index = _read(report, "index.html")
    for page in pages:
        assert f'href="students/{page}"' in index
    assert 'href="../index.html"' in _read(report, "students/bob.html")


def test_nothing_is_written_outside_the_report_folder(tmp_path: Path, kit: Path) -> None:
    out = tmp_path / "a" / "b" / "report"
    write_html_report(_class(), QUESTIONS, out)
    everything = {p for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(kit)}
    assert everything and all(p.resolve().is_relative_to(out.resolve()) for p in everything)


def test_every_grid_cell_links_to_its_question_on_the_student_s_page(report: Path) -> None:
    index = Elements(_read(report, "index.html"))
    cells = [a for a in index.within("grid", "td") if "cell" in a.get("class", "").split()]
    links = [a["href"] for a in index.within("grid", "a") if "#" in a.get("href", "")]
    students = ("alice", "bob", "_evil", "dan")  # carol is unusable: not in the grid
    assert links == [f"students/{s}.html#{q.id}" for s in students for q in QUESTIONS]
    assert [c["data-status"] for c in cells] == [
        *("passed", "passed", "passed"),
        *("passed", "failed", "error"),
        *("failed", "missing", "timeout"),
        *("not_attempted",) * 3,
    ]
    assert all(f"status-{c['data-status']}" in c["class"] for c in cells)  # the colour comes from the class
    for link in links:  # every target exists: a section, or the row of a question with no section
        page, anchor = link.split("#")
        assert anchor in Elements(_read(report, page)).ids(), link
    grid = re.search(r'<table id="grid">.*?</table>', _read(report, "index.html"), re.S)
    assert grid is not None
    symbols = re.findall(r'<td class="cell[^"]*" data-status="[^"]+"><a [^>]*>([^<]+)</a>', grid.group())
    assert symbols == ["✓", "✓", "✓", "✓", "✗", "!", "✗*", "-", "T", "·", "·", "·"]  # ../evil's q01 is flagged


def test_the_legend_names_every_status_and_the_flag(report: Path) -> None:
    legend = re.search(r'<ul class="legend" id="legend">.*?</ul>', _read(report, "index.html"), re.S)
    assert legend is not None
    entries = re.findall(r"<li><span[^>]*>([^<]+)</span>([^<]+)</li>", legend.group())
    assert entries == [
        ("✓", "passed"),
        ("✗", "failed"),
        ("!", "error"),
        ("T", "timeout"),
        ("-", "missing"),
        ("·", "not attempted"),
        ("*", "integrity flag: read the code"),
    ]


def test_unusable_submissions_are_apart_and_counted_nowhere(report: Path) -> None:
    text = _read(report, "index.html")
    index = Elements(text)
    assert "students/carol.html" not in {a.get("href") for a in index.within("grid", "a")}
    assert [a["href"] for a in index.within("unusable", "a")] == ["students/carol.html"]
    unusable = re.search(r'<table id="unusable">.*?</table>', text, re.S)
    assert unusable and "carol.zip is not a valid archive: &lt;bad header&gt;" in unusable.group()
    histogram = re.search(r'<svg id="score-histogram".*?</svg>', text, re.S)
    assert histogram is not None
    counts = list(map(int, re.findall(r'data-count="(\d+)"', histogram.group())))
    assert len(counts) == 10 and sum(counts) == 4  # alice, bob, ../evil, dan: not carol
    rates = re.findall(r'data-question="(q\d\d)" data-rate="([\d.]+)"', text)
    assert rates == [("q01", "0.5000"), ("q02", "0.2500"), ("q03", "0.2500")]  # out of 4, not 5
    # 100%, 37.5%, 43.8%, 0%: carol's 0% would pull the mean to 36.3%
    summary = "5 submissions (1 unusable, listed apart); mean 45.3% over 4 graded submissions (not counted: 1 unusable)"
    assert f"{summary}; median 40.6%" in text
    assert "Over the 4 graded submissions (not counted: 1 unusable). The class mean is the mean of the final" in text


def test_warnings_and_flags_show_per_student_on_the_class_page(report: Path) -> None:
    row = re.search(r'<tr><td><a href="students/_evil.html">.*?</tr>', _read(report, "index.html"), re.S)
    assert row is not None
    misnamed = "q02: a file named q02.py was found instead: rename it to q02_basic_app.py"  # shown without -v
    assert f"{CHANGED_WARNING}; {VERSIONS_WARNING}; {misnamed}; integrity flags: q01" in row.group()


def test_the_similarity_section_links_to_the_students_pages(report: Path) -> None:
    text = _read(report, "index.html")
    section = re.search(r'<section id="similarity">.*?</section>', text, re.S)
    assert section is not None
    rows = re.findall(r'<tr id="cluster-(\d)"><td class="num">\d</td><td>(q\d\d)</td><td>(.*?)</td>', section.group())
    members = (
        '<a href="students/alice.html">alice</a>, <a href="students/bob.html">bob</a>, <em>(reference solution)</em>'
    )
    assert rows == [("1", "q02", members)]
    assert "carol" not in section.group()  # unusable: not compared, and already listed apart
    # A student's page says the answer is in a cluster, and never who else is in it: it may go to the student.
    bob_page = _read(report, "students/bob.html")
    bob = _section(bob_page, "q02")
    assert (
        "This answer is in similarity cluster 1 of the class report, with 1 other submission and the reference"
        " solution: 100% alike, where independent answers to this question are 0% alike." in bob
    )
    assert "alice" not in bob_page and "carol" not in bob_page and "evil" not in bob_page
    assert "alice" not in _read(report, "students/_evil.html")


def test_candidate_text_is_escaped(report: Path) -> None:
    evil = _read(report, "students/_evil.html")
    assert SCRIPT not in evil and BREAKOUT not in evil
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil
    assert "<h1>../evil</h1>" in evil
    assert "Eve &lt;img src=x&gt;" in evil  # the manifest's candidate name
    index = _read(report, "index.html")
    assert "&lt;bad header&gt;" in index  # carol's problem
    assert "Path parameters &amp; &lt;types&gt;" in index  # titles too
    carol = _read(report, "students/carol.html")
    assert "Unusable submission" in carol and "&lt;bad header&gt;" in carol
    for page in ["index.html", *(f"students/{p.name}" for p in (report / "students").iterdir())]:
        parsed = Elements(_read(report, page))
        assert parsed.count("script") == 0 and parsed.count("img") == 0, page
        assert "Content-Security-Policy" in _read(report, page)


def test_the_diff_is_highlighted_and_a_pre_breakout_stays_text(report: Path) -> None:
    evil = _read(report, "students/_evil.html")
    q01 = _section(evil, "q01")
    diff = re.search(r'<div class="diff"><div class="highlight"><pre>.*?</pre></div>', q01, re.S)
    assert diff is not None
    assert '<span class="gd">-    return ""</span>' in diff.group()
    breakout = "+    return '&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;'"  # < and > escaped: no tag can open
    assert f'<span class="gi">{breakout}</span>' in diff.group()
    assert '<span class="gu">@@ -3,4 +3,4 @@</span>' in diff.group()
    whole = re.search(r'<details class="source"><summary>The whole file \(6 lines\)</summary>.*?</details>', q01, re.S)
    assert whole and '<span class="linenos">5</span>' in whole.group()  # numbered: tracebacks cite lines
    assert '<span class="k">def</span>' in whole.group()  # Python highlighting, not plain text
    assert ".highlight .gi {" in evil and ".highlight .k {" in evil  # Pygments' colours, inline


def test_the_interviewer_s_section_has_status_failures_hints_times_and_flags(report: Path) -> None:
    evil = _read(report, "students/_evil.html")
    q01 = _section(evil, "q01")
    assert '<span class="status status-failed">✗ failed*</span>' in q01
    assert "1 test failed, first: assert &#x27;hi&#x27; == " in q01  # the reason
    assert f"<li>{FLAG}</li>" in q01
    facts = dict(
        re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", re.search(r'<dl class="facts activity">.*?</dl>', q01).group())
    )
    assert facts == {
        "Hints asked for": "2: 2025-03-01 10:12:00 UTC (12 min 0 s after the first change); 1 at a time not recorded",
        "First change": "2025-03-01 10:00:00 UTC",
        "Last change": "2025-03-01 10:25:00 UTC",
        "From first to last change": "25 min 0 s",
        "Last check run": "2025-03-01 10:26:30 UTC",
    }
    q03 = _section(evil, "q03")
    assert "The manifest records nothing for this question." in q03
    assert "timeout after 60 s (the module did not finish importing)" in q03
    bob = _read(report, "students/bob.html")
    q02 = _section(bob, "q02")
    assert "<h4>Failures (2)</h4>" in q02  # all of them, not only the first
    assert "test_root" in q02 and "assert 404 == 200" in q02
    assert "test_health" in q02 and "assert &#x27;fine&#x27; == &#x27;ok&#x27;" in q02
    assert "SyntaxError: invalid syntax (line 10)" in _section(bob, "q03")
    assert 'id="manifest">No manifest' in bob  # said once, in the header


def test_the_header_shows_warnings_flags_versions_and_the_manifest(report: Path) -> None:
    evil = _read(report, "students/_evil.html")
    assert f'<ul class="warnings" id="warnings"><li>{CHANGED_WARNING}</li><li>{VERSIONS_WARNING}</li></ul>' in evil
    assert '<p class="flags" id="flags">integrity flags: q01:' in evil
    assert "<dt>Practised on</dt><dd>fastapi 0.110.0, python 3.12.1</dd>" in evil
    assert "<dt>Submitted</dt><dd>2025-03-01 11:00:00 UTC</dd>" in evil
    assert "1.75/4 points (43.8%), 0/3 questions passed" in evil


def test_questions_without_a_file_are_one_row_and_no_section(report: Path) -> None:
    evil = Elements(_read(report, "students/_evil.html"))
    sections = [a["id"] for t, a, _anc in evil.tags if t == "section"]
    assert sections == ["q01", "q03"]  # q02 is missing
    rows = [a.get("id", "") for a in evil.within("questions", "tr")]
    assert rows == ["", "", "q02", ""]  # the header, then q02's row is the grid's landing place
    text = _read(report, "students/_evil.html")
    assert "a file named q02.py was found instead: rename it to q02_basic_app.py" in text


def test_an_untouched_submission_has_a_short_page(report: Path) -> None:
    text = _read(report, "students/dan.html")
    page = Elements(text)
    assert page.count("section") == 0 and page.count("pre") == 0
    assert [a.get("id", "") for a in page.within("questions", "tr")] == ["", "q01", "q02", "q03"]
    assert "No question was attempted" in text
    assert ".highlight .gi" not in text  # no code shown, so no Pygments CSS either
    assert len(text) < len(_read(report, "students/bob.html")) / 2
    assert text.count("not attempted: the file is the untouched stub") == 3


def test_a_file_the_gradebook_did_not_keep_is_said_so(tmp_path: Path, kit: Path) -> None:
    q1 = QUESTIONS[0]
    old = _submission(1, "old", (_result(q1, "passed", 4),))  # graded before files were kept
    write_html_report([old], (q1,), tmp_path / "r")
    section = _section(_read(tmp_path / "r", "students/old.html"), "q01")
    assert "The graded file is not in the gradebook" in section and "highlight" not in section


def test_late_work_shows_its_final_score_and_why_on_both_pages(tmp_path: Path, kit: Path) -> None:
    from grader.book.lateness import assess

    q1, q2 = QUESTIONS[:2]
    late = _submission(1, "lea", (_result(q1, "passed", 4), _result(q2, "passed", 4)))
    late = replace(late, lateness=assess("2026-12-02T01:00:00+00:00", "2026-12-01T00:00:00+00:00", "10%/day"))
    on_time = _submission(2, "otto", (_result(q1, "passed", 4), _result(q2, "failed", 2)))
    write_html_report([late, on_time], (q1, q2), tmp_path / "r")
    index = _read(tmp_path / "r", "index.html")
    lea_row = next(line for line in index.splitlines() if "students/lea.html" in line and "<td" in line)
    assert ">1.6/2<" in lea_row and ">80%<" in lea_row, "the class page gives the score after the late policy"
    assert "late by 1 d 1 h, -20%" in lea_row
    page = _read(tmp_path / "r", "students/lea.html")
    assert 'id="late"' in page and "1.6/2 points (80%) after the late policy" in page
    assert 'id="late"' not in _read(tmp_path / "r", "students/otto.html")


def test_a_one_line_message_is_said_once_and_a_long_one_whole(tmp_path: Path, kit: Path) -> None:
    q1, q2 = QUESTIONS[:2]
    traceback = "the module raised while being imported:\n  File q02_basic_app.py, line 3\nNameError: name 'x'"
    results = (_result(q1, "error", 0), replace(_result(q2, "error", 0), message=traceback))
    sub = _submission(1, "ivy", results, sources={"q01": STUBS["q01"] + "x = (\n", "q02": STUBS["q02"] + "x\n"})
    write_html_report([sub], (q1, q2), tmp_path / "r")
    text = _read(tmp_path / "r", "students/ivy.html")
    one_line = _section(text, "q01")
    assert one_line.count("SyntaxError: invalid syntax (line 10)") == 1 and "What happened" not in one_line
    long = _section(text, "q02")
    assert '<p class="reason">error: the module raised while being imported: (whole message below)</p>' in long
    assert "<h4>What happened</h4>" in long and escape(traceback) in long


def test_student_page_lists_every_question(report: Path) -> None:
    bob = _read(report, "students/bob.html")
    assert len(Elements(bob).within("questions", "tr")) == 1 + len(QUESTIONS)
    assert "1.5/4 points (37.5%)" in bob


def test_score_buckets_and_pass_rates() -> None:
    assert score_buckets([0, 9.9, 10, 55, 99.9, 100, 150, -5]) == [3, 1, 0, 0, 0, 1, 0, 0, 0, 3]
    assert pass_rates([], QUESTIONS) == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (59.6, "1 min 0 s"),
        (754, "12 min 34 s"),
        (3600 * 2 + 180, "2 h 3 min"),
        (86400 * 3 + 7200, "3 d 2 h"),
    ],
)
def test_durations_read_as_people_write_them(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_the_pygments_css_touches_only_highlighted_code() -> None:
    rules = [line for line in pygments_css().splitlines() if line.strip()]
    assert rules and all(rule.startswith((".highlight", "span.linenos")) for rule in rules)


@pytest.mark.parametrize(
    ("names", "pages"),
    [
        (["../../etc", "..", "", "a/b\\c"], ["_.._etc.html", "student.html", "student-2.html", "a_b_c.html"]),
        (["Ann", "ann", "ann-2", "a b", "a_b"], ["Ann.html", "ann-2.html", "ann-2-2.html", "a_b.html", "a_b-2.html"]),
        (["José", ".hidden", "x" * 300], ["Jos_.html", "hidden.html", "x" * 80 + ".html"]),
    ],
)
def test_page_names_are_safe_and_distinct(names: list[str], pages: list[str]) -> None:
    assert page_names(names) == pages


def test_an_empty_class_still_renders(tmp_path: Path) -> None:
    index = write_html_report([], QUESTIONS, tmp_path).read_text(encoding="utf-8")
    assert "No submissions." in index and index.count('<rect class="bar"') == 10
    assert "No graded submission: no statistics." in index


# ----------------------------------------------------------------------------------------- headless browser


def _browser_missing() -> str:
    """Why the browser test cannot run here, or '' when it can."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not (p.exists() and os.access(p, os.X_OK))]
    if importlib.util.find_spec("selenium") is None:
        missing.append("the selenium package (pip install -e '.[dev]')")
    if not missing:
        return ""
    return "no headless browser: missing " + ", ".join(missing) + " (apt-get install chromium chromium-driver)"


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Any]:
    reason = _browser_missing()
    if reason:
        if os.environ.get("KIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KIT_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(tmp_path / "chromedriver.log"))
    browser = webdriver.Chrome(options=options, service=service)
    try:
        browser.set_page_load_timeout(PAGE_LOAD_TIMEOUT_S)
        yield browser
    finally:
        browser.quit()


def _severe(browser: Any) -> list[dict]:
    """The console's errors since the last call (a CSP violation, a broken resource, a script error)."""
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def _pygments_colour(token_class: str) -> str:
    """The colour Pygments' CSS gives a token class, as the browser reports computed colours."""
    found = re.search(rf"^\.highlight \.{token_class} {{ color: #([0-9A-Fa-f]{{6}})", pygments_css(), re.M)
    assert found, f"Pygments' CSS has no colour for .{token_class}"
    red, green, blue = (int(found.group(1)[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red}, {green}, {blue}, 1)"


def _background(element: Any) -> str:
    return element.value_of_css_property("background-color")


@pytest.mark.slow
def test_the_report_renders_in_a_headless_browser(driver: Any, report: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get((report / "index.html").as_uri())
    assert driver.title == "Class report: 5 students"
    rows = driver.find_elements(By.CSS_SELECTOR, "table#grid tbody tr")
    assert [row.find_element(By.TAG_NAME, "a").text for row in rows] == ["alice", "bob", "../evil", "dan"]
    cells = driver.find_elements(By.CSS_SELECTOR, "table#grid td.cell")
    assert len(cells) == 4 * len(QUESTIONS) and all(c.size["width"] > 10 and c.size["height"] > 10 for c in cells)
    # The colours come from the inline CSS (allowed by the CSP): a passed cell is green, a failed one red.
    assert _background(cells[0]) == "rgba(218, 251, 225, 1)"
    assert _background(cells[4]) == "rgba(255, 235, 233, 1)"
    assert len(driver.find_elements(By.CSS_SELECTOR, "#legend li")) == 7
    unusable = driver.find_elements(By.CSS_SELECTOR, "table#unusable tbody tr")
    assert [row.find_element(By.TAG_NAME, "a").text for row in unusable] == ["carol"]

    histogram = driver.find_element(By.ID, "score-histogram")
    assert histogram.size["width"] > 100 and histogram.size["height"] > 100
    buckets = histogram.find_elements(By.CSS_SELECTOR, "rect.bar")
    assert len(buckets) == 10 and all(float(bar.get_attribute("width")) > 0 for bar in buckets)
    assert sum(bar.size["height"] > 0 for bar in buckets) == 4  # 0%, 37.5%, 43.8% and 100%: one bucket each
    rates = driver.find_element(By.ID, "pass-rates")
    bars = rates.find_elements(By.CSS_SELECTOR, "rect.bar")
    assert len(bars) == len(QUESTIONS) and all(bar.size["width"] > 0 for bar in bars)
    assert "q03 Path parameters & <types>" in rates.text
    stats = driver.find_elements(By.CSS_SELECTOR, "table#question-stats tbody tr")
    assert len(stats) == len(QUESTIONS) and stats[0].is_displayed()

    similar = driver.find_elements(By.CSS_SELECTOR, "section#similarity table.clusters tbody tr")
    assert len(similar) == 1 and similar[0].is_displayed()
    assert [a.text for a in similar[0].find_elements(By.TAG_NAME, "a")] == ["alice", "bob"]

    screenshot = tmp_path / "index.png"
    assert driver.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 1000 and screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shutil.copy(screenshot, report / "index.png")  # kept with the report for anyone inspecting tmp_path
    assert _severe(driver) == []

    # A grid cell opens the student's page at that question: bob's q02, with its highlighted diff.
    cells[4].find_element(By.TAG_NAME, "a").click()
    assert driver.current_url.endswith("/students/bob.html#q02")
    section = driver.find_element(By.ID, "q02")
    assert section.tag_name == "section" and section.is_displayed()
    assert driver.execute_script("return window.scrollY") > 0  # the browser went to the section
    inserted = section.find_elements(By.CSS_SELECTOR, ".diff .highlight .gi")
    assert inserted and inserted[-1].value_of_css_property("color") == _pygments_colour("gi")
    assert "test_health" in section.text and "assert 'fine' == 'ok'" in section.text
    assert _severe(driver) == []

    driver.back()
    driver.find_element(By.LINK_TEXT, "../evil").click()
    assert driver.current_url.endswith("/students/_evil.html")
    assert driver.find_element(By.TAG_NAME, "h1").text == "../evil"
    assert driver.find_elements(By.TAG_NAME, "script") == []
    q01 = driver.find_element(By.ID, "q01")
    assert f"assert 'hi' == '{SCRIPT}'" in q01.text  # shown as text, not run
    assert f"+    return {BREAKOUT!r}" in q01.find_element(By.CSS_SELECTOR, ".diff").text
    assert len(driver.find_elements(By.CSS_SELECTOR, "table#questions tbody tr")) == len(QUESTIONS)
    driver.save_screenshot(str(tmp_path / "student.png"))
    assert _severe(driver) == []

    driver.find_element(By.LINK_TEXT, "← Class report").click()
    assert driver.title == "Class report: 5 students"
