"""The class HTML report: safe against hostile names and messages, and rendering in a real headless browser.

The unit tests read the written files; the browser test opens them in Debian's chromium through Selenium and
chromedriver. Without those it is skipped, unless ``KIT_REQUIRE_BROWSER=1`` (CI) makes their absence a failure.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.catalogue import Question
from grader.gradebook import StoredSubmission
from grader.reports.html import page_names, pass_rates, score_buckets, write_html_report
from grader.results import QuestionResult, SubmissionResult, TestFailure

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PAGE_LOAD_TIMEOUT_S = 20
SCRIPT = "<script>alert(1)</script>"

QUESTIONS = (
    Question("q01", "what_is_fastapi", "What is FastAPI", "basic", 1.0, ()),
    Question("q02", "basic_app", "A basic app", "basic", 1.0, ()),
    Question("q03", "path_parameters", "Path parameters & <types>", "intermediate", 2.0, ()),
)


def _result(question: Question, status: str, passed: int, total: int = 4, *failures: TestFailure) -> QuestionResult:
    points = question.points * passed / total if status in ("passed", "failed", "timeout") else 0.0
    return QuestionResult(
        question.id,
        question.slug,
        question.title,
        question.level,
        status,  # type: ignore[arg-type]
        round(points, 2),
        question.points,
        passed,
        total,
        0,
        0.1,
        "SyntaxError: invalid syntax" if status == "error" else "",
        failures,
    )


def _submission(sid: int, name: str, results: tuple[QuestionResult, ...], problem: str = "") -> StoredSubmission:
    result = SubmissionResult(name, results, 0.3)
    return StoredSubmission(
        sid, name, f"hash{sid}", "1.0", f"/class/{name}", problem, (), "2025-01-01T00:00:00", result
    )


def _class() -> list[StoredSubmission]:
    q1, q2, q3 = QUESTIONS
    evil_failure = TestFailure("test_greeting", f"assert 'hi' == '{SCRIPT}'")
    return [
        _submission(1, "alice", (_result(q1, "passed", 4), _result(q2, "passed", 4), _result(q3, "passed", 4))),
        _submission(
            2,
            "bob",
            (
                _result(q1, "passed", 4),
                _result(q2, "failed", 2, 4, TestFailure("test_root", "assert 404 == 200")),
                _result(q3, "error", 0),
            ),
        ),
        _submission(3, "carol", (), problem="carol.zip is not a valid archive: <bad header>"),
        _submission(
            4,
            "../evil",
            (_result(q1, "failed", 3, 4, evil_failure), _result(q2, "missing", 0), _result(q3, "timeout", 2)),
        ),
    ]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    out = tmp_path / "report"
    index = write_html_report(_class(), QUESTIONS, out)
    assert index == out / "index.html"
    return out


# ------------------------------------------------------------------------------------------------ no browser


def test_writes_an_index_and_a_page_per_student(report: Path) -> None:
    pages = sorted(p.name for p in (report / "students").iterdir())
    assert pages == ["_evil.html", "alice.html", "bob.html", "carol.html"]
    index = (report / "index.html").read_text(encoding="utf-8")
    for page in pages:
        assert f'href="students/{page}"' in index
    assert 'href="../index.html"' in (report / "students" / "bob.html").read_text(encoding="utf-8")


def test_nothing_is_written_outside_the_report_folder(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "report"
    write_html_report(_class(), QUESTIONS, out)
    everything = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert everything and all(p.resolve().is_relative_to(out.resolve()) for p in everything)


def test_candidate_text_is_escaped(report: Path) -> None:
    evil = (report / "students" / "_evil.html").read_text(encoding="utf-8")
    assert SCRIPT not in evil
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil
    assert "<h1>../evil</h1>" in evil
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "<script" not in index.lower()
    assert "&lt;bad header&gt;" in index  # carol's problem, in the note column
    assert "Path parameters &amp; &lt;types&gt;" in index  # titles too
    carol = (report / "students" / "carol.html").read_text(encoding="utf-8")
    assert "Unusable submission" in carol and "&lt;bad header&gt;" in carol


def test_histogram_has_ten_buckets_and_pass_rates_one_bar_per_question(report: Path) -> None:
    index = (report / "index.html").read_text(encoding="utf-8")
    histogram = re.search(r'<svg id="score-histogram".*?</svg>', index, re.S)
    rates = re.search(r'<svg id="pass-rates".*?</svg>', index, re.S)
    assert histogram and rates
    buckets = re.findall(r'<rect class="bar" data-bucket="[^"]+" data-count="(\d+)"', histogram.group())
    assert len(buckets) == 10 and sum(map(int, buckets)) == 4
    bars = re.findall(r'<rect class="bar [a-z]+" data-question="(q\d\d)" data-rate="([\d.]+)"', rates.group())
    assert bars == [("q01", "0.5000"), ("q02", "0.2500"), ("q03", "0.2500")]
    assert "<title>" in histogram.group() and "<title>" in rates.group()


def test_student_page_lists_every_question_and_failure(report: Path) -> None:
    bob = (report / "students" / "bob.html").read_text(encoding="utf-8")
    assert bob.count("<tr>") == 1 + len(QUESTIONS)
    assert "test_root" in bob and "assert 404 == 200" in bob
    assert "SyntaxError: invalid syntax" in bob  # q03's error message
    assert "1.5/4 points (37.5%)" in bob


def test_score_buckets_and_pass_rates() -> None:
    assert score_buckets([0, 9.9, 10, 55, 99.9, 100, 150, -5]) == [3, 1, 0, 0, 0, 1, 0, 0, 0, 3]
    assert pass_rates([], QUESTIONS) == [0.0, 0.0, 0.0]


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
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.mark.slow
def test_the_report_renders_in_a_headless_browser(driver: Any, report: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get((report / "index.html").as_uri())
    assert driver.title == "Class report: 4 students"
    rows = driver.find_elements(By.CSS_SELECTOR, "table#students tbody tr")
    assert [row.find_element(By.TAG_NAME, "a").text for row in rows] == ["alice", "bob", "carol", "../evil"]

    histogram = driver.find_element(By.ID, "score-histogram")
    assert histogram.size["width"] > 100 and histogram.size["height"] > 100
    buckets = histogram.find_elements(By.CSS_SELECTOR, "rect.bar")
    assert len(buckets) == 10 and all(float(bar.get_attribute("width")) > 0 for bar in buckets)
    assert sum(bar.size["height"] > 0 for bar in buckets) == 4  # 0%, 37.5%, 43.8% and 100%: one bucket each
    rates = driver.find_element(By.ID, "pass-rates")
    assert rates.size["width"] > 100 and rates.size["height"] > 40
    bars = rates.find_elements(By.CSS_SELECTOR, "rect.bar")
    assert len(bars) == len(QUESTIONS) and all(bar.size["width"] > 0 for bar in bars)
    assert "q03 Path parameters & <types>" in rates.text

    screenshot = tmp_path / "index.png"
    assert driver.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 1000 and screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shutil.copy(screenshot, report / "index.png")  # kept with the report for anyone inspecting tmp_path
    assert _severe(driver) == []

    driver.find_element(By.LINK_TEXT, "../evil").click()
    assert driver.current_url.endswith("/students/_evil.html")
    assert driver.find_element(By.TAG_NAME, "h1").text == "../evil"
    failures = driver.find_element(By.ID, "failures").text
    assert f"assert 'hi' == '{SCRIPT}'" in failures  # shown as text, not run
    assert "test_greeting" in failures
    assert len(driver.find_elements(By.CSS_SELECTOR, "table#questions tbody tr")) == len(QUESTIONS)
    driver.save_screenshot(str(tmp_path / "student.png"))
    assert _severe(driver) == []

    driver.find_element(By.LINK_TEXT, "← Class report").click()
    assert driver.title == "Class report: 4 students"
