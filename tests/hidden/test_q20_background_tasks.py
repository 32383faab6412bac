"""Hidden tests for q20: background tasks (run after the response, in order, one added by a dependency).

Every test points the module's LOG_PATH at a file in the host's scratch folder, read and written through the
q20 helpers. BackgroundTasks have finished when a client call returns, so the log can be read right after it.
"""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from grader.bridge import AppHost

ORDER = {"item": "widget", "quantity": 2, "email": "ann@example.com"}
SLOW_SECONDS = 0.2
ORDER_LINES = ["audit: POST /orders/", "order 1 created", "email to ann@example.com: order 1 confirmed"]


class HostFile:
    """A file in the host's scratch folder (the only place the module may write), seen through q20 helpers."""

    def __init__(self, host: AppHost, name: str) -> None:
        self.host = host
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def point_log_path(self) -> "HostFile":
        """Set the module's LOG_PATH to this file (a pathlib.Path; its folder is created)."""
        self.host.helper("q20.point_log_path", name=self.name)
        return self

    def _read(self) -> dict[str, Any]:
        return self.host.helper("q20.read_file", name=self.name)

    def exists(self) -> bool:
        return self._read()["exists"]

    def read_text(self) -> str:
        observed = self._read()
        assert observed["exists"], f"{self.name} does not exist"
        return observed["text"]

    def lines(self) -> list[str]:
        """The file's lines; none when it does not exist."""
        observed = self._read()
        return observed["text"].splitlines() if observed["exists"] else []

    def write_text(self, text: str) -> None:
        self.host.helper("q20.write_file", name=self.name, text=text)

    def unlink(self) -> None:
        self.host.helper("q20.remove_file", name=self.name)


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


def _spy_app(host: AppHost, log_path: HostFile) -> None:
    """In the host: an ASGI wrapper (app "spied") that reads the log when the response's last body part is sent
    and when the app returns; ``q20.spy_seen`` tells what it read."""
    host.helper("q20.spy_app", log=log_path.name, name="spied")


def _slow_write_log(host: AppHost) -> None:
    """Wrap write_log so each line takes SLOW_SECONDS: a thread or task nobody waits for is still busy then."""
    host.helper("q20.slow_write_log", seconds=SLOW_SECONDS)


@pytest.mark.contract("q20.1", "q20.2", "q20.3")
def test_notification_answers_and_logs_one_line(api: httpx.Client, log_path: HostFile) -> None:
    response = api.post("/send-notification/")
    assert response.status_code == 200, f"POST /send-notification/ should answer 200, got {response.status_code}"
    assert response.json() == {"message": "Notification sent"}, f"wrong body: {response.text}"
    assert log_path.exists(), (
        "POST /send-notification/ should write to the file at LOG_PATH (read it when the task runs)"
    )
    text = log_path.read_text()
    assert text == "Notification sent\n", f"the log should be exactly 'Notification sent' and a newline, got {text!r}"


@pytest.mark.contract("q20.2", "q20.3")
def test_notification_is_logged_after_the_response_is_sent(host: AppHost, log_path: HostFile) -> None:
    _slow_write_log(host)
    _spy_app(host, log_path)
    with host.client(app="spied") as spied:
        response = spied.post("/send-notification/")
    seen = host.helper("q20.spy_seen")
    assert response.status_code == 200, f"POST /send-notification/ should answer 200, got {response.status_code}"
    assert seen.get("when the response was sent") == [], f"nothing should be logged before the response is sent: {seen}"
    assert seen.get("when the app returned") == ["Notification sent"], (
        f"the background task should have run by the time the app returns (BackgroundTasks, not a thread): {seen}"
    )


@pytest.mark.contract("q20.2", "q20.4")
def test_order_is_logged_after_the_response_is_sent(host: AppHost, log_path: HostFile) -> None:
    _slow_write_log(host)
    _spy_app(host, log_path)
    with host.client(app="spied") as spied:
        response = spied.post("/orders/", json=ORDER)
    seen = host.helper("q20.spy_seen")
    assert response.status_code == 201, f"POST /orders/ should answer 201, got {response.status_code}: {response.text}"
    assert seen.get("when the response was sent") == [], f"nothing should be logged before the response is sent: {seen}"
    assert seen.get("when the app returned") == ORDER_LINES, (
        f"the background tasks should have logged {ORDER_LINES} by the time the app returns: {seen}"
    )


@pytest.mark.contract("q20.2")
def test_log_appends_and_keeps_earlier_lines(api: httpx.Client, log_path: HostFile) -> None:
    log_path.write_text("earlier line\n")
    for _ in range(2):
        assert api.post("/send-notification/").status_code == 200, "POST /send-notification/ should answer 200"
    expected = ["earlier line", "Notification sent", "Notification sent"]
    assert _lines(log_path) == expected, f"write_log should append one line per call: expected {expected}"


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
    host.helper("common.spy", name="write_log")  # replaces module.write_log by a recording wrapper
    assert api.post("/send-notification/").status_code == 200, "POST /send-notification/ should answer 200"
    assert _order(api).status_code == 201, "POST /orders/ should answer 201"
    calls = host.helper("common.spy_calls", name="write_log")
    assert calls == 4, (
        "every log line should be written by the module's write_log as it is when the request runs (the tests "
        f"replaced it by a wrapper): expected 4 calls of the wrapper (1 notification + 3 order lines), got {calls}"
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
