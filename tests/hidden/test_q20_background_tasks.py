"""Hidden tests for q20: background tasks (run after the response, in order, one added by a dependency).

Every test points the module's LOG_PATH at a file of the host's scratch folder and reads that file here, in the
judge, after the host has answered (BackgroundTasks have finished when a client call returns). When and by
which name ``write_log`` runs is seen across the wall: it is replaced by a fake that forwards each line to a
service of this process, which holds the answer back while it collects the response of a request it started and
asks whether the app's call has returned.
"""

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost

ORDER = {"item": "widget", "quantity": 2, "email": "ann@example.com"}
ORDER_LINES = ["audit: POST /orders/", "order 1 created", "email to ann@example.com: order 1 confirmed"]
BOUND = 3.0  # seconds: the longest a response or a call may take to arrive
SETTLE = 1.0  # seconds a right answer is given to show its app does NOT return while a task is held
HOLD = 4 * BOUND  # seconds a held write_log() waits at most: longer than every wait of a test that holds it


class HostFile:
    """A file in the host's scratch folder (the only place the module may write), read and written by the judge."""

    def __init__(self, host: AppHost, name: str) -> None:
        assert host.scratch is not None, "the host has no scratch folder"
        self.host = host
        self.name = name
        self.path: Path = host.scratch / name

    def __repr__(self) -> str:
        return self.name

    def point_log_path(self) -> "HostFile":
        """Set the module's LOG_PATH to this file (a pathlib.Path; its folder is created)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.host.helper("q20.point_log_path", path=str(self.path))
        return self

    def exists(self) -> bool:
        return self.path.is_file()

    def read_text(self) -> str:
        """The file's text exactly as stored: read as bytes, so no line ending is translated ("\\r\\n" stays)."""
        assert self.exists(), f"{self.name} does not exist"
        return self.path.read_bytes().decode("utf-8", errors="replace")

    def lines(self) -> list[str]:
        """The file's lines; none when it does not exist."""
        return self.read_text().splitlines() if self.exists() else []

    def write_text(self, text: str) -> None:
        self.path.write_text(text, encoding="utf-8")

    def unlink(self) -> None:
        self.path.unlink()


class HeldWriteLog:
    """The module's ``write_log`` forwarded to the judge, every call held until ``release()`` (at most HOLD s)."""

    def __init__(self, host: AppHost) -> None:
        self.host = host
        self.released = threading.Event()
        self.timed_out: list[tuple[Any, ...]] = []
        host.serve("q20.write_log", self._answer)
        host.helper("common.forward", name="write_log", service="q20.write_log")

    def _answer(self, *args: Any) -> None:
        if not self.released.wait(HOLD):
            self.timed_out.append(args)

    def release(self) -> None:
        self.released.set()

    def lines(self) -> list[Any]:
        """The line of every call, in arrival order (what each call was given, as the judge received it)."""
        return [
            call.args[0] if len(call.args) == 1 else list(call.args)
            for call in self.host.service_calls("q20.write_log")
        ]


@pytest.fixture
def log_path(host: AppHost) -> HostFile:
    # A name other than the default log.txt, in a folder other than the cwd: a path bound at import time misses it.
    return HostFile(host, "logs/notifications.log").point_log_path()


@pytest.fixture
def api(host: AppHost, log_path: HostFile) -> Iterator[httpx.Client]:
    with host.client() as test_client:
        yield test_client


def _lines(path: HostFile) -> list[str]:
    return path.lines()


def _order(api: httpx.Client, **changes: Any) -> Any:
    return api.post("/orders/", json={**ORDER, **changes})


def _sent_before_the_tasks_ran(
    api: httpx.Client, host: AppHost, log_path: HostFile, path: str, **kwargs: Any
) -> tuple[httpx.Response, HeldWriteLog]:
    """Send ``POST path`` with write_log held: its response must come while the first line is held, the app must
    not return until the lines are released, and nothing but write_log may write the log. The response, and the
    held write_log (released)."""
    held = HeldWriteLog(host)
    before = _lines(log_path)
    started = api.start("POST", path, **kwargs)
    try:
        response = started.response(BOUND)
        assert response is not None and not held.timed_out, (
            f"POST {path} sent no response within {BOUND} s while write_log() was held: a line is written while "
            "the endpoint runs (it should be a background task, run after the response is sent)"
        )
        assert host.wait_for_calls("q20.write_log", 1, BOUND), (
            f"POST {path} answered {response.status_code} but never called the module's write_log() within {BOUND} s "
            "(the tests replaced it: refer to it by its module-level name when the request runs)"
        )
        assert not started.returned(SETTLE), (
            f"the app's handling of POST {path} returned while write_log() was still running: the line is written "
            "by a thread or task nobody waits for (BackgroundTasks run before the app returns)"
        )
    finally:
        held.release()
    assert started.returned(BOUND), f"the app's handling of POST {path} did not return within {BOUND} s"
    assert not held.timed_out, f"write_log() was held {HOLD} s: the test took too long"
    written = _lines(log_path)[len(before) :]
    assert written == [], (
        f"POST {path} wrote {written} to LOG_PATH although the tests had replaced write_log: every line should be "
        "written by write_log, called by its module-level name when the task runs"
    )
    return response, held


@pytest.mark.contract("q20.1", "q20.2", "q20.3")
def test_notification_answers_and_logs_one_line(api: httpx.Client, log_path: HostFile) -> None:
    response = api.post("/send-notification/")
    assert response.status_code == 200, f"POST /send-notification/ should answer 200, got {response.status_code}"
    assert response.json() == {"message": "Notification sent"}, f"wrong body: {response.text}"
    assert log_path.exists(), (
        "POST /send-notification/ should write to the file at LOG_PATH (read it when the task runs)"
    )
    text = log_path.read_text()
    assert text == "Notification sent\n", (
        f"the log should be exactly 'Notification sent' and a newline (\\n, not \\r\\n), got {text!r}"
    )


@pytest.mark.contract("q20.2", "q20.3")
def test_notification_is_logged_after_the_response_is_sent(
    api: httpx.Client, host: AppHost, log_path: HostFile
) -> None:
    response, held = _sent_before_the_tasks_ran(api, host, log_path, "/send-notification/")
    assert response.status_code == 200, f"POST /send-notification/ should answer 200, got {response.status_code}"
    assert held.lines() == ["Notification sent"], (
        f"POST /send-notification/ should call write_log('Notification sent') once, got the lines {held.lines()}"
    )


@pytest.mark.contract("q20.2", "q20.4")
def test_order_is_logged_after_the_response_is_sent(api: httpx.Client, host: AppHost, log_path: HostFile) -> None:
    response, held = _sent_before_the_tasks_ran(api, host, log_path, "/orders/", json=ORDER)
    assert response.status_code == 201, f"POST /orders/ should answer 201, got {response.status_code}: {response.text}"
    assert held.lines() == ORDER_LINES, (
        f"the background tasks should have called write_log with {ORDER_LINES}, in this order, by the time the app "
        f"returns; got {held.lines()}"
    )


@pytest.mark.contract("q20.2")
def test_log_appends_and_keeps_earlier_lines(api: httpx.Client, log_path: HostFile) -> None:
    log_path.write_text("earlier line\n")
    for _ in range(2):
        assert api.post("/send-notification/").status_code == 200, "POST /send-notification/ should answer 200"
    expected = ["earlier line", "Notification sent", "Notification sent"]
    assert _lines(log_path) == expected, f"write_log should append one line per call: expected {expected}"
    text = log_path.read_text()
    assert text == "earlier line\nNotification sent\nNotification sent\n", (
        f"each appended line should end with exactly one newline (\\n, not \\r\\n), got {text!r}"
    )


@pytest.mark.contract("q20.1")
def test_log_path_is_read_when_the_task_runs(api: httpx.Client, host: AppHost) -> None:
    first, second = HostFile(host, "first.log"), HostFile(host, "second.log")
    first.point_log_path()
    assert api.post("/send-notification/").status_code == 200, "POST /send-notification/ should answer 200"
    second.point_log_path()
    assert api.post("/send-notification/").status_code == 200, "POST /send-notification/ should answer 200"
    assert (_lines(first), _lines(second)) == (["Notification sent"], ["Notification sent"]), (
        "each request should log to the LOG_PATH in force when its task runs (one line in each of two files)"
    )


@pytest.mark.contract("q20.4")
def test_order_answers_201_and_logs_three_lines_in_order(api: httpx.Client, log_path: HostFile) -> None:
    response = _order(api)
    assert response.status_code == 201, f"POST /orders/ should answer 201, got {response.status_code}: {response.text}"
    assert response.json() == {"order_id": 1, "item": "widget", "quantity": 2}, f"wrong order body: {response.text}"
    assert _lines(log_path) == ORDER_LINES, f"the log should be {ORDER_LINES} in this order, got {_lines(log_path)}"


@pytest.mark.contract("q20.4")
def test_order_ids_count_up_and_lines_follow(api: httpx.Client, log_path: HostFile) -> None:
    assert _order(api).json().get("order_id") == 1, "the first order should get order_id 1"
    second = _order(api, item="gizmo", quantity=1, email="bo@example.com")
    assert second.status_code == 201, f"a second order should answer 201, got {second.status_code}"
    assert second.json() == {"order_id": 2, "item": "gizmo", "quantity": 1}, f"wrong second order: {second.text}"
    expected = [*ORDER_LINES, "audit: POST /orders/", "order 2 created", "email to bo@example.com: order 2 confirmed"]
    assert _lines(log_path) == expected, f"after two orders the log should be {expected}, got {_lines(log_path)}"


@pytest.mark.contract("q20.4")
def test_refused_orders_use_up_no_order_number(api: httpx.Client, log_path: HostFile) -> None:
    assert _order(api).json().get("order_id") == 1, "the first order should get order_id 1"
    assert _order(api, item="flux-capacitor").status_code == 404, "an unknown item should answer 404"
    assert _order(api, quantity=0).status_code == 422, "quantity 0 should answer 422"
    second = _order(api, item="gadget", quantity=3, email="cy@example.com")
    assert second.status_code == 201, f"a valid order should answer 201, got {second.status_code}: {second.text}"
    assert second.json() == {"order_id": 2, "item": "gadget", "quantity": 3}, (
        "only accepted orders get a number: after order 1, a 404 and a 422, the next accepted order is "
        f"order 2; got {second.text}"
    )
    expected = [*ORDER_LINES, "audit: POST /orders/", "order 2 created", "email to cy@example.com: order 2 confirmed"]
    assert _lines(log_path) == expected, f"the log should be {expected}, got {_lines(log_path)}"


@pytest.mark.contract("q20.2")
def test_tasks_call_write_log_by_its_module_name(api: httpx.Client, host: AppHost, log_path: HostFile) -> None:
    assert api.post("/send-notification/").status_code == 200, "POST /send-notification/ should answer 200"
    host.serve("q20.write_log", lambda *args: None)
    host.helper("common.forward", name="write_log", service="q20.write_log")  # module.write_log now forwards here
    assert api.post("/send-notification/").status_code == 200, "POST /send-notification/ should answer 200"
    assert _order(api).status_code == 201, "POST /orders/ should answer 201"
    lines = [call.args[0] if len(call.args) == 1 else list(call.args) for call in host.service_calls("q20.write_log")]
    expected = ["Notification sent", *ORDER_LINES]
    assert lines == expected, (
        "every log line should be written by the module's write_log as it is when the request runs (the tests "
        f"replaced it): expected its calls with {expected}, got {lines}"
    )
    assert _lines(log_path) == ["Notification sent"], (
        f"only the line logged before write_log was replaced should be in the file, got {_lines(log_path)}"
    )


@pytest.mark.contract("q20.4")
def test_email_line_keeps_the_email_exactly_as_given(api: httpx.Client, host: AppHost, log_path: HostFile) -> None:
    # Any str is an email here: mixed case and non-ASCII ones must reach the line unchanged (no lower(),
    # upper() or casefold()). The lines are read from the forwarded write_log, so the file's encoding plays no part.
    emails = [
        "Ann.Lee@Example.COM",
        "Zo\u00cb.\u00c5ngstr\u00f6m@Ex\u00e4mple.SE",
        "Stra\u00dfe@EXAMPLE.org",
        "\u0130pek@Example.com",
    ]
    host.serve("q20.write_log", lambda *args: None)
    host.helper("common.forward", name="write_log", service="q20.write_log")
    for email in emails:
        response = _order(api, email=email)
        assert response.status_code == 201, (
            f"an order for {email!r} should answer 201, got {response.status_code}: {response.text}"
        )
    lines = [call.args[0] if len(call.args) == 1 else list(call.args) for call in host.service_calls("q20.write_log")]
    expected = [
        line
        for n, email in enumerate(emails, start=1)
        for line in ("audit: POST /orders/", f"order {n} created", f"email to {email}: order {n} confirmed")
    ]
    assert lines == expected, (
        f"the e-mail line should hold the email exactly as the order gave it (case and accents kept): expected "
        f"{expected}, got {lines}"
    )


@pytest.mark.contract("q20.4")
def test_audit_line_comes_from_the_audit_request_dependency(
    api: httpx.Client, host: AppHost, log_path: HostFile
) -> None:
    assert _order(api).status_code == 201, "POST /orders/ should answer 201"
    assert _lines(log_path) == ORDER_LINES, f"the log should be {ORDER_LINES}, got {_lines(log_path)}"
    log_path.unlink()
    host.helper("common.override", dependency="audit_request", value=None)
    try:
        assert _order(api).status_code == 201, "POST /orders/ should answer 201 with audit_request overridden"
    finally:
        host.helper("common.clear_overrides")
    expected = ["order 2 created", "email to ann@example.com: order 2 confirmed"]
    assert _lines(log_path) == expected, (
        f"with audit_request overridden only {expected} should be logged (the audit task belongs to the dependency), "
        f"got {_lines(log_path)}"
    )


@pytest.mark.contract("q20.4", "q20.5")
def test_unknown_item_logs_nothing(api: httpx.Client, log_path: HostFile) -> None:
    assert _order(api).status_code == 201, "a valid order should answer 201 before a failing one is checked"
    before = _lines(log_path)
    response = _order(api, item="flux-capacitor")
    assert response.status_code == 404, f"an unknown item should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "Item not found"}, f"wrong 404 body: {response.text}"
    added = _lines(log_path)[len(before) :]
    assert added == [], f"an order answered 404 must log nothing, but it logged {added}"


@pytest.mark.contract("q20.4", "q20.5")
def test_invalid_order_logs_nothing(api: httpx.Client, log_path: HostFile) -> None:
    assert _order(api).status_code == 201, "a valid order should answer 201 before a failing one is checked"
    before = _lines(log_path)
    response = _order(api, quantity=0)
    assert response.status_code == 422, f"quantity 0 should answer 422, got {response.status_code}"
    added = _lines(log_path)[len(before) :]
    assert added == [], f"an order answered 422 must log nothing, but it logged {added}"
