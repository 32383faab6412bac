"""Due dates, late policies, rosters and the assignment options, asserted whole and at their edges.

Written against the mutants of ``grader/book/lateness.py`` and ``grader/book/assignments.py`` that the kit's suite let
through (``python bench/mutation.py -m lateness -m assignments``): every refusal is compared as a whole
message, every lateness at the second where it changes, and the options through a click command of their
own (no grading).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from grader.book import roster as roster_module
from grader.book.assignments import (
    NO_SUBMISSION,
    RosterEntry,
    RosterError,
    apply_roster,
    assignment_options,
    check_points,
    extra_assignment_options,
    read_roster,
    read_submission_times,
    remember_deadline,
)
from grader.book.gradebook import Gradebook, StoredSubmission
from grader.book.lateness import Lateness, LatePolicyError, assess, parse_due, parse_policy
from grader.book.results import QuestionResult, SubmissionResult
from grader.kit.catalogue import Question

DUE = "2026-12-01T00:00:00+00:00"
Q1 = Question("q01", "first", "First", "basic", 1.0, ("h",))
Q2 = Question("q02", "second", "Second", "intermediate", 2.0, ("h",))


@pytest.fixture
def kolkata(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This machine's local time made UTC+05:30 (no daylight saving): a due date without a zone is local."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# ------------------------------------------------------------------------------------------- due dates


def test_a_due_date_is_read_in_its_zone_or_in_local_time(kolkata: None) -> None:
    assert parse_due("2026-12-01") == "2026-12-01T23:59:59+05:30"  # a date alone: the end of that day, local
    assert parse_due("  2026-12-01  ") == "2026-12-01T23:59:59+05:30"
    assert parse_due("2026-12-01T10:00") == "2026-12-01T10:00:00+05:30"  # a time is kept as given
    assert parse_due("2026-12-01T10:00:30Z") == "2026-12-01T10:00:30+00:00"
    assert parse_due("2026-12-01T09:15-03:00") == "2026-12-01T09:15:00-03:00"


def test_a_due_date_that_is_no_date_is_refused_whole() -> None:
    with pytest.raises(LatePolicyError) as refused:
        parse_due("next friday")
    assert str(refused.value) == "'next friday' is not a date like 2026-12-01 or 2026-12-01T23:59"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [(" 10 %/DAY ", "10%/day"), ("ZERO", "zero"), ("  ", "none"), ("NoNe", "none"), ("0.5%/hour", "0.5%/hour")],
)
def test_a_policy_is_read_in_one_spelling(text: str, canonical: str) -> None:
    assert parse_policy(text) == canonical


def test_a_policy_that_is_none_of_them_is_refused_whole() -> None:
    for text in ("10%/week", "x10%/day", "10%/dayx", "%/day", "10.%/day"):
        with pytest.raises(LatePolicyError) as refused:
            parse_policy(text)
        assert str(refused.value) == f"{text!r} is not a late policy: use none, zero, or a rate like 10%/day"


# ------------------------------------------------------------------------------------------- lateness


def test_lateness_at_the_second_it_starts_and_per_started_unit() -> None:
    assert assess(DUE, DUE, "zero") == Lateness(DUE, DUE, 0.0, 0.0), "on the due second: on time"
    assert assess("2026-11-30T00:00:00+00:00", DUE, "zero") == Lateness("2026-11-30T00:00:00+00:00", DUE, 0.0, 0.0)
    one = "2026-12-01T00:00:01+00:00"
    assert assess(one, DUE, "zero") == Lateness(one, DUE, 1.0, 100.0)
    assert assess(one, DUE, "10%/hour") == Lateness(one, DUE, 1.0, 10.0), "a started hour counts whole"
    hour = "2026-12-01T01:00:00+00:00"
    assert assess(hour, DUE, "10%/hour") == Lateness(hour, DUE, 3600.0, 10.0)
    past = "2026-12-01T01:00:01+00:00"
    assert assess(past, DUE, "10%/hour") == Lateness(past, DUE, 3601.0, 20.0)
    assert assess(past, DUE, "2.5%/day") == Lateness(past, DUE, 3601.0, 2.5)
    assert assess(past, DUE, "none") == Lateness(past, DUE, 3601.0, 0.0)
    assert assess("2026-12-05T00:00:00+00:00", DUE, "30%/day").penalty_percent == 100.0, "never over 100"
    assert assess("2026-12-04T00:00:00+00:00", DUE, "30%/day").penalty_percent == 90.0


def test_a_time_without_a_zone_is_utc_and_unusable_times_are_no_lateness() -> None:
    assert assess("2026-12-01T02:00:00", DUE, "10%/hour") == Lateness("2026-12-01T02:00:00", DUE, 7200.0, 20.0)
    assert assess("2026-12-01T02:00:00+00:00", "2026-12-01T01:00:00", "none").late_by_s == 3600.0
    assert assess("2026-12-01T02:00:00+00:00", "not a time", "zero") is None
    paris = "2026-12-01T01:00:00+01:00"  # midnight UTC: a zone is converted, never replaced
    late = Lateness("2026-12-01T00:30:00+00:00", paris, 1800.0, 10.0)
    assert assess("2026-12-01T00:30:00+00:00", paris, "10%/hour") == late
    assert assess("2026-12-01T00:30:00+01:00", DUE, "zero") == Lateness("2026-12-01T00:30:00+01:00", DUE, 0.0, 0.0)
    assert assess("", DUE, "zero") is None
    assert assess(DUE, "", "zero") is None


def test_what_lateness_says_and_costs() -> None:
    on_time = Lateness(DUE, DUE, 0.0, 0.0)
    assert (on_time.late, on_time.describe(), on_time.apply(2.33)) == (False, "on time", 2.33)
    assert Lateness(DUE, DUE, 30.0, 0.0).describe() == "late by <1 min"
    assert Lateness(DUE, DUE, 86400.0, 0.0).describe() == "late by 1 d"
    assert Lateness(DUE, DUE, 2 * 86400 + 3 * 3600 + 4 * 60 + 59.9, 12.5).describe() == "late by 2 d 3 h 4 min, -12.5%"
    assert Lateness(DUE, DUE, 3600.0 + 60, 0.0).describe() == "late by 1 h 1 min"
    assert Lateness(DUE, DUE, 1.0, 10.0).apply(2.33) == 2.1  # 2.097 rounded to two decimals
    assert Lateness(DUE, DUE, 1.0, 100.0).apply(67.0) == 0.0
    assert Lateness("s", "d", 90000.6, 20.0).to_dict() == {
        "submitted_at": "s",
        "due": "d",
        "late_by_s": 90001,
        "penalty_percent": 20.0,
    }


# --------------------------------------------------------------------------------------------- rosters


def test_a_roster_is_read_whole(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "\n".join(
            [
                " Name ,ID,E-mail,EMAIL",
                "Ann A , ann ,x, ann@x.org ",
                ",,,",
                "Bob,bo\x1bb,,",
                "Ann again,ann,,",
                "Cleo,cleo",
                "Dan,dan,,,a stray cell",
            ]
        ),
        encoding="utf-8",
    )
    assert read_roster(roster) == [
        RosterEntry("ann", "Ann A", "ann@x.org"),
        RosterEntry("bo\\x1bb", "Bob", ""),
        RosterEntry("cleo", "Cleo", ""),
        RosterEntry("dan", "Dan", ""),
    ]
    roster.write_text("id\nann,Ann A,ann@x.org\n", encoding="utf-8")
    assert read_roster(roster) == [RosterEntry("ann")], "cells past the header's columns are nobody's name"


@pytest.mark.parametrize("column", ["id", "student", "login", "username"])
def test_each_id_column_name_is_accepted_the_first_one_listed_winning(tmp_path: Path, column: str) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(f"{column.upper()},name\nann,Ann\n", encoding="utf-8")
    assert read_roster(roster) == [RosterEntry("ann", "Ann", "")]
    roster.write_text("username,login,student,id\nu,l,s,i\n", encoding="utf-8")
    assert read_roster(roster) == [RosterEntry("i")]


def test_rosters_that_are_refused_say_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roster = tmp_path / "roster.csv"

    def refusal() -> str:
        with pytest.raises(RosterError) as refused:
            read_roster(roster)
        return str(refused.value)

    roster.write_text("", encoding="utf-8")
    assert refusal() == f"{roster} has no id column: its first line must name one, e.g. id,name,email"
    roster.write_text("id,name\n,Nobody\n", encoding="utf-8")
    assert refusal() == f"{roster} lists no student"
    roster.write_bytes(b"id\n\xff\xfe\n")
    assert refusal().startswith(f"{roster} cannot be read as a UTF-8 CSV roster ('utf-8' codec can't decode")
    roster.write_text("id\n" + "a\n" * 10, encoding="utf-8")
    monkeypatch.setattr(roster_module, "_MAX_ROSTER_BYTES", 23)
    assert read_roster(roster) == [RosterEntry("a")], "23 bytes: at the limit"
    monkeypatch.setattr(roster_module, "_MAX_ROSTER_BYTES", 22)
    assert refusal() == f"{roster} is too large for a roster"
    roster = tmp_path / "gone.csv"
    assert (
        refusal() == f"{roster} cannot be read as a UTF-8 CSV roster ([Errno 2] No such file or directory: '{roster}')"
    )


def _stored(name: str, warnings: tuple[str, ...] = ()) -> StoredSubmission:
    question = QuestionResult("q01", "first", "First", "basic", "passed", 1.0, 1.0, 2, 2, 0, 0.1)
    return StoredSubmission(
        1, name, "h", "k", f"/c/{name}", "", warnings, "t", SubmissionResult(name, (question,), 0.1)
    )


def test_a_roster_adds_who_sent_nothing_and_flags_who_is_not_on_it() -> None:
    ann, zed = _stored("ann"), _stored("zed", ("files changed after submit: q01_first.py",))
    roster = [RosterEntry("cleo", "Cleo"), RosterEntry("ann"), RosterEntry("bob")]
    rows = apply_roster([zed, ann], roster, (Q1, Q2))
    assert [row.name for row in rows] == ["ann", "bob", "cleo", "zed"]
    assert rows[0] == ann, "on the roster: unchanged"
    assert rows[3].warnings == (
        "files changed after submit: q01_first.py",
        "not on the roster: is the folder's name the student's id?",
    )
    missing = tuple(
        QuestionResult(q.id, q.slug, q.title, q.level, "missing", 0.0, q.points, 0, 0, 0, 0.0, NO_SUBMISSION)
        for q in (Q1, Q2)
    )
    assert rows[1] == StoredSubmission(
        0, "bob", "", "", "", NO_SUBMISSION, (), "", SubmissionResult("bob", missing, 0.0)
    )
    assert rows[2].result.target == "cleo" and rows[2].result.max_score == 3.0
    assert NO_SUBMISSION == "no submission: on the roster, but nothing was handed in"
    assert apply_roster([zed, ann], None, (Q1,)) == [zed, ann], "no roster: as given, in its order"


# ------------------------------------------------------------------------------------------- deadlines


def test_a_deadline_given_once_is_remembered_and_completed(tmp_path: Path) -> None:
    with Gradebook(tmp_path / "book.sqlite3") as book:
        remember_deadline(book, None, None)
        assert book.deadline() == ("", "")
        remember_deadline(book, DUE, None)
        assert book.deadline() == (DUE, "none"), "a due date alone: late work is reported, not priced"
        remember_deadline(book, None, "10%/day")
        assert book.deadline() == (DUE, "10%/day")
        remember_deadline(book, "2027-01-01T00:00:00+00:00", None)
        assert book.deadline() == ("2027-01-01T00:00:00+00:00", "10%/day")
    with Gradebook(tmp_path / "book.sqlite3", assignment="other") as book:
        remember_deadline(book, None, "zero")
        assert book.deadline() == ("", "zero")


# --------------------------------------------------------------------------------------------- options


def _invoke_under(decorator: Callable[..., Any], *args: str) -> tuple[int, str]:
    """Run a command of our own under ``decorator``: it prints the arguments it receives. Declared here, so that
    a test decorates under a mutant."""

    @click.command()
    @decorator
    def options(**given: object) -> None:
        click.echo(repr(sorted(given.items())))

    result = CliRunner().invoke(options, list(args))
    return result.exit_code, result.output


def _invoke(*args: str) -> tuple[int, str]:
    return _invoke_under(assignment_options, *args)


def test_the_assignment_options_default_to_nothing_given() -> None:
    assert _invoke() == (0, "[('assignment', 'default'), ('due', None), ('late_policy', None), ('roster', None)]\n")
    help_text = " ".join(_invoke("--help")[1].split())
    assert help_text.endswith(
        "Options: --assignment TEXT The assignment in the gradebook these submissions belong to. [default: default]"
        " --due DATE Due date (2026-12-01 or 2026-12-01T23:59, local time); remembered for the assignment."
        " --late-policy POLICY none (report only; the default), zero, or a rate such as 10%/day or 5%/hour."
        " --roster FILE CSV of the expected students (id[,name,email]): who sent nothing is listed as missing."
        " --help Show this message and exit."
    )


def test_the_assignment_options_read_and_check_what_is_given(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id\nann\n", encoding="utf-8")
    code, output = _invoke(
        "--assignment", "week3", "--due", "2026-12-01T10:00+00:00", "--late-policy", "5 %/HOUR", "--roster", str(roster)
    )
    assert (code, output) == (
        0,
        "[('assignment', 'week3'), ('due', '2026-12-01T10:00:00+00:00'), ('late_policy', '5%/hour'),"
        " ('roster', [RosterEntry(id='ann', name='', email='')])]\n",
    )


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (("--due", "soon"), "Invalid value for '--due': 'soon' is not a date like 2026-12-01 or 2026-12-01T23:59"),
        (
            ("--late-policy", "half"),
            "Invalid value for '--late-policy': 'half' is not a late policy: use none, zero, or a rate like 10%/day",
        ),
    ],
)
def test_a_bad_due_date_or_policy_is_a_usage_error(args: tuple[str, ...], complaint: str) -> None:
    code, output = _invoke(*args)
    assert code == 2
    assert output.splitlines()[-1] == f"Error: {complaint}"


def test_a_bad_roster_is_a_usage_error(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name\nAnn\n", encoding="utf-8")
    code, output = _invoke("--roster", str(roster))
    assert code == 2
    expected = f"Error: Invalid value for '--roster': {roster} has no id column: its first line must name one, e.g."
    assert " ".join(output.split()).endswith(" ".join(f"{expected} id,name,email".split()))
    assert _invoke("--roster", str(tmp_path))[0] == 2, "a folder is no roster"
    code, output = _invoke("--roster", str(tmp_path / "gone.csv"))
    assert (code, output.splitlines()[-1]) == (
        2,
        f"Error: Invalid value for '--roster': File '{tmp_path / 'gone.csv'}' does not exist.",
    )


def _invoke_extras(*args: str) -> tuple[int, str]:
    return _invoke_under(extra_assignment_options, *args)


def test_the_extra_options_default_to_nothing_given_and_arrive_as_one_argument() -> None:
    assert _invoke_extras() == (
        0,
        "[('extras', AssignmentExtras(points={}, lms_column=None, times=None))]\n",
    )
    help_text = " ".join(_invoke_extras("--help")[1].split())
    assert help_text.endswith(
        "Options: --points Q=POINTS A question's points in this assignment (e.g. q03=5), instead of the catalogue's;"
        " remembered. --lms-column NAME The assignment's column in Canvas or Moodle [default: the assignment's name];"
        " remembered. --submission-times FILE CSV of when each student handed in (id,time), as your platform"
        " recorded it: these times win over the manifest's and the files'; remembered."
        " --help Show this message and exit."
    )


def test_the_extra_options_read_and_check_what_is_given(tmp_path: Path) -> None:
    times = tmp_path / "times.csv"
    times.write_text("id,time\nzoë,2026-12-01T10:07:13+00:00\n", encoding="utf-8")
    code, output = _invoke_extras(
        "--points", "q03=2.75", "--points", "7=1.5", "--lms-column", "Wöche 3", "--submission-times", str(times)
    )
    assert (code, output) == (
        0,
        "[('extras', AssignmentExtras(points={'q03': 2.75, 'q07': 1.5}, lms_column='Wöche 3',"
        " times={'zoë': '2026-12-01T10:07:13+00:00'}))]\n",
    )
    code, output = _invoke_extras("--points", "q03=0")
    assert code == 2
    assert output.splitlines()[-1] == (
        "Error: Invalid value for '--points': 'q03=0' is not Q=POINTS with a positive number (e.g. q03=5)"
    )
    code, output = _invoke_extras("--submission-times", str(tmp_path / "gone.csv"))
    assert (code, output.splitlines()[-1]) == (
        2,
        f"Error: Invalid value for '--submission-times': File '{tmp_path / 'gone.csv'}' does not exist.",
    )
    assert _invoke_extras("--submission-times", str(tmp_path))[0] == 2, "a folder is no table"
    times.write_text("id,time\nzoë,tuesday\n", encoding="utf-8")
    code, output = _invoke_extras("--submission-times", str(times))
    assert code == 2
    expected = (
        f"Error: Invalid value for '--submission-times': {times}, line 2: 'tuesday' is not a date like 2026-12-01"
        " or 2026-12-01T23:59"
    )
    assert " ".join(output.split()).endswith(" ".join(expected.split()))


# ------------------------------------------------------------------------------------------ submission times


def _times(tmp_path: Path, text: str) -> dict[str, str]:
    table = tmp_path / "times.csv"
    table.write_text(text, encoding="utf-8")
    return read_submission_times(table)


def test_submission_times_are_read_whole(tmp_path: Path, kolkata: None) -> None:
    text = "\n".join(
        [
            " Name , ID , Submitted_At ,note",
            "Zoë, zoë , 2026-12-01T10:07:13+01:00 ,x",
            "Ann,ann,2026-12-02,",  # a date alone: the day's start, in local time (a due date's end is another rule)
            "Bob,bob,2026-12-02T09:31,",  # no zone: local time
            "Nobody,,2026-12-02,",
            "Cleo,cleo,,",
            "Dan,da\x1bn,2026-11-30T23:59:58Z,",
            "Bob again,bob,2026-12-03T08:00+00:00,",  # a later line wins
        ]
    )
    assert _times(tmp_path, text) == {
        "zoë": "2026-12-01T10:07:13+01:00",
        "ann": "2026-12-02T00:00:00+05:30",
        "bob": "2026-12-03T08:00:00+00:00",
        "da\\x1bn": "2026-11-30T23:59:58+00:00",
    }


@pytest.mark.parametrize("column", ["id", "student", "login", "username"])
def test_each_id_column_name_is_accepted_in_a_table_of_times(tmp_path: Path, column: str) -> None:
    assert _times(tmp_path, f"{column.upper()},time\nann,2026-12-01T10:00+00:00\n") == {
        "ann": "2026-12-01T10:00:00+00:00"
    }
    assert _times(tmp_path, "username,login,student,id,time\nu,l,s,i,2026-12-01T10:00+00:00\n") == {
        "i": "2026-12-01T10:00:00+00:00"
    }


@pytest.mark.parametrize("column", ["submitted_at", "submitted", "time", "timestamp", "date", "submission time"])
def test_each_time_column_name_is_accepted_the_first_one_listed_winning(tmp_path: Path, column: str) -> None:
    assert _times(tmp_path, f"id,{column.title()}\nann,2026-12-01T10:00+00:00\n") == {
        "ann": "2026-12-01T10:00:00+00:00"
    }
    header = "id,submission time,date,timestamp,time,submitted,submitted_at"
    row = "ann," + ",".join(f"2026-12-0{day}T10:00+00:00" for day in range(1, 7))
    assert _times(tmp_path, f"{header}\n{row}\n") == {"ann": "2026-12-06T10:00:00+00:00"}


def test_tables_of_times_that_are_refused_say_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "times.csv"

    def refusal(text: str | bytes) -> str:
        if isinstance(text, bytes):
            table.write_bytes(text)
        else:
            table.write_text(text, encoding="utf-8")
        with pytest.raises(RosterError) as refused:
            read_submission_times(table)
        return str(refused.value)

    needs = f"{table} needs an id column and a time column: its first line must name them, e.g. id,time"
    assert refusal("id,name\nann,Ann\n") == needs
    assert refusal("name,time\nAnn,2026-12-01\n") == needs
    assert refusal("") == needs
    assert refusal("id,time\nann,\n,2026-12-01\n") == f"{table} gives no submission time"
    assert refusal("id,time\nann,2026-12-01\nbob,2026-12-01\ncleo,1.12.2026\n") == (
        f"{table}, line 4: '1.12.2026' is not a date like 2026-12-01 or 2026-12-01T23:59"
    )
    assert refusal(b"id,time\n\xff,2026-12-01\n").startswith(f"{table} cannot be read as a UTF-8 CSV (")
    small = "id,time\nann,2026-12-01\n"
    monkeypatch.setattr(roster_module, "_MAX_ROSTER_BYTES", len(small))
    assert _times(tmp_path, small) == {"ann": read_submission_times(table)["ann"]}, "at the limit"
    monkeypatch.setattr(roster_module, "_MAX_ROSTER_BYTES", len(small) - 1)
    assert refusal(small) == f"{table} is too large for a table of submission times"


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("q03", "with a positive number (e.g. q03=5)"),
        ("q03=0", "with a positive number (e.g. q03=5)"),
        ("q03=-0.25", "with a positive number (e.g. q03=5)"),
        ("q03=inf", "with a positive number (e.g. q03=5)"),
        ("q03=nan", "with a positive number (e.g. q03=5)"),
        ("q03=5=6", "(e.g. q03=5): could not convert string to float: '5=6'"),
        ("q99=5", "(e.g. q03=5): no question matches 'q99' (try a number like 3, an id like q03, or a slug)"),
    ],
)
def test_points_that_are_refused_say_why(entry: str, why: str) -> None:
    with pytest.raises(click.BadParameter) as refused:
        check_points(None, None, (entry,))
    assert refused.value.message == f"{entry!r} is not Q=POINTS {why}"


def test_points_below_one_and_a_later_value_for_the_same_question() -> None:
    assert check_points(None, None, ("q03=0.5", "3=1e-3", "q07=12.5")) == {"q03": 0.001, "q07": 12.5}
    assert check_points(None, None, ()) == {}


def test_a_column_with_a_blank_header_is_nobody_s_name_or_email(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,,Email\nann,Ann?,ann@x.org\nbob,Bob?,\n", encoding="utf-8")
    assert read_roster(roster) == [RosterEntry("ann", "", "ann@x.org"), RosterEntry("bob", "", "")]
    roster.write_text("id,\nann,Ann?\n", encoding="utf-8")
    assert read_roster(roster) == [RosterEntry("ann")]


def test_a_time_with_a_control_character_is_refused_and_shown_escaped(tmp_path: Path) -> None:
    table = tmp_path / "times.csv"
    table.write_text("id,time\nann,2026-12-01\x1b[2J\n", encoding="utf-8")
    with pytest.raises(RosterError) as refused:
        read_submission_times(table)
    assert str(refused.value) == (
        f"{table}, line 2: '2026-12-01\\\\x1b[2J' is not a date like 2026-12-01 or 2026-12-01T23:59"
    )
