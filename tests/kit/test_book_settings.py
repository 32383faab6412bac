"""What an assignment remembers (``grader.book.settings``): stored once, read back whole, and tolerant of what it
did not write.

The row is plain SQLite a teacher may read with any tool, so its format is pinned too: JSON with sorted keys and
non-ASCII text as it is, an empty value as ''. A column this kit cannot read (hand-edited, from another version)
comes back empty instead of failing every later report, and questions or points the catalogue no longer has are
dropped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.book.gradebook import Gradebook
from grader.book.settings import AssignmentSettings, read_settings, write_settings
from grader.kit.catalogue import load_catalogue

SETTINGS = AssignmentSettings(
    name="wöche-3",
    questions=("q07", "q02"),
    points={"q07": 2.75, "q02": 1.5},
    due="2026-12-01T23:59:59+01:00",
    late_policy="5%/hour",
    roster=(("zoë", "Zoë Ünal", "zoe@example.org"), ("ann", "", "")),
    lms_column="Wöche 3 (Übung)",
    times={"zoë": "2026-12-01T10:07:13+01:00", "ann": "2026-11-30T08:00:00+00:00"},
    origin="grade pack",
)
COLUMNS = "due, late_policy, questions, points, roster, lms_column, times, origin"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A real gradebook's connection (its schema made by the kit)."""
    with Gradebook(tmp_path / "book.sqlite3") as book:
        yield book._db


def _raw(db: sqlite3.Connection, name: str) -> tuple[str, ...]:
    return db.execute(f"SELECT {COLUMNS} FROM assignments WHERE name = ?", (name,)).fetchone()


def _store_raw(db: sqlite3.Connection, name: str, **columns: str) -> None:
    values = {column: "" for column in COLUMNS.split(", ")} | columns
    db.execute(
        f"INSERT INTO assignments (name, {COLUMNS}) VALUES (?, {', '.join('?' * len(values))})",
        (name, *values.values()),
    )


def test_settings_come_back_whole(db: sqlite3.Connection) -> None:
    write_settings(db, SETTINGS.name, SETTINGS)
    assert read_settings(db, SETTINGS.name) == SETTINGS
    assert read_settings(db, "another") == AssignmentSettings("another"), "an assignment never described is empty"


def test_the_stored_row_is_readable_json_with_sorted_keys_and_text_as_it_is(db: sqlite3.Connection) -> None:
    write_settings(db, SETTINGS.name, SETTINGS)
    assert _raw(db, SETTINGS.name) == (
        "2026-12-01T23:59:59+01:00",
        "5%/hour",
        "q07\nq02",
        '{"q02": 1.5, "q07": 2.75}',
        '[["zoë", "Zoë Ünal", "zoe@example.org"], ["ann", "", ""]]',
        "Wöche 3 (Übung)",
        '{"ann": "2026-11-30T08:00:00+00:00", "zoë": "2026-12-01T10:07:13+01:00"}',
        "grade pack",
    )


def test_empty_settings_are_stored_as_empty_text(db: sqlite3.Connection) -> None:
    write_settings(db, "bare", AssignmentSettings("bare"))
    assert _raw(db, "bare") == ("",) * 8


def test_writing_again_replaces_every_column(db: sqlite3.Connection) -> None:
    write_settings(db, SETTINGS.name, SETTINGS)
    write_settings(db, SETTINGS.name, AssignmentSettings(SETTINGS.name, due="2027-01-02T03:04:05+00:00"))
    assert _raw(db, SETTINGS.name) == ("2027-01-02T03:04:05+00:00",) + ("",) * 7
    assert db.execute("SELECT count(*) FROM assignments").fetchone() == (1,)


def test_an_lms_column_is_stored_printable(db: sqlite3.Connection) -> None:
    write_settings(db, "a", AssignmentSettings("a", lms_column="Week\x1b[31m 3"))
    assert _raw(db, "a")[5] == "Week\\x1b[31m 3"


@pytest.mark.parametrize("broken", ["not json", "[1, 2]", '"a string"', "42", "null", "{"])
def test_a_json_column_the_kit_cannot_read_comes_back_empty(db: sqlite3.Connection, broken: str) -> None:
    _store_raw(db, "edited", points=broken, roster=broken, times=broken, due="2026-12-01T00:00:00+00:00")
    settings = read_settings(db, "edited")
    assert (settings.points, settings.roster, settings.times) == ({}, (), {})
    assert settings.due == "2026-12-01T00:00:00+00:00", "the readable columns are kept"


def test_a_roster_that_is_a_dict_or_whose_entries_are_odd_comes_back_without_them(db: sqlite3.Connection) -> None:
    _store_raw(db, "odd", roster='{"ann": 1}')
    assert read_settings(db, "odd").roster == ()
    _store_raw(db, "entries", roster='[["ann", "Ann", "a@x"], ["bob", "Bob"], "cleo", ["dan", 7, "d@x"]]')
    assert read_settings(db, "entries").roster == (("ann", "Ann", "a@x"), ("dan", "7", "d@x"))


def test_questions_and_points_the_catalogue_does_not_have_are_dropped(db: sqlite3.Connection) -> None:
    _store_raw(
        db,
        "old",
        questions="q99\nq03\n\nq01",
        points='{"q99": 5, "q03": 2, "q01": 0, "q04": -1, "q05": "3", "q06": 0.25}',
    )
    settings = read_settings(db, "old")
    assert settings.questions == ("q03", "q01"), "kept in the stored order"
    assert settings.points == {"q03": 2.0, "q06": 0.25}
    assert all(type(value) is float for value in settings.points.values())


def test_times_and_text_read_back_are_printable(db: sqlite3.Connection) -> None:
    _store_raw(db, "t", times='{"bo\\u001bb": "2026-12-01\\u0007", "7": 8}', lms_column="a\x07b")
    settings = read_settings(db, "t")
    assert settings.times == {"bo\\x1bb": "2026-12-01\\x07", "7": "8"}
    assert settings.lms_column == "a\\x07b"


def test_the_questions_in_force_are_the_assignment_s_at_its_points_in_catalogue_order() -> None:
    catalogue = load_catalogue()
    given = AssignmentSettings("a", questions=("q07", "q02"), points={"q07": 2.75})
    assert [(q.id, q.points) for q in given.in_force()] == [
        ("q02", next(q.points for q in catalogue if q.id == "q02")),
        ("q07", 2.75),
    ]
    everything = AssignmentSettings("b", points={"q01": 0.5})
    assert [q.id for q in everything.in_force()] == [q.id for q in catalogue], "no questions given: all of them"
    assert everything.in_force()[0].points == 0.5
    assert [q.points for q in everything.in_force()[1:]] == [q.points for q in catalogue[1:]]
    assert everything.catalogue() == everything.in_force()
