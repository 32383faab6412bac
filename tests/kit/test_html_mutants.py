"""The interviewer's view in the HTML report, compared whole: manifests, activity, diffs, similar answers.

Written against the mutants of ``grader/reports/html_student.py``, ``html.py``, ``html_page.py`` and
``html_stats.py`` that the kit's suite let through (``python bench/mutation.py -m reports``). The class holds
what a student page must tell apart: a manifest with hint times before and after the first change, times
without a zone, times that are no times, a flagged question, a traceback, a long failure, an answer copied
from the reference solution, a question the kit has no stub for, an unusable archive and an untouched
submission. Its pages are compared with the files under ``tests/kit/golden/interviewer/`` (style sheet left
out); after an intended change, rewrite them with ``KIT_UPDATE_GOLDEN=1`` and read the diff before committing.

A kit folder of our own (``FASTAPI_KIT_ROOT``) holds the stubs and one solution, so the diffs and the
similarity do not move when the kit's real exercises are edited.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from grader.book.gradebook import StoredSubmission
from grader.book.manifest import Manifest, QuestionActivity
from grader.book.results import QuestionResult, SubmissionResult, TestFailure
from grader.kit.catalogue import Question
from grader.reports import html_student
from grader.reports.html import REPORT_MARKER, render_index, write_html_report
from grader.reports.html_page import CSS, status_class, status_html
from grader.reports.html_stats import corrected_item_total
from grader.reports.html_student import highlight_diff, highlight_python, pygments_css, render_student
from grader.scan.similarity import REFERENCE, SimilarPair, cluster_pairs

GOLDEN = Path(__file__).parent / "golden" / "interviewer"
Q1 = Question("q01", "what_is_fastapi", "What is FastAPI", "basic", 1.0, ("h",))
Q2 = Question("q02", "basic_app", "A basic app", "basic", 1.0, ("h",))
Q3 = Question("q03", "path_parameters", "Path parameters", "intermediate", 2.0, ("h",))
Q4 = Question("q04", "no_stub", "A question the kit has no stub for", "advanced", 3.0, ("h",))
QUESTIONS = (Q1, Q2, Q3, Q4)
STUBS = {
    "q01": '"""Q01: say what FastAPI is."""\n\n\ndef describe() -> str:\n    # TODO: one sentence\n    return ""\n',
    "q02": '"""Q02: a greeting."""\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n# TODO: add GET /\n',
    "q03": '"""Q03: path parameters."""\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n# TODO: items\n',
}
ROUTES = """

@app.get("/")
def read_root() -> dict[str, str]:
    greeting = {"message": "Hello World", "hint": "a string long enough to be a fingerprint of its own"}
    return greeting
"""
SOLUTION_Q02 = STUBS["q02"] + ROUTES
ANSWER_Q01 = STUBS["q01"].replace('return ""', 'import gc\n    return "A web framework <for APIs>."')
ANSWER_Q03 = STUBS["q03"] + '\n\n@app.get("/items/{item_id}")\ndef item(item_id: int) -> dict:\n    return {}\n'
LONG = "assert " + "x" * 200
TRACEBACK = "the module did not finish importing within 20 s\n  File q03_path_parameters.py, line 9, in <module>"


def _q(
    q: Question,
    status: str,
    passed: int,
    total: int,
    *failures: TestFailure,
    message: str = "",
    flags: tuple[str, ...] = (),
) -> QuestionResult:
    points = round(q.points * passed / total, 2) if status in ("passed", "failed", "timeout") else 0.0
    return QuestionResult(
        q.id, q.slug, q.title, q.level, status, points, q.points, passed, total, 0, 0.25,  # type: ignore[arg-type]
        message, failures, flags,
    )  # fmt: skip


def _sub(sid: int, name: str, questions: tuple[QuestionResult, ...], **extra: object) -> StoredSubmission:
    result = SubmissionResult(name, questions, 1.0)
    problem = str(extra.pop("problem", ""))
    warnings = tuple(extra.pop("warnings", ()))  # type: ignore[call-overload]
    return StoredSubmission(
        sid, name, f"h{sid}", "k", f"/nowhere/{name}", problem, warnings, "2025-03-02T08:00:00+00:00", result,
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def make_class() -> list[StoredSubmission]:
    ann = _sub(
        1,
        "ann",
        (
            _q(Q1, "passed", 4, 4, flags=("imports gc (line 4)", "calls gc.get_objects (line 5)")),
            _q(Q2, "failed", 2, 4, TestFailure("test_root", "assert 404 == 200"), TestFailure("test_health", "")),
            _q(Q3, "timeout", 1, 4, TestFailure("(timeout)", TRACEBACK), message=TRACEBACK),
            _q(Q4, "missing", 0, 1),
        ),
        manifest=Manifest(
            candidate="Ann <A.>",
            created_at="2025-03-01T13:00:00+01:00",
            versions={"python": "3.11.7", "fastapi": "0.115.6", "pydantic": ""},
            activity={
                "q01": QuestionActivity(
                    3,
                    ("2025-03-01T10:12:00+00:00", "2025-03-01T09:55:00+00:00"),
                    "2025-03-01T10:00:00+00:00",
                    "2025-03-01T12:03:04+00:00",
                    "2025-03-01T12:04:00+00:00",
                ),
                # Times that are no times: shown as written, and nothing is computed from them.
                "q02": QuestionActivity(1, ("2025-03-01T09:00:00+00:00",), "yesterday", "2025-03-01T10:00:00+00:00"),
            },
        ),
        sources={"q01": ANSWER_Q01, "q02": SOLUTION_Q02.replace("greeting", "payload"), "q03": ANSWER_Q03},
    )
    ben = _sub(
        2,
        "ben",
        (
            _q(Q1, "error", 0, 4, message="SyntaxError: invalid syntax (q01_what_is_fastapi.py, line 6)"),
            _q(Q2, "passed", 4, 4),
            _q(Q3, "not_attempted", 0, 4, message="the file is the untouched stub"),
            _q(Q4, "missing", 0, 1),
        ),
        warnings=("files changed after submit: q01_what_is_fastapi.py",),
        sources={"q01": STUBS["q01"] + "def (\n", "q02": SOLUTION_Q02},
    )
    cy = _sub(
        3,
        "cy",
        (
            _q(Q1, "failed", 0, 1, TestFailure("test_describe", "")),
            _q(Q2, "failed", 0, 1, TestFailure("test_root", LONG)),
            _q(Q3, "passed", 2, 2),
            _q(Q4, "passed", 1, 1),
        ),
        manifest=Manifest(
            activity={
                "q01": QuestionActivity(0, (), "2025-03-01T10:00:00+00:00", "2025-03-01T10:00:00+00:00"),
                "q02": QuestionActivity(
                    1, ("2025-03-01T10:00:00+00:00",), "2025-03-01T10:00:00+00:00", "2025-03-01T10:00:45+00:00"
                ),
                "q03": QuestionActivity(
                    1, ("2025-03-01T10:30:00+00:00",), "2025-03-01T10:00:00", "2025-03-01T09:00:00"
                ),
                "q04": QuestionActivity(0, (), "2025-03-01T10:00:00", "2025-03-01T10:00:00+00:00"),
            },
        ),
        sources={
            "q01": STUBS["q01"] + "# later\n",
            "q02": STUBS["q02"] + "app.get('/')\n",
            "q03": ANSWER_Q03,
            "q04": "print('four')\n",
        },
    )
    dee = _sub(
        4,
        "dee",
        tuple(_q(q, "error", 0, 0, message="dee.zip: not a zip or tar archive") for q in QUESTIONS),
        problem="dee.zip: not a zip or tar archive",
    )
    eve = _sub(5, "eve", (_q(Q1, "missing", 0, 4), *(_q(q, "not_attempted", 0, 4) for q in (Q2, Q3, Q4))))
    return [ann, ben, cy, dee, eve]


@pytest.fixture
def kolkata(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def kit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "kit"
    (root / "exercises").mkdir(parents=True)
    (root / "solutions").mkdir()
    for question in QUESTIONS[:3]:
        (root / "exercises" / question.filename).write_text(STUBS[question.id], encoding="utf-8")
    (root / "solutions" / Q2.filename).write_text(SOLUTION_Q02, encoding="utf-8")
    monkeypatch.setenv("FASTAPI_KIT_ROOT", str(root))
    return root


def _without_css(page: str) -> str:
    return re.sub(r"<style>.*?</style>", "<style>(the report's style sheet)</style>", page, count=1, flags=re.DOTALL)


def test_the_interviewer_s_pages_match_the_golden_pages(tmp_path: Path, kit: Path, kolkata: None) -> None:
    """Written on a machine whose local time is UTC+05:30: every time is still shown in UTC, or as written."""
    out = tmp_path / "report"
    write_html_report(make_class(), QUESTIONS, out)
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == [REPORT_MARKER, "index.html", *(f"students/{n}.html" for n in ("ann", "ben", "cy", "dee", "eve"))]
    for name in written[1:]:
        page = (out / name).read_text(encoding="utf-8")
        shows_code = name in ("students/ann.html", "students/ben.html", "students/cy.html")
        assert (pygments_css() in page) is shows_code, name
        assert (f"<style>{CSS}</style>" in page) is not shows_code, name
        actual = _without_css(page)
        golden = GOLDEN / name
        if os.environ.get("KIT_UPDATE_GOLDEN") == "1":
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(actual, encoding="utf-8")
        assert actual == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}"


# ------------------------------------------------------------------------------------------- the pieces


def test_code_is_cut_past_the_line_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    whole_python, whole_diff = highlight_python("a = 1\nb = 2\n"), highlight_diff("-a\n+b\n")
    monkeypatch.setattr(html_student, "MAX_CODE_LINES", 2)
    assert highlight_python("a = 1\nb = 2\n") == whole_python, "at the limit: whole, and no note"
    note = '<p class="note">Only the first 2 of 3 lines are shown.</p>'
    assert highlight_python("a = 1\nb = 2\nc = 3\n") == whole_python + note
    assert highlight_diff("-a\n+b\n+c\n") == whole_diff + note


def test_a_reason_in_the_table_is_cut_at_160_characters() -> None:
    assert html_student._short("r" * 160) == "r" * 160
    assert html_student._short("r" * 161) == "r" * 159 + "…"


def test_status_cells_name_their_status_safely() -> None:
    assert status_html("passed") == '<span class="status status-passed">✓ passed</span>'
    assert status_html("not_attempted", flagged=True) == (
        '<span class="status status-not_attempted">· not attempted*</span>'
    )
    assert status_html('x" onmouseover="y') == (
        '<span class="status status-x--onmouseover--y">? x&quot; onmouseover=&quot;y</span>'
    )
    assert status_class("a b") == "status status-a-b"


# ------------------------------------------------------------------------------------------- class page


def test_the_page_of_a_class_with_nobody_to_grade(tmp_path: Path, kit: Path) -> None:
    """No graded submission: no grid, no statistics, every question at 0; its style sheet is the report's own."""
    dee = make_class()[3]
    page = render_index([dee], QUESTIONS, ["dee.html"])
    assert f"<style>{CSS}</style>" in page
    actual = _without_css(page)
    golden = GOLDEN / "nobody-graded.html"
    if os.environ.get("KIT_UPDATE_GOLDEN") == "1":
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


MEAN_SENTENCE = (
    "The class mean is the mean of the final percent (after any late penalty) over the graded submissions;"
    " unusable, absent and incomplete ones are not counted."
)


def test_one_and_two_submissions_are_counted_in_words(kit: Path) -> None:
    ann, ben = make_class()[:2]
    one = render_index([ann], QUESTIONS, ["ann.html"])
    summary = "1 submission; mean 28.6% over 1 graded submission; median 28.6%, lowest 28.6%, best 28.6%"
    assert f'<p class="summary">{summary}</p>' in one
    assert f'<p class="summary">Over the 1 graded submission. {MEAN_SENTENCE}</p>' in one
    two = render_index([ann, ben], QUESTIONS, ["ann.html", "ben.html"])
    summary = "2 submissions; mean 21.5% over 2 graded submissions; median 21.5%, lowest 14.3%, best 28.6%"
    assert f'<p class="summary">{summary}</p>' in two
    assert f'<p class="summary">Over the 2 graded submissions. {MEAN_SENTENCE}</p>' in two
    # Nothing between the legend and the statistics when no submission is unusable.
    legend_note = '<p class="note">Each cell opens the student\'s page at that question.</p>'
    assert f"{legend_note}\n<h2>Statistics</h2>" in two


def test_a_status_the_report_does_not_know_is_a_question_mark(kit: Path) -> None:
    odd = replace(make_class()[1], result=SubmissionResult("ben", (_q(Q1, "skipped", 0, 1),), 0.1))
    page = render_index([odd], (Q1,), ["ben.html"])
    assert '<td class="cell status status-skipped" data-status="skipped"><a href="students/ben.html#q01"' in page
    assert 'title="q01 What is FastAPI: skipped, 0/1">?</a></td>' in page


def test_the_histogram_scales_its_bars_to_the_fullest_bucket(kit: Path) -> None:
    ann, ben = make_class()[:2]
    page = render_index([ann, ann, ben], QUESTIONS, ["a", "b", "c"])
    bar = r'data-bucket="([\d-]+)" data-count="(\d)" x="[\d.]+" y="([\d.]+)" width="41.6" height="([\d.]+)"'
    bars = re.findall(bar, page)
    assert [b for b in bars if b[1] != "0"] == [("10-20", "1", "106.0", "84.0"), ("20-30", "2", "22.0", "168.0")]


def test_a_correlation_needs_one_rest_score_per_student() -> None:
    with pytest.raises(ValueError, match=r"^one rest score per student$"):
        corrected_item_total([1.0, 0.0, 1.0], [1.0, 2.0])


def test_a_similar_answer_says_its_cluster_and_never_names_a_classmate(kit: Path) -> None:
    ann = make_class()[0]
    pairs = (
        SimilarPair("q02", "ann", "bob", 0.873, 0.5, False, 520, 0.4, True),
        SimilarPair("q02", "cy", "ann", 0.2, 0.81, False, 490, 0.4, True),
        SimilarPair("q02", "dee", "eve", 0.99, 0.99, False, 900, 0.4, True),  # not ann's: not on her page
        SimilarPair("q03", "bob", "ann", 1.0, 1.0, True, 600, 0.5, True),
        SimilarPair("q03", "ann", REFERENCE, 1.0, 1.0, True, 600, 0.5, True),
        SimilarPair("q01", "ann", "bob", 0.95, 0.95, False, 100, 0.3, False),  # does not stand out: not shown
    )
    clusters = cluster_pairs(pairs)
    page = render_student(ann, clusters)
    rank = {c.question_id + "/" + c.members[0]: c.rank for c in clusters}
    assert (
        f'<p class="similar">This answer is in similarity cluster {rank["q02/ann"]} of the class report, with 2 other'
        " submissions: 87% alike, where independent answers to this question are 40% alike. It asks for a"
        " conversation, not a verdict; the score is unchanged.</p>"
    ) in page
    assert (
        f"This answer is in similarity cluster {rank['q03/ann']} of the class report, with 1 other submission and"
        " the reference solution: 100% alike, identical, where independent answers to this question are 50% alike."
    ) in page
    assert page.count('<p class="similar">') == 2
    assert not re.search(r"\b(bob|cy|dee|eve)\b", page), "no classmate is named"
