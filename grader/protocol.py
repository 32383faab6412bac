"""The messages the judge and the candidate's app host exchange: the only module both sides import.

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON. Nothing else crosses: no pickle, no
objects, so the judge learns about a submission only what plain data can say. Bytes travel as base64 text.

Requests are ``{"op": NAME, ...fields}``; every reply is either ``{"ok": true, "result": ...}`` or
``{"ok": false, "fault": FAULT}`` where FAULT describes an exception raised by the candidate's code (type,
message, the candidate's file and line, a short traceback of the candidate's frames), or ``{"ok": false,
"error": TEXT}`` for a request the host could not understand (a kit bug, never the candidate's).

Operations (fields after the name):

- ``load``: import a fresh copy of the module (closing earlier clients); a fault here is an import error;
- ``client_open`` ``app``, ``raise_server_exceptions``, ``base_url``, ``client``, ``lifespan``: a TestClient
  inside the host, lifespan entered when asked; result ``{"cid": n}``; ``client_close`` ``cid``;
- ``http`` ``cid``, ``method``, ``url``, ``headers`` (pairs), ``body`` (b64): result ``status``, ``headers``,
  ``body``; header names and values are their bytes as latin-1 text (one character per byte), so any byte,
  UTF-8 included, crosses intact;
- ``http_start`` (fields of ``http``): start a request on the client's event loop and answer at once
  ``{"rid": n}``; ``http_wait`` ``rid``, ``timeout_s``: its response (as ``http``) once the app has sent its last
  body part, or ``{"pending": true}``; ``http_returned`` ``rid``, ``timeout_s``: ``{"returned": bool}``, whether
  the app's call has returned (background tasks included);
- ``ws_connect`` ``cid``, ``url``, ``headers``, ``subprotocols``: result ``{"wid": n}`` or ``{"closed": {code,
  reason}}``; ``ws_send`` ``wid``, ``message`` (an ASGI ``websocket.receive`` message, bytes in b64);
  ``ws_receive`` ``wid``: an ASGI message the app sent; ``ws_close`` ``wid``, ``code``;
- ``fact`` ``name``: a module-level value if JSON-safe, else what kind of thing it is;
- ``call`` ``name``, ``args``, ``kwargs``: call a module-level function with JSON arguments, JSON result;
- ``endpoint`` ``path``, ``method``: whether a route exists and whether its function is ``async def``;
- ``helper`` ``name``, ``args``: run a kit-provided helper (``grader.host.helpers``) beside the module.

A second socket carries the other direction: the kit's fakes in the host call the judge's services
(``grader.host.services``, ``grader.judge.bridge.services``) with ``{"id", "name", "args"}`` and get ``{"id",
"result"}`` or ``{"id", "error"}``.
"""

from __future__ import annotations

import base64
import json
import math
import socket
import struct
import time
from typing import Any

__all__ = [
    "MAX_FRAME_BYTES",
    "MAX_FRAME_ITEMS",
    "PROTOCOL_VERSION",
    "ChannelClosed",
    "b64decode",
    "b64encode",
    "json_safe",
    "receive",
    "send",
]

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 64 * 1024**2  # a response body larger than this is the candidate's fault, not a reason to OOM
# A frame's JSON may hold at most this many values (counted by their separators before parsing): 64 MiB of
# ``[[],[],...]`` would become gigabytes of Python objects in the judge. Bodies travel as one base64 string.
MAX_FRAME_ITEMS = 250_000
_HEADER = struct.Struct(">I")


class ChannelClosed(ConnectionError):
    """The other side closed the channel, died, or sent something that is not a frame."""


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
    if len(data) > MAX_FRAME_BYTES:
        raise ValueError(f"message of {len(data)} bytes exceeds the {MAX_FRAME_BYTES}-byte limit")
    sock.sendall(_HEADER.pack(len(data)) + data)


def receive(
    sock: socket.socket,
    deadline: float | None = None,
    max_items: int = MAX_FRAME_ITEMS,
    max_bytes: int = MAX_FRAME_BYTES,
) -> dict[str, Any]:
    """One message. Raises ``ChannelClosed`` on EOF or a malformed or oversized frame, ``TimeoutError`` when the
    whole frame has not arrived by ``deadline`` (a ``time.monotonic()`` value; None waits as the socket does).

    The deadline is per frame, not per read: a peer that sends one byte every few seconds cannot stretch it.
    """
    (length,) = _HEADER.unpack(_read_exactly(sock, _HEADER.size, deadline))
    if length > max_bytes:
        raise ChannelClosed(f"frame of {length} bytes exceeds the {max_bytes}-byte limit")
    data = _read_exactly(sock, length, deadline)
    items = data.count(b",") + data.count(b"[") + data.count(b"{")
    if items > max_items:
        raise ChannelClosed(f"frame of about {items} values exceeds the {max_items}-value limit")
    try:
        message = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ChannelClosed(f"malformed frame: {type(exc).__name__}") from None
    if not isinstance(message, dict):
        raise ChannelClosed("a frame must hold a JSON object")
    return message


def _read_exactly(sock: socket.socket, size: int, deadline: float | None = None) -> bytes:
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the frame did not arrive in time")
            sock.settimeout(left)
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise ChannelClosed("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


_JSON_SCALARS = (str, int, float, bool, type(None))


def json_safe(value: Any, depth: int = 0) -> bool:
    """True for values made only of JSON types (tuples count as lists), no deeper than 32 levels: what ``send`` can
    carry (so no NaN and no infinity, which JSON has no spelling for)."""
    if depth > 32:
        return False
    if isinstance(value, _JSON_SCALARS):
        return not isinstance(value, float) or math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(json_safe(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_safe(v, depth + 1) for k, v in value.items())
    return False
