"""`grade review` end to end in headless Chromium: a small class reviewed in the browser, then every report agrees.

As the HTML report's browser test: skipped without chromium, chromedriver and selenium, unless KIT_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from grader.book.gradebook import Gradebook
from grader.book.review import ReviewBook, load_rubric_file
from grader.cli import cli
from grader.kit import kit_root
from grader.review.app import ReviewConfig, create_app
from tests.kit.review_class import QUESTIONS, RUBRIC, make_class
from tests.kit.test_html_report import driver  # noqa: F401  (the headless browser fixture)

TOKEN = "e2e-token"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    import uvicorn

    book = make_class(tmp_path / "class.sqlite3")
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(RUBRIC, encoding="utf-8")
    with Gradebook(book) as gb:
        ReviewBook(gb._db, gb.assignment, "ann").add_rubric_items(load_rubric_file(rubric, set(QUESTIONS)))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(ReviewConfig(book, "default", "ann", TOKEN)), host="127.0.0.1", port=port,
                       log_level="warning")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}", book
    finally:
        server.should_exit = True
        thread.join(10)


def _click(browser: Any, element: Any) -> None:
    """Click, then wait for the next page (every form answers with a redirect to a page)."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = browser.find_element("tag name", "html")
    element.click()
    WebDriverWait(browser, 20).until(expected_conditions.staleness_of(page))


def _submit(browser: Any, form_css: str, **fields: str) -> None:
    from selenium.webdriver.common.by import By

    form = browser.find_element(By.CSS_SELECTOR, form_css)
    for name, value in fields.items():
        field = form.find_element(By.CSS_SELECTOR, f'[name="{name}"]:not([type="hidden"])')
        field.clear()
        field.send_keys(value)
    _click(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def _report(book: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["report", "--gradebook", str(book), "--no-color", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_review_a_class_in_the_browser_and_every_report_agrees(
    served: tuple[str, Path],
    driver: Any,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    from selenium.webdriver.common.by import By

    base, book = served
    driver.get(f"{base}/?token={TOKEN}")
    assert "Reviewed 0 of 3 students" in driver.find_element(By.ID, "progress").text
    # a rubric item applied to three students at once, then its points changed
    driver.get(f"{base}/rubric/q02")
    for box in driver.find_elements(By.CSS_SELECTOR, '#item-clear form[action$="/apply"] input[name="student"]'):
        box.click()
    _click(driver, driver.find_element(By.CSS_SELECTOR, '#item-clear form[action$="/apply"] button'))
    assert "applied to 3" in driver.find_element(By.TAG_NAME, "body").text, driver.page_source[-1500:]
    _submit(driver, '#item-clear form[action$="/edit"]', points="0.25")
    assert "+0.25 points, applied to 3" in driver.find_element(By.CSS_SELECTOR, "#item-clear h3").text
    # alice's q10: a comment to her, an adjustment with its reason
    driver.get(f"{base}/s/0/q10")
    _submit(driver, "#comment-form", text="Well structured error handling")
    _submit(driver, "#adjust-form", points="-0.5", reason="hard-coded ids")
    assert driver.find_element(By.ID, "final-points").text.startswith("1.04/2")
    # alice's q16: its flag reviewed, by keyboard-free navigation
    _click(driver, driver.find_element(By.ID, "next-question"))
    _submit(driver, "#flags-form", note="gc used for a cache: harmless")
    assert "Flags reviewed by ann" in driver.find_element(By.ID, "flags-reviewed").text
    _click(driver, driver.find_element(By.ID, "mark-reviewed"))
    assert driver.current_url.endswith("/s/0/q02"), "on to the next unreviewed question"
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe

    finals = {"alice": 4.44, "bob": 3.0, "carol": 3.75}  # q02 clamped at 1 for alice and bob; carol 0.5 + 0.25
    data = json.loads(_report(book, "--json"))
    import jsonschema

    schema = json.loads((kit_root() / "grader" / "reports" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert {s["name"]: s["final_score"] for s in data["submissions"]} == finals
    alice = next(s for s in data["submissions"] if s["name"] == "alice")
    assert alice["review"]["auto_points"]["q10"] == 1.54 and alice["review"]["questions_reviewed"] == ["q16"]

    table = _report(book)
    for name, final in finals.items():
        assert any(line.startswith(name) and f"{final:g}/6" in line for line in table.splitlines()), table
    assert "reviewed" in table.splitlines()[0]

    out = tmp_path / "out"
    out.mkdir()
    _report(book, "--csv", str(out / "grades.csv"), "--lms", "moodle", "--lms-csv", str(out / "moodle.csv"),
            "--html", str(out / "html"))  # fmt: skip
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8-sig"))))
    assert {r["student"]: float(r["final_score"]) for r in rows} == finals
    moodle = list(csv.reader(io.StringIO((out / "moodle.csv").read_text(encoding="utf-8-sig"))))
    assert {row[0]: float(row[1]) for row in moodle[1:]} == finals
    assert "q10: Well structured error handling" in moodle[1][2]
    page = next((out / "html" / "students").glob("alice*.html")).read_text(encoding="utf-8")
    assert "4.44/6 points" in page and 'id="review"' in page and "hard-coded ids" in page
