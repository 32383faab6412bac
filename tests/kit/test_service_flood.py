"""The judge's service hub under a flood: a bounded number of answers in flight, the rest refused at once."""

from __future__ import annotations

import socket
import threading
import time

from grader.judge.bridge.services import _MAX_IN_FLIGHT, ServiceHub
from grader.protocol import receive, send


def test_calls_past_the_in_flight_ceiling_are_refused_and_the_rest_answered_once_released() -> None:
    judge_end, host_end = socket.socketpair()
    hub = ServiceHub(judge_end)
    gate = threading.Event()
    hub.serve("held", lambda: "released" if gate.wait(10) else "never")
    try:
        extra = 5
        for number in range(1, _MAX_IN_FLIGHT + extra + 1):
            send(host_end, {"id": number, "name": "held", "args": []})
        deadline = time.monotonic() + 10
        refused = [receive(host_end, deadline) for _ in range(extra)]
        assert {r["id"] for r in refused} == set(range(_MAX_IN_FLIGHT + 1, _MAX_IN_FLIGHT + extra + 1))
        assert all(r == {"id": r["id"], "error": "too many calls in flight"} for r in refused)
        gate.set()
        answered = [receive(host_end, deadline) for _ in range(_MAX_IN_FLIGHT)]
        assert sorted(r["id"] for r in answered) == list(range(1, _MAX_IN_FLIGHT + 1))
        assert {r["result"] for r in answered} == {"released"}
        send(host_end, {"id": 999, "name": "held", "args": []})  # the slots are free again
        assert receive(host_end, deadline) == {"id": 999, "result": "released"}
        assert len(hub.calls("held")) == _MAX_IN_FLIGHT + extra + 1, "refused calls are recorded too"
    finally:
        gate.set()
        hub.close()
        host_end.close()
