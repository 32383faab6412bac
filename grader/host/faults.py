"""Describe an exception raised by the candidate's code as plain data: what the judge and the report show."""

from __future__ import annotations

import traceback
from typing import Any

__all__ = ["describe"]

_MESSAGE_LIMIT = 500
_FRAMES_LIMIT = 6


def _safe_text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:  # a candidate's __str__ may raise too
        text = "<the exception's message could not be read>"
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def describe(exc: BaseException, module_file: str | None, where: str) -> dict[str, Any]:
    """Type, message, and the candidate's innermost frame (file name, line, source line), for ``where``.

    ``where`` says in which phase it happened: ``import``, ``request``, ``lifespan``, ``websocket``, ``call``.
    Frames outside the candidate's file (FastAPI's, the kit's) are left out of the location: the reader needs to
    know which of *their* lines to look at.
    """
    fault: dict[str, Any] = {"type": type(exc).__name__, "message": _safe_text(exc), "where": where}
    if isinstance(exc, SyntaxError):
        fault.update(line=exc.lineno, column=exc.offset, source=(exc.text or "").rstrip("\n"), message=exc.msg)
        return fault
    if isinstance(exc, SystemExit):
        fault["message"] = f"exit({exc.code!r}) was called"
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    own = [frame for frame in frames if module_file and frame.filename == module_file]
    if own:
        last = own[-1]
        fault.update(line=last.lineno, function=last.name, source=(last.line or "").strip())
    fault["trace"] = [
        {"line": frame.lineno, "function": frame.name, "source": (frame.line or "").strip()} for frame in own
    ][-_FRAMES_LIMIT:]
    return fault
