"""Turn an exception raised by a check into a failure that points: a file, a line, the code on it, and why.

A candidate learns fastest from the place where things went wrong, so each kind of error gets the place that
helps most:

- a syntax error: the line of the candidate's file, with a caret under the offending column;
- an exception at import or inside a handler: the deepest frame of the traceback in the candidate's file;
- a failed ``assert`` in a check: the check's line and the explanation pytest's assertion rewriting wrote
  for it (``Right contains 1 more item: {'images': []}``), the same one ``pytest checks/...`` prints.

Everything here is pure: exceptions and paths in, plain data out (the data crosses a pipe as JSON).
"""

from __future__ import annotations

import linecache
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["Failure", "describe_exception", "display_path"]

DETAIL_LINES = 12  # an explanation longer than this is cut: the first lines say what differs
SUMMARY_CHARS = 240
_NOISE = ("Omitting ", "Use -v to get more diff", "...Full output truncated", "Full diff:")


@dataclass(frozen=True)
class Failure:
    """Why a check (or the module's import) failed, and where. ``kind`` is one of ``assertion``, ``exception``,
    ``syntax``, ``import`` (an exception while the module was imported), ``timeout`` or ``crash``."""

    kind: str
    summary: str
    path: str = ""  # absolute: the check runs in a scratch folder, the screen shows it relative to the user's
    line: int = 0
    function: str = ""
    source: str = ""  # the code on that line, stripped of its indentation
    caret: str = ""  # for syntax errors: spaces and carets under ``source``
    details: tuple[str, ...] = field(default_factory=tuple)

    def where(self) -> str:
        """``exercises/q06_request_body.py:14 in create_item``: the form editors and terminals link to."""
        if not self.path:
            return ""
        function = f" in {self.function}" if self.function and self.function != "<module>" else ""
        return f"{display_path(self.path)}:{self.line}{function}" if self.line else display_path(self.path)

    def to_json(self) -> dict[str, object]:
        return {**self.__dict__, "details": list(self.details)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Failure:
        line = data.get("line", 0)
        return cls(
            kind=str(data.get("kind", "")),
            summary=str(data.get("summary", "")),
            path=str(data.get("path", "")),
            line=line if isinstance(line, int) else 0,
            function=str(data.get("function", "")),
            source=str(data.get("source", "")),
            caret=str(data.get("caret", "")),
            details=tuple(str(text) for text in data.get("details") or ()),
        )


def display_path(path: str | Path) -> str:
    """A path as the candidate would type it: relative to the current folder when it is inside it."""
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd()) else str(path)
    except (OSError, ValueError):
        return str(path)


def _clip(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = " ".join(text.split()) if "\n" not in text else text.strip().splitlines()[0].strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _same_file(a: str, b: Path) -> bool:
    try:
        return Path(a).resolve() == b.resolve()
    except (OSError, ValueError):
        return False


def _frames(tb: TracebackType | None) -> list[tuple[str, int, str]]:
    return [(frame.f_code.co_filename, lineno, frame.f_code.co_name) for frame, lineno in traceback.walk_tb(tb)]


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and those it was raised from or during, newest first, without looping."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _place(filename: str, lineno: int, function: str = "") -> dict[str, Any]:
    source = linecache.getline(filename, lineno).strip()
    return {"path": str(Path(filename).resolve()), "line": lineno, "function": function, "source": source}


def _syntax_error(exc: SyntaxError) -> Failure:
    text = (exc.text or linecache.getline(exc.filename or "", exc.lineno or 0)).rstrip("\n")
    stripped = text.lstrip()
    indent = len(text) - len(stripped)
    caret = ""
    if exc.offset:
        start = max(exc.offset - 1 - indent, 0)
        end = exc.end_offset if exc.end_offset and exc.end_offset > exc.offset and exc.end_lineno == exc.lineno else 0
        width = max((end - exc.offset) if end else 1, 1)
        caret = " " * min(start, len(stripped)) + "^" * width
    path = str(Path(exc.filename).resolve()) if exc.filename else ""
    summary = f"{type(exc).__name__}: {exc.msg}"
    return Failure("syntax", summary, path, exc.lineno or 0, "", stripped.rstrip(), caret.rstrip())


def assertion_details(message: str) -> tuple[str, tuple[str, ...]]:
    """Split the message of a rewritten ``assert`` into the check's own message and pytest's explanation.

    pytest writes ``<message>\\nassert <left> == <right>\\n  <explanation lines>``; the explanation lines are
    what tells the candidate what differs. Hints about pytest's own flags are dropped, and a heading that
    ends with a colon is joined with its single line (``Right contains 1 more item: {'images': []}``).
    """
    lines = message.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("assert ")), None)
    if start is None:
        return _clip(message) if message.strip() else "AssertionError", ()
    own = " ".join(line.strip() for line in lines[:start]).strip()
    explanation = [line.strip() for line in lines[start + 1 :]]
    kept = [line for line in explanation if line and not line.startswith(_NOISE) and not line.startswith("{...")]
    joined: list[str] = []
    index = 0
    while index < len(kept):
        line = kept[index]
        following = kept[index + 1] if index + 1 < len(kept) else ""
        single = following and not following.endswith(":") and (index + 2 >= len(kept) or kept[index + 2].endswith(":"))
        if line.endswith(":") and single and len(line) + len(following) < 200:
            joined.append(f"{line} {following}")
            index += 2
        else:
            joined.append(line.removeprefix("+  ").removeprefix("+ "))
            index += 1
    if not joined:  # a bare `assert x` explains nothing more than its own line
        joined = [lines[start]]
    summary = _clip(own) if own else _clip(lines[start])
    return summary, tuple(joined[:DETAIL_LINES])


def describe_exception(exc: BaseException, candidate_file: Path, check_file: Path, kind: str = "") -> Failure:
    """The failure to show for ``exc``, raised while checking ``candidate_file`` with ``check_file``.

    ``kind`` forces the failure's kind (``import`` when the module was being imported); by default it is
    told from the exception itself.
    """
    for link in _chain(exc):
        if isinstance(link, SyntaxError) and link.filename and _same_file(link.filename, candidate_file):
            return _syntax_error(link)
    if isinstance(exc, AssertionError):
        summary, details = assertion_details(str(exc))
        check_frames = [f for f in _frames(exc.__traceback__) if _same_file(f[0], check_file)]
        place = _place(*check_frames[-1][:2]) if check_frames else {}
        return Failure(kind or "assertion", summary, details=details, **place)
    summary = _clip(f"{type(exc).__name__}: {exc}") if str(exc) else type(exc).__name__
    if type(exc).__name__ == "Failed":  # pytest.fail(): its message is written for the reader already
        summary = _clip(str(exc)) or summary
    for link in _chain(exc):
        mine = [f for f in _frames(link.__traceback__) if _same_file(f[0], candidate_file)]
        if mine:
            if link is not exc:
                summary = _clip(f"{type(link).__name__}: {link}")
            return Failure(kind or "exception", summary, **_place(*mine[-1]))
    check_frames = [f for f in _frames(exc.__traceback__) if _same_file(f[0], check_file)]
    return Failure(kind or "exception", summary, **(_place(*check_frames[-1]) if check_frames else {}))
