"""The review tables (grader.book.review): the scoring rule, storage beside the auto results, versions, migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from grader.book.gradebook import Gradebook
from grader.book.review import (
    REVIEW_TABLES,
    ReviewBook,
    ReviewError,
    RubricError,
    StaleReview,
    final_points,
    load_rubric_file,
)
from tests.kit.review_class import QUESTIONS, RUBRIC, make_class

AUTO = "SELECT * FROM question_results ORDER BY submission_id, question_id"


@pytest.mark.parametrize(
    ("auto", "rubric", "adjust", "maximum", "final"),
    [
        (1.0, 0.0, 0.0, 2.0, 1.0),
        (1.0, 0.5, -0.25, 2.0, 1.25),
        (1.8, 0.5, 0.0, 2.0, 2.0),  # clamped at the question's maximum
        (0.2, -0.5, 0.0, 1.0, 0.0),  # never below zero
        (0.0, 0.0, 5.0, 3.0, 3.0),
    ],
)
def test_final_points_rule(auto: float, rubric: float, adjust: float, maximum: float, final: float) -> None:
    assert final_points(auto, rubric, adjust, maximum) == final


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = make_class(tmp_path / "class.sqlite3")
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(RUBRIC, encoding="utf-8")
    with Gradebook(path) as gb:
        ReviewBook(gb._db, gb.assignment, "ann").add_rubric_items(load_rubric_file(rubric, set(QUESTIONS)))
    return path


def _points(path: Path) -> dict[str, dict[str, float]]:
    with Gradebook(path) as gb:
        return {s.name: {q.id: q.points for q in s.result.questions} for s in gb.latest()}


def test_review_changes_final_points_not_auto_results(book: Path) -> None:
    before = _points(book)
    with Gradebook(book) as gb:
        rb = ReviewBook(gb._db, gb.assignment, "ann")
        rb.apply_item(["alice", "bob", "carol"], "q02", "blocking")
        rb.adjust("bob", "q16", 1.5, "the test was flaky on his machine", 1)
        stored = gb._db.execute(AUTO).fetchall()
    after = _points(book)
    assert after["alice"]["q02"] == 0.5 and after["carol"]["q02"] == 0.0  # 1 - 0.5; 0.5 - 0.5
    assert after["bob"]["q16"] == 1.5 and after["alice"]["q10"] == before["alice"]["q10"]
    with Gradebook(book) as gb:
        again = gb._db.execute(AUTO).fetchall()
        alice = next(s for s in gb.latest() if s.name == "alice")
    assert again == stored, "the auto results are never written by a review"
    assert alice.review is not None and alice.review.auto_points["q02"] == 1.0
    # editing an item's points changes everyone it is applied to
    with Gradebook(book) as gb:
        rb = ReviewBook(gb._db, gb.assignment, "ann")
        item = next(i for i in rb.rubric("q02") if i.id == "blocking")
        rb.edit_rubric_item("q02", "blocking", item.text, -0.25, item.version)
        with pytest.raises(StaleReview):
            rb.edit_rubric_item("q02", "blocking", item.text, -1, item.version)
    edited = _points(book)
    assert (edited["alice"]["q02"], edited["bob"]["q02"], edited["carol"]["q02"]) == (0.75, 0.75, 0.25)


def test_stale_version_refused_and_nothing_written(book: Path) -> None:
    with Gradebook(book) as gb:
        rb = ReviewBook(gb._db, gb.assignment, "ann")
        rb.comment("alice", "q02", "nice", True, 0)
        with pytest.raises(StaleReview) as caught:
            rb.comment("alice", "q02", "lost?", False, 0)
        assert (caught.value.seen, caught.value.now) == (0, 1)
        review = rb.review("alice")
    assert [c.text for c in review.comments] == ["nice"] and review.version == 1
    assert review.comments[0].author == "ann" and review.comments[0].at


def test_adjustment_needs_a_reason_and_items_must_exist(book: Path) -> None:
    with Gradebook(book) as gb:
        rb = ReviewBook(gb._db, gb.assignment, "ann")
        with pytest.raises(ReviewError, match="reason"):
            rb.adjust("alice", "q02", 1, "   ", 0)
        with pytest.raises(ReviewError, match="no rubric item"):
            rb.set_rubric("alice", "q02", {"made-up"}, 0)
        with pytest.raises(sqlite3.IntegrityError):  # the table itself refuses an empty reason
            gb._db.execute(
                "INSERT INTO review_adjustments (assignment, student, question_id, points, reason, author, made_at)"
                " VALUES ('default', 'x', 'q02', 1, '', 'a', 'b')"
            )


def test_rubric_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "r.toml"
    for text, message in [
        ('[[q99]]\nid="a"\ntext="t"\npoints=1\n', "not a question"),
        ('[[q02]]\nid="a"\ntext="t"\npoints="1"\n', "points must be a number"),
        ('[[q02]]\nid="a"\ntext="t"\npoints=1\n[[q02]]\nid="a"\ntext="u"\npoints=1\n', "unique"),
        ("[[q02\n", "r.toml"),
    ]:
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(RubricError, match=message):
            load_rubric_file(bad, {"q02"})


def test_older_gradebook_gets_review_tables(tmp_path: Path) -> None:
    path = make_class(tmp_path / "old.sqlite3")
    db = sqlite3.connect(path)
    for table in REVIEW_TABLES:
        db.execute(f"DROP TABLE {table}")
    db.commit()
    db.close()
    before = _points(path)  # opening migrates
    db = sqlite3.connect(path)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    assert tables >= REVIEW_TABLES
    assert before["alice"] == {"q02": 1.0, "q10": round(2 * 10 / 13, 2), "q16": 2.4}
