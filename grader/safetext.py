"""Text a candidate controls, made safe for every place the grader writes it.

A student id (a folder or archive name), an archive member's name, a failure message quoting the app's
response, an exception's message: any of them can hold control characters. On a terminal they move the cursor,
rewrite lines or reach the clipboard (OSC 52); in XML they make the JUnit file invalid; in a spreadsheet a cell
starting with ``=`` is a formula. ``printable`` is applied where such text enters the grader's results, so every
renderer receives clean text; ``spreadsheet_cell`` is applied by the CSV writer on top.
"""

from __future__ import annotations

import re

__all__ = ["printable", "spreadsheet_cell"]

# C0 controls, DEL and C1 controls (U+0080..U+009F, which some terminals obey as 8-bit escape sequences).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SPACES = {"\t": " ", "\n": " ", "\r": " "}
# OWASP's rule for CSV injection: a cell starting with one of these is read as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return _SPACES.get(char) or f"\\x{ord(char):02x}"


def printable(text: str) -> str:
    """``text`` with every control character shown as ``\\xNN`` (tabs and line breaks become spaces)."""
    return _CONTROL.sub(_visible, text)


def spreadsheet_cell(text: str) -> str:
    """A CSV cell that spreadsheets show as text: a leading ``'`` before anything that would start a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text
