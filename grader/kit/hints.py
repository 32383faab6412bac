"""Hints as a candidate's pack ships them: sealed, so that reading one takes `fastlings hint` (which records it).

In the kit, ``grader/kit/catalogue.toml`` holds each hint as plain text. A candidate's pack holds the same catalogue
with every hint sealed: ``sealed:v1:`` and the hint's UTF-8 bytes XORed with a key stream drawn from the
question's id and the hint's place, in URL-safe base64. Nothing in the pack reads as a hint (``grep``, an
editor, a glance at the catalogue), and two equal hints do not look alike. This is not encryption: the pack
holds the code that opens them, and a candidate set on reading hints unrecorded can run it. It makes the
honest path the easy one, and the reports say that hints and change times are the candidate's own record.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["PREFIX", "is_sealed", "reveal", "seal"]

PREFIX = "sealed:v1:"


def _key_stream(question_id: str, index: int, length: int) -> bytes:
    stream = b""
    block = 0
    while len(stream) < length:
        stream += hashlib.sha256(f"fastlings hint {question_id} {index} {block}".encode()).digest()
        block += 1
    return stream[:length]


def _xor(data: bytes, question_id: str, index: int) -> bytes:
    return bytes(a ^ b for a, b in zip(data, _key_stream(question_id, index, len(data)), strict=True))


def seal(question_id: str, index: int, text: str) -> str:
    """Hint number ``index`` (from 0) of ``question_id``, as the pack stores it."""
    return PREFIX + base64.urlsafe_b64encode(_xor(text.encode("utf-8"), question_id, index)).decode("ascii")


def is_sealed(text: str) -> bool:
    return text.startswith(PREFIX)


def reveal(question_id: str, index: int, text: str) -> str:
    """The hint's text: a sealed hint opened, a plain one (the kit's own catalogue) as it is."""
    if not is_sealed(text):
        return text
    data = base64.urlsafe_b64decode(text.removeprefix(PREFIX).encode("ascii"))
    return _xor(data, question_id, index).decode("utf-8")
