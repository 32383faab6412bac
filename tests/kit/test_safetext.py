"""The sanitiser's edges (``grader.text.safetext``): each escape's width, each range's first and last character, bytes,
line breaks, HTML and spreadsheet cells. ``tests/kit/test_hostile_class.py`` holds the properties over any text.

``_shown`` caches its answer per character; each test here starts with an empty cache, so that every answer is
worked out again (a process that already showed a character would otherwise never look at it twice).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grader.text import safetext
from grader.text.safetext import html_text, printable, spreadsheet_cell


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    safetext._shown.cache_clear()
    yield
    safetext._shown.cache_clear()


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\x00", "\\x00"),
        ("\x1f", "\\x1f"),
        ("\x7f", "\\x7f"),
        ("\x80", "\\x80"),
        ("\x9f", "\\x9f"),
        ("\xa0", "\xa0"),  # no-break space: a character, shown
        ("\xff", "\xff"),
        ("\u00ad", "\\xad"),  # soft hyphen: invisible formatting (Cf), two hex digits
        ("\u0600", "\\u0600"),  # the first Cf past U+00FF: four hex digits
        ("\ufdcf", "\ufdcf"),
        ("\ufdd0", "\\ufdd0"),  # the first noncharacter of the block
        ("\ufdef", "\\ufdef"),  # and its last
        ("\ufdf0", "\ufdf0"),
        ("\ufffd", "\ufffd"),  # the replacement character is a character
        ("\ufffe", "\\ufffe"),
        ("\uffff", "\\uffff"),  # the last code point written with four digits
        ("\U00010000", "\U00010000"),
        ("\U0001fffd", "\U0001fffd"),
        ("\U0001fffe", "\\U0001fffe"),
        ("\U0001ffff", "\\U0001ffff"),
        ("\U000e0001", "\\U000e0001"),
        ("\U0010fffe", "\\U0010fffe"),
        ("\U0010ffff", "\\U0010ffff"),
        ("\ud800", "\\ud800"),  # a lone surrogate
        ("\udc7f", "\\udc7f"),  # a surrogate just below the ones that stand for bytes
        ("\udc80", "\\x80"),  # an undecodable byte 0x80, as surrogateescape reads it
        ("\udcff", "\\xff"),
        ("\udd00", "\\udd00"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
        ("\u202e", "\\u202e"),
        ("\t", " "),
        ("\n", " "),
        ("\r", " "),
    ],
)
def test_each_character_at_an_edge_is_shown_as_it_should(char: str, shown: str) -> None:
    assert printable(f"<{char}>") == f"<{shown}>"


def test_bytes_are_read_as_utf8_with_each_undecodable_byte_shown() -> None:
    assert printable(b"caf\xc3\xa9 \xff\xfe\x80!") == "café \\xff\\xfe\\x80!"
    assert printable(b"") == "" and printable("") == ""


def test_line_breaks_are_kept_only_for_code() -> None:
    text = "a\tb\r\nc\x0b\x1b"
    assert printable(text) == "a b  c\\x0b\\x1b"
    assert printable(text, keep_lines=True) == "a\tb\r\nc\\x0b\\x1b"
    assert printable(b"x\ny", keep_lines=True) == "x\ny"


def test_html_is_escaped_after_the_sanitiser_with_lines_kept() -> None:
    text = "<a href=\"x\" title='y'>&\u202e\x1b</a>\n\tz"
    assert html_text(text) == "&lt;a href=&quot;x&quot; title=&#x27;y&#x27;&gt;&amp;\\u202e\\x1b&lt;/a&gt;\n\tz"
    assert html_text(text, quote=False) == "&lt;a href=\"x\" title='y'&gt;&amp;\\u202e\\x1b&lt;/a&gt;\n\tz"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_would_start_a_formula_is_shown_as_text(start: str) -> None:
    assert spreadsheet_cell(f"{start}SUM(A1:A9)") == f"'{start}SUM(A1:A9)"


@pytest.mark.parametrize("cell", ["", "alice", "1+1", " =x", "'=x", "\n=x", "q01"])
def test_other_cells_are_left_alone(cell: str) -> None:
    assert spreadsheet_cell(cell) == cell
