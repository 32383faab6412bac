"""`grade review` through FastAPI's TestClient: every action, every refusal, escaping, and `grade feedback`."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from grader.book.gradebook import Gradebook
from grader.book.review import ReviewBook, load_rubric_file
from grader.reports.html_page import CSP
from grader.review.app import ReviewConfig, create_app, csrf_token
from grader.review.feedback import render_feedback, write_feedback
from tests.kit.review_class import INJECTION, QUESTIONS, RUBRIC, make_class

TOKEN = "secret-token"
CSRF = csrf_token(TOKEN)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = make_class(tmp_path / "class.sqlite3")
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(RUBRIC, encoding="utf-8")
    with Gradebook(path) as gb:
        ReviewBook(gb._db, gb.assignment, "ann").add_rubric_items(load_rubric_file(rubric, set(QUESTIONS)))
    return path


def _client(book: Path, anonymous: bool = False) -> TestClient:
    client = TestClient(create_app(ReviewConfig(book, "default", "ann", TOKEN, anonymous)))
    assert client.get(f"/?token={TOKEN}").status_code == 200  # sets the cookie
    return client


def _post(client: TestClient, url: str, **data: object) -> object:
    return client.post(url, data={"csrf": CSRF, **data}, follow_redirects=False)


def _review(book: Path, student: str):
    with Gradebook(book) as gb:
        return next(s for s in gb.latest() if s.name == student)


# ---------------------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("url", ["/", "/s/0/q02", "/rubric/q02", "/next", "/?token=wrong"])
def test_no_or_wrong_token_is_403_with_the_policy(book: Path, url: str) -> None:
    client = TestClient(create_app(ReviewConfig(book, "default", "ann", TOKEN)))
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 403
    assert response.headers["content-security-policy"] == CSP
    assert "alice" not in response.text
    client.cookies.set("kit_review", "wrong")
    assert client.get("/").status_code == 403


def test_post_without_token_is_403_and_writes_nothing(book: Path) -> None:
    client = TestClient(create_app(ReviewConfig(book, "default", "ann", TOKEN)))
    response = client.post("/s/0/q02/comment", data={"csrf": CSRF, "version": "0", "text": "x"})
    assert response.status_code == 403
    assert _review(book, "alice").review.version == 0


@pytest.mark.parametrize(
    ("headers", "data"),
    [
        ({}, {"version": "0", "text": "x"}),  # no CSRF token
        ({}, {"csrf": "forged", "version": "0", "text": "x"}),
        ({"Sec-Fetch-Site": "cross-site"}, {"csrf": CSRF, "version": "0", "text": "x"}),
        ({"Sec-Fetch-Site": "same-site"}, {"csrf": CSRF, "version": "0", "text": "x"}),
        ({"Origin": "http://evil.example"}, {"csrf": CSRF, "version": "0", "text": "x"}),
        ({"Origin": "null"}, {"csrf": CSRF, "version": "0", "text": "x"}),
    ],
)
def test_cross_site_posts_are_refused(book: Path, headers: dict[str, str], data: dict[str, str]) -> None:
    client = _client(book)
    response = client.post("/s/0/q02/comment", data=data, headers=headers, follow_redirects=False)
    assert response.status_code == 403
    assert response.headers["content-security-policy"] == CSP
    assert _review(book, "alice").review.comments == ()


def test_same_origin_post_is_accepted(book: Path) -> None:
    client = _client(book)
    headers = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    response = client.post(
        "/s/0/q02/comment", data={"csrf": CSRF, "version": "0", "text": "ok"}, headers=headers, follow_redirects=False
    )
    assert response.status_code == 303


def test_stale_version_gets_a_409_page_and_keeps_the_first_save(book: Path) -> None:
    client = _client(book)
    assert _post(client, "/s/0/q02/comment", version="0", text="first").status_code == 303
    response = _post(client, "/s/0/q02/comment", version="0", text="second <b>bold</b>")
    assert response.status_code == 409
    assert "not</strong> saved" in response.text and "second &lt;b&gt;bold&lt;/b&gt;" in response.text
    assert [c.text for c in _review(book, "alice").review.comments] == ["first"]
    item = next(i for i in _items(book) if i.id == "clear")
    assert (
        _post(client, "/rubric/q02/clear/edit", version=str(item.version + 1), text="t", points="1").status_code == 409
    )


def _items(book: Path):
    with Gradebook(book) as gb:
        return ReviewBook(gb._db, gb.assignment, "x").rubric("q02")


def test_bad_input_is_400_and_writes_nothing(book: Path) -> None:
    client = _client(book)
    assert _post(client, "/s/0/q02/adjust", version="0", points="1", reason=" ").status_code == 400
    assert _post(client, "/s/0/q02/adjust", version="0", points="lots", reason="r").status_code == 400
    assert _post(client, "/s/0/q02/rubric", version="0", item="made-up").status_code == 400
    assert _post(client, "/s/0/q02/overall", version="0", note="", recommendation="maybe").status_code == 400
    assert _post(client, "/s/0/q02/comment", text="no version").status_code == 400
    assert _review(book, "alice").review.version == 0
    assert client.get("/s/9/q02").status_code == 404


# ----------------------------------------------------------------------------------------------- actions


def test_every_action(book: Path) -> None:
    client = _client(book)
    assert _post(client, "/s/0/q02/rubric", version="0", item=["blocking"]).headers["location"] == "/s/0/q02"
    assert _post(client, "/s/0/q02/comment", version="1", text="to you", audience="student").status_code == 303
    assert _post(client, "/s/0/q02/comment", version="2", text="staff only", audience="staff").status_code == 303
    assert (
        _post(client, "/s/0/q10/adjust", version="3", points="0.5", reason="good tests of its own").status_code == 303
    )
    assert _post(client, "/s/0/q16/flags", version="4", note="gc used for a cache, harmless").status_code == 303
    assert _post(client, "/s/0/q16/reviewed", version="5", reviewed="1", then="next").headers["location"] == "/next"
    assert _post(client, "/s/0/q02/overall", version="6", note="solid", recommendation="yes").status_code == 303
    assert _post(client, "/rubric/q02/clear/apply", student=["1", "2"]).status_code == 303
    assert (
        _post(client, "/rubric/q02/blocking/edit", version="1", text="blocking call", points="-0.25").status_code == 303
    )
    sub = _review(book, "alice")
    review = sub.review
    assert review.version == 7 and review.recommendation == "yes" and review.note == "solid"
    assert [(c.text, c.to_student) for c in review.comments] == [("to you", True), ("staff only", False)]
    assert review.adjustments[0].reason == "good tests of its own" and review.adjustments[0].author == "ann"
    assert review.flags_reviewed["q16"][0] == "gc used for a cache, harmless"
    assert set(review.questions_reviewed) == {"q16"}
    points = {q.id: q.points for q in sub.result.questions}
    assert points["q02"] == 0.75  # 1 - 0.25 after the edit
    assert points["q10"] == 2.0  # 1.54 + 0.5, clamped at the question's 2 points
    assert {i.id for i in _review(book, "bob").review.applied} == {"clear"}
    page = client.get("/s/0/q16").text
    assert "gc used for a cache, harmless" in page and "Flags reviewed by ann" in page
    index = client.get("/").text
    assert "Reviewed 0 of 3 students" in index and ">1/3<" in index
    assert client.get("/next", follow_redirects=False).headers["location"] == "/s/0/q02"
    for url in ("/", "/s/0/q02", "/rubric/q02", "/s/0"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["content-security-policy"] == CSP


def test_anonymous_hides_names(book: Path) -> None:
    client = _client(book, anonymous=True)
    for url in ("/", "/s/0/q02", "/s/2/q02", "/rubric/q02"):
        text = client.get(url).text
        assert not re.search(r"\b(alice|bob|carol)\b", text), url
    assert "Student 1" in client.get("/").text


# ------------------------------------------------------------------------------------------------ escaping


def _no_injection(text: str) -> None:
    """The candidate's markup never becomes an element: no script, no img in the page."""
    lowered = text.lower()
    assert "<script" not in lowered and "<img" not in lowered


def test_a_candidates_html_is_text_on_review_and_feedback_pages(book: Path, tmp_path: Path) -> None:
    client = _client(book)
    _post(client, "/s/2/q02/comment", version="0", text=INJECTION)
    _post(client, "/s/2/q02/adjust", version="1", points="0.1", reason=INJECTION)
    page = client.get("/s/2/q02").text
    assert page.count("&lt;script&gt;") + page.count("&lt;/") >= 3
    _no_injection(page)
    _no_injection(client.get("/").text)
    written = write_feedback([_review(book, "carol")], tmp_path / "feedback", show_tests=True)
    feedback = written[0].read_text(encoding="utf-8")
    _no_injection(feedback)
    assert f'content="{CSP}"' in html.unescape(feedback) and "&lt;script&gt;" in feedback


def test_feedback_shows_the_students_part_and_nothing_private(book: Path, tmp_path: Path) -> None:
    client = _client(book)
    _post(client, "/s/0/q10/rubric", version="0", item=["errors"])
    _post(client, "/s/0/q10/comment", version="1", text="Nice error model", audience="student")
    _post(client, "/s/0/q10/comment", version="2", text="PRIVATE-REMARK", audience="staff")
    _post(client, "/s/0/q10/adjust", version="3", points="-0.2", reason="PRIVATE-REASON")
    _post(client, "/s/0/q10/overall", version="4", note="PRIVATE-NOTE", recommendation="strong no")
    alice = _review(book, "alice")
    page = render_feedback(alice)
    assert "Nice error model" in page and "a clear error model" in page and "Adjusted by hand: -0.2" in page
    for private in ("PRIVATE-REMARK", "PRIVATE-REASON", "PRIVATE-NOTE", "strong no", "imports gc", "test_q10_"):
        assert private not in page, private
    assert f"{alice.final_score:g}/6" in page
    assert "test_q10_0" in render_feedback(alice, show_tests=True)
    out = tmp_path / "fb"
    assert [p.name for p in write_feedback([alice, _review(book, "bob")], out)] == ["alice.html", "bob.html"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "mine.txt").write_text("x")
    from grader.review.feedback import FeedbackFolderError

    with pytest.raises(FeedbackFolderError):
        write_feedback([alice], tmp_path / "other")
