"""The wire between the judge and a host (``grader.protocol``): frames, their limits and deadline, base64, JSON safety.

Everything here runs over a socketpair in this process: the host's side of each test is raw bytes, written the
way a hostile host could write them, and the judge's side is the real ``receive``. The limits are the documented
ones (README, the module's docstring), written here as literals so that a changed limit fails a test.
"""

from __future__ import annotations

import binascii
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator

import pytest

from grader import protocol
from grader.protocol import (
    MAX_FRAME_BYTES,
    MAX_FRAME_ITEMS,
    PROTOCOL_VERSION,
    ChannelClosed,
    b64decode,
    b64encode,
    json_safe,
    receive,
    send,
)

FRAME_LIMIT = 64 * 1024**2
FRAME_VALUES = 250_000


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """(judge, host): the two ends of a channel."""
    judge, host = socket.socketpair()
    with judge, host:
        yield judge, host


def frame(body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + body


def soon(seconds: float = 10.0) -> float:
    """A deadline far enough away that only a wrong frame, never a slow machine, misses it."""
    return time.monotonic() + seconds


def in_background(target, *args) -> threading.Thread:  # type: ignore[no-untyped-def]
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


# -- the documented constants ----------------------------------------------------------------------------------
def test_the_limits_are_the_documented_ones() -> None:
    assert MAX_FRAME_BYTES == FRAME_LIMIT
    assert MAX_FRAME_ITEMS == FRAME_VALUES
    assert PROTOCOL_VERSION == 1


# -- send -------------------------------------------------------------------------------------------------------
def test_a_frame_is_a_big_endian_length_and_compact_utf8_json(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, host = pair
    send(host, {"op": "fact", "name": "café", "args": [1, 2]})
    body = json.dumps({"op": "fact", "name": "café", "args": [1, 2]}, separators=(",", ":")).encode()
    judge.settimeout(5)
    assert judge.recv(4 + len(body) + 10) == struct.pack(">I", len(body)) + body
    assert body.startswith(b'{"op":"fact","name":"caf\\u00e9","args":[1,2]')


def test_a_message_round_trips(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, host = pair
    message = {"ok": True, "result": {"status": 200, "headers": [["a", "b"]], "body": "", "none": None, "x": 1.5}}
    send(host, message)
    assert receive(judge, soon()) == message


def test_nan_and_infinity_are_never_sent(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, host = pair
    for value in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError):
            send(host, {"ok": True, "result": value})
    judge.setblocking(False)
    with pytest.raises(BlockingIOError):
        judge.recv(1)  # nothing at all went out


def test_a_message_over_the_limit_is_refused_before_anything_is_sent(
    pair: tuple[socket.socket, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the limit a message goes out, one byte past it nothing does (a 20-byte limit here: 64 MiB of JSON takes
    seconds to encode; the limit's value is checked above)."""
    judge, host = pair
    monkeypatch.setattr(protocol, "MAX_FRAME_BYTES", 20)
    send(host, {"p": "x" * 12})  # 20 bytes
    assert receive(judge, soon()) == {"p": "x" * 12}
    with pytest.raises(ValueError, match=r"^message of 21 bytes exceeds the 20-byte limit$"):
        send(host, {"p": "x" * 13})
    judge.setblocking(False)
    with pytest.raises(BlockingIOError):
        judge.recv(1)


# -- receive: what a frame may be -------------------------------------------------------------------------------
def test_frames_sent_back_to_back_are_read_one_at_a_time(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, host = pair
    host.sendall(frame(b'{"n":1}') + frame(b'{"n":2}') + frame(b'{"n":3}'))
    assert [receive(judge, soon())["n"] for _ in range(3)] == [1, 2, 3]


def test_a_frame_larger_than_a_megabyte_is_read_whole(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, host = pair
    body = json.dumps({"body": "y" * (3 * 1024**2 + 17)}).encode()
    writer = in_background(host.sendall, frame(body) + frame(b'{"next":true}'))
    assert len(receive(judge, soon(30))["body"]) == 3 * 1024**2 + 17
    assert receive(judge, soon(30)) == {"next": True}
    writer.join()


def test_a_length_over_the_limit_is_refused_without_reading_the_body(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    judge, host = pair
    host.sendall(struct.pack(">I", FRAME_LIMIT + 1))  # and no body: reading it would wait for the deadline
    started = time.monotonic()
    with pytest.raises(ChannelClosed, match=f"frame of {FRAME_LIMIT + 1} bytes exceeds the {FRAME_LIMIT}-byte limit"):
        receive(judge, soon(30))
    assert time.monotonic() - started < 10


def test_a_frame_at_the_byte_limit_is_taken_and_one_past_it_refused(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, host = pair
    host.sendall(frame(b'{"a":"12345"}'))  # 13 bytes
    assert receive(judge, soon(), max_bytes=13) == {"a": "12345"}
    host.sendall(frame(b'{"a":"123456"}'))
    with pytest.raises(ChannelClosed, match="frame of 14 bytes exceeds the 13-byte limit"):
        receive(judge, soon(), max_bytes=13)


@pytest.mark.parametrize(
    ("body", "values"),
    [
        (b'{"a":[1,2,3]}', 4),  # one brace, one bracket, two commas
        (b'{"a":{"b":{"c":{}}}}', 4),  # braces alone
        (b'{"a":[[[[]]]]}', 5),  # brackets alone
        (b'{"a":1,"b":2,"c":3}', 3),  # commas alone (and the brace)
    ],
)
def test_values_are_counted_by_commas_brackets_and_braces(
    pair: tuple[socket.socket, socket.socket], body: bytes, values: int
) -> None:
    judge, host = pair
    host.sendall(frame(body))
    assert receive(judge, soon(), max_items=values) == json.loads(body)
    host.sendall(frame(body))
    with pytest.raises(ChannelClosed, match=f"frame of about {values} values exceeds the {values - 1}-value limit"):
        receive(judge, soon(), max_items=values - 1)


def test_the_default_value_limit_is_the_documented_one(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, host = pair
    for values, refused in ((FRAME_VALUES - 1, False), (FRAME_VALUES, True)):  # the brace and bracket count too
        body = b'{"r":[' + b",".join([b"0"] * values) + b"]}"
        writer = in_background(host.sendall, frame(body))
        if refused:
            with pytest.raises(ChannelClosed, match=f"exceeds the {FRAME_VALUES}-value limit"):
                receive(judge, soon(30))
        else:
            assert len(receive(judge, soon(30))["r"]) == values
        writer.join()


def test_the_default_byte_limit_is_the_documented_one(pair: tuple[socket.socket, socket.socket]) -> None:
    """A length of exactly the limit is taken (the body is then read: here the host hangs up instead)."""
    judge, host = pair
    host.sendall(struct.pack(">I", FRAME_LIMIT) + b'{"p":"')
    host.shutdown(socket.SHUT_WR)
    with pytest.raises(ChannelClosed, match=r"^the other side closed the channel$"):
        receive(judge, soon())


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b"{not json", "malformed frame: JSONDecodeError"),
        (b'{"a":"\xff"}', "malformed frame: UnicodeDecodeError"),
        (b"[" * 100_000 + b"]" * 100_000, "malformed frame: RecursionError"),
        (b"[1,2]", "a frame must hold a JSON object"),
        (b'"text"', "a frame must hold a JSON object"),
        (b"null", "a frame must hold a JSON object"),
    ],
)
def test_a_frame_that_is_no_json_object_closes_the_channel(
    pair: tuple[socket.socket, socket.socket], body: bytes, complaint: str
) -> None:
    judge, host = pair
    writer = in_background(host.sendall, frame(body))
    with pytest.raises(ChannelClosed) as refused:
        receive(judge, soon(), max_items=10**6)
    assert str(refused.value) == complaint
    writer.join()


def test_eof_before_or_inside_a_frame_closes_the_channel(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, host = pair
    host.sendall(b"\x00\x00")  # half a header
    host.shutdown(socket.SHUT_WR)
    with pytest.raises(ChannelClosed, match=r"^the other side closed the channel$"):
        receive(judge, soon())
    judge2, host2 = socket.socketpair()
    with judge2, host2:
        host2.sendall(struct.pack(">I", 10) + b'{"a":')  # half a body
        host2.shutdown(socket.SHUT_WR)
        with pytest.raises(ChannelClosed, match=r"^the other side closed the channel$"):
            receive(judge2, soon())


def test_an_empty_frame_is_malformed(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, host = pair
    host.sendall(frame(b""))
    with pytest.raises(ChannelClosed, match="malformed frame"):
        receive(judge, soon())


# -- receive: the deadline -------------------------------------------------------------------------------------
def test_a_frame_that_never_comes_times_out_at_its_deadline(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, _host = pair
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        receive(judge, time.monotonic() + 0.5)
    assert 0.4 <= time.monotonic() - started < 8


def test_a_deadline_already_passed_times_out_even_with_the_frame_waiting(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    judge, host = pair
    host.sendall(frame(b"{}"))
    time.sleep(0.05)
    with pytest.raises(TimeoutError, match=r"^the frame did not arrive in time$"):
        receive(judge, time.monotonic() - 0.001)


def test_a_deadline_reached_exactly_times_out_even_with_the_frame_waiting(
    pair: tuple[socket.socket, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No time left is no time: not a read with a zero timeout that happens to find the frame there."""
    judge, host = pair
    host.sendall(frame(b"{}"))
    time.sleep(0.05)
    monkeypatch.setattr(protocol.time, "monotonic", lambda: 1000.0)
    with pytest.raises(TimeoutError, match=r"^the frame did not arrive in time$"):
        receive(judge, 1000.0)


def test_the_deadline_is_for_the_whole_frame_not_each_read(pair: tuple[socket.socket, socket.socket]) -> None:
    """A host that trickles its reply a byte at a time cannot stretch the deadline: each read comes quickly."""
    judge, host = pair
    body = b'{"ok":true,"result":{"trickled":"' + b"." * 40 + b'"}}'
    stop = threading.Event()

    def trickle() -> None:
        for byte in frame(body):
            if stop.is_set():
                return
            try:
                host.sendall(bytes([byte]))
            except OSError:
                return
            time.sleep(0.05)

    writer = in_background(trickle)
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            receive(judge, time.monotonic() + 1.0)  # the whole frame takes about 4 s
        assert time.monotonic() - started < 3.5
    finally:
        stop.set()
        writer.join()


def test_no_deadline_waits_for_a_slow_frame(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, host = pair

    def late() -> None:
        time.sleep(0.3)
        host.sendall(frame(b'{"late":true}'))

    writer = in_background(late)
    judge.settimeout(None)
    assert receive(judge) == {"late": True}
    writer.join()


def test_a_frame_that_comes_in_time_in_pieces_is_taken(pair: tuple[socket.socket, socket.socket]) -> None:
    judge, host = pair
    data = frame(b'{"pieces":[1,2,3]}')

    def pieces() -> None:
        for start in range(0, len(data), 5):
            host.sendall(data[start : start + 5])
            time.sleep(0.02)

    writer = in_background(pieces)
    assert receive(judge, soon()) == {"pieces": [1, 2, 3]}
    writer.join()


# -- base64 -------------------------------------------------------------------------------------------------------
def test_bytes_travel_as_base64_text() -> None:
    data = bytes(range(256))
    text = b64encode(data)
    assert isinstance(text, str) and text.isascii()
    assert (
        text
        == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZH"
        + (
            "SElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeY"
            "mZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp"
            "6uvs7e7v8PHy8/T19vf4+fr7/P3+/w=="
        )
    )
    assert b64decode(text) == data
    assert b64encode(b"") == "" and b64decode("") == b""


@pytest.mark.parametrize("text", ["not base64!", "AAE=x", "QUJD\n"])
def test_text_that_is_not_strict_base64_is_refused(text: str) -> None:
    with pytest.raises(binascii.Error):
        b64decode(text)


def test_base64_text_must_be_ascii() -> None:
    with pytest.raises(UnicodeEncodeError):
        b64decode("QUJDé")


# -- json_safe ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "",
        "text",
        0,
        -3,
        2**80,
        1.5,
        -0.0,
        True,
        False,
        None,
        [],
        (),
        {},
        [1, "a", None],
        (1, (2, [3])),
        {"a": {"b": [1]}},
    ],
)
def test_json_values_are_safe(value: object) -> None:
    assert json_safe(value) is True


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        float("-inf"),
        [1, float("nan")],
        {"a": float("inf")},
        b"bytes",
        {1, 2},
        object(),
        {1: "a"},
        {"a": b"b"},
        [1, {2}],
        ({"a": object()},),
        json_safe,
        type,
    ],
)
def test_what_json_cannot_carry_is_not_safe(value: object) -> None:
    assert json_safe(value) is False


def test_nesting_is_safe_to_32_levels_and_no_deeper() -> None:
    def nested(levels: int, inner: object) -> object:
        value = inner
        for _ in range(levels):
            value = [value]
        return value

    assert json_safe(nested(32, 1)) is True  # the scalar at depth 32
    assert json_safe(nested(33, 1)) is False
    assert json_safe(nested(32, [])) is True  # the innermost (empty) list at depth 32
    assert json_safe(nested(33, [])) is False
    as_dicts: object = 1
    for _ in range(32):
        as_dicts = {"k": as_dicts}
    assert json_safe(as_dicts) is True
    assert json_safe({"k": as_dicts}) is False
    assert json_safe(nested(1000, 1)) is False  # no RecursionError
