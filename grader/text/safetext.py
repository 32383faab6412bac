"""Text a candidate controls, made safe for every place the grader stores or shows it.

A student id (a folder or archive name), an archive member's name, a failure message quoting the app's
response, an exception's message, a manifest's fields: any of them can hold characters that do harm somewhere.

- C0 and C1 controls move the cursor, rewrite lines or reach the clipboard (OSC 52) on a terminal.
- Lone surrogates (``"\\ud800"``, or the ``"\\udcff"`` that stands for an undecodable byte in a file name read
  with ``surrogateescape``) cannot be encoded as UTF-8: SQLite, a report file or a pipe raises.
- Noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) and surrogates are not allowed in XML 1.0: the JUnit file
  would not parse.
- Bidirectional controls (U+202E makes ``alice`` + RLO + ``gpj.exe`` read as another name) and other invisible
  formatting characters (Unicode category Cf: U+200B, U+2060, U+FEFF, ...) make a name or a message look like
  something it is not; line and paragraph separators (U+2028, U+2029) break a line where none is shown.

``printable`` shows every one of them as an escape (``\\x1b``, ``\\xff`` for an undecodable byte, ``\\u202e``,
``\\U000e0001``) and never raises; tabs and line breaks become spaces, everything else is kept as it is. It is
applied where such text enters the grader's results and again by every renderer, so each report receives clean
text whatever its origin; ``spreadsheet_cell`` is applied by the CSV writers on top, ``html_text`` by the HTML
report (``printable`` and then HTML escaping).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

__all__ = ["html_text", "printable", "spreadsheet_cell"]

# Everything outside printable ASCII is looked at, one distinct character at a time (cached): plain ASCII text,
# the common case, costs one regex scan.
_SUSPECT = re.compile("[^\x20-\x7e]")
_SUSPECT_IN_CODE = re.compile("[^\x20-\x7e\t\n\r]")
_SPACES = {"\t": " ", "\n": " ", "\r": " "}
# Unicode categories shown as escapes: surrogates, invisible formatting (bidi controls among them), line and
# paragraph separators. Controls (Cc) are handled first, by their code point.
_HIDDEN_CATEGORIES = frozenset({"Cs", "Cf", "Zl", "Zp"})
# OWASP's rule for CSV injection: a cell starting with one of these is read as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(code: int) -> str:
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _is_noncharacter(code: int) -> bool:
    """The 66 code points Unicode reserves as never being characters (XML 1.0 rejects U+FFFE and U+FFFF)."""
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


@functools.lru_cache(maxsize=4096)
def _shown(char: str) -> str:
    """How one character outside printable ASCII is shown: itself, a space, or an escape."""
    code = ord(char)
    if char in _SPACES:
        return _SPACES[char]
    if code < 0x20 or 0x7F <= code <= 0x9F:  # C0, DEL, C1
        return _escape(code)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte carried by surrogateescape: show the byte
        return f"\\x{code - 0xDC00:02x}"
    if unicodedata.category(char) in _HIDDEN_CATEGORIES or _is_noncharacter(code):
        return _escape(code)
    return char


def printable(text: str | bytes, *, keep_lines: bool = False) -> str:
    """``text`` with every character that could harm a reader or a report shown as an escape; never raises.

    Controls, lone surrogates, noncharacters, bidi controls and other invisible formatting characters become
    escapes (see the module's docstring); tabs and line breaks become spaces, unless ``keep_lines`` (source
    code, shown as lines). Bytes are decoded as UTF-8, an undecodable byte shown as ``\\xNN``. The result is
    valid UTF-8, valid in XML 1.0 and unchanged by a second pass.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="surrogateescape")
    pattern = _SUSPECT_IN_CODE if keep_lines else _SUSPECT
    return pattern.sub(lambda match: _shown(match.group()), text)


def html_text(text: str, *, quote: bool = True) -> str:
    """``text`` made printable, then escaped for HTML (``<``, ``&`` and, with ``quote``, both quotes).

    Line breaks and tabs are kept: HTML shows them as spaces, or as lines inside ``<pre>``.
    """
    return html.escape(printable(text, keep_lines=True), quote=quote)


def spreadsheet_cell(text: str) -> str:
    """A CSV cell that spreadsheets show as text: a leading ``'`` before anything that would start a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text
