"""Hidden tests for q20: background tasks (run after the response, in order, one added by a dependency).

Every test points the module's LOG_PATH at a file in tmp_path. BackgroundTasks have finished when a
TestClient call returns, so the log can be read right after it.
"""

import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

ORDER = {"item": "widget", "quantity": 2, "email": "ann@example.com"}
SLOW_SECONDS = 0.2
ORDER_LINES = ["audit: POST /orders/", "order 1 created", "email to ann@example.com: order 1 confirmed"]


@pytest.fixture
def log_path(target_module: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # A name other than the default log.txt, in a folder other than the cwd: a path bound at import time misses it.
    path = tmp_path / "logs" / "notifications.log"
    path.parent.mkdir()
    monkeypatch.setattr(target_module, "LOG_PATH", path)
    return path


@pytest.fixture
def api(target_module: ModuleType, log_path: Path) -> Iterator[TestClient]:
    with TestClient(target_module.app) as test_client:
        yield test_client


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _order(api: TestClient, **changes: Any) -> Any:
    return api.post("/orders/", json={**ORDER, **changes})


def _spy_app(app: Any, log_path: Path, seen: dict[str, list[str]]) -> Any:
    """An ASGI wrapper that reads the log when the response's last body part is sent and when the app returns."""

    async def spy(scope: Any, receive: Any, send: Any) -> None:
        async def spy_send(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                seen["when the response was sent"] = _lines(log_path)
            await send(message)

        await app(scope, receive, spy_send)
        if scope["type"] == "http":
            seen["when the app returned"] = _lines(log_path)

    return spy


def _slow_write_log(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrap write_log so each line takes SLOW_SECONDS: a thread or task nobody waits for is still busy then."""
    original = module.write_log

    def slow_write_log(message: str) -> None:
        time.sleep(SLOW_SECONDS)
        original(message)

    monkeypatch.setattr(module, "write_log", slow_write_log)


def test_notification_answers_and_logs_one_line(api: TestClient, log_path: Path) -> None:
    response = api.post("/send-notification/")
    assert response.status_code == 200, f"POST /send-notification/ should answer 200, got {response.status_code}"
    assert response.json() == {"message": "Notification sent"}, f"wrong body: {response.text}"
    assert log_path.exists(), (
        "POST /send-notification/ should write to the file at LOG_PATH (read it when the task runs)"
    )
    text = log_path.read_text(encoding="utf-8")
    assert text == "Notification sent\n", f"the log should be exactly 'Notification sent' and a newline, got {text!r}"


def test_notification_is_logged_after_the_response_is_sent(
    target_module: ModuleType, log_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_write_log(target_module, monkeypatch)
    seen: dict[str, list[str]] = {}
    with TestClient(_spy_app(target_module.app, log_path, seen)) as spied:
        response = spied.post("/send-notification/")
    assert response.status_code == 200, f"POST /send-notification/ should answer 200, got {response.status_code}"
    assert seen.get("when the response was sent") == [], f"nothing should be logged before the response is sent: {seen}"
    assert seen.get("when the app returned") == ["Notification sent"], (
        f"the background task should have run by the time the app returns (BackgroundTasks, not a thread): {seen}"
    )


def test_order_is_logged_after_the_response_is_sent(
    target_module: ModuleType, log_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_write_log(target_module, monkeypatch)
    seen: dict[str, list[str]] = {}
    with TestClient(_spy_app(target_module.app, log_path, seen)) as spied:
        response = spied.post("/orders/", json=ORDER)
    assert response.status_code == 201, f"POST /orders/ should answer 201, got {response.status_code}: {response.text}"
    assert seen.get("when the response was sent") == [], f"nothing should be logged before the response is sent: {seen}"
    assert seen.get("when the app returned") == ORDER_LINES, (
        f"the background tasks should have logged {ORDER_LINES} by the time the app returns: {seen}"
    )


def test_log_appends_and_keeps_earlier_lines(api: TestClient, log_path: Path) -> None:
    log_path.write_text("earlier line\n", encoding="utf-8")
    for _ in range(2):
        assert api.post("/send-notification/").status_code == 200, "POST /send-notification/ should answer 200"
    expected = ["earlier line", "Notification sent", "Notification sent"]
    assert _lines(log_path) == expected, f"write_log should append one line per call: expected {expected}"


def test_log_path_is_read_when_the_task_runs(
    api: TestClient, target_module: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first.log", tmp_path / "second.log"
    monkeypatch.setattr(target_module, "LOG_PATH", first)
    assert api.post("/send-notification/").status_code == 200, "POST /send-notification/ should answer 200"
    monkeypatch.setattr(target_module, "LOG_PATH", second)
    assert api.post("/send-notification/").status_code == 200, "POST /send-notification/ should answer 200"
    assert (_lines(first), _lines(second)) == (["Notification sent"], ["Notification sent"]), (
        "each request should log to the LOG_PATH in force when its task runs (one line in each of two files)"
    )


def test_order_answers_201_and_logs_three_lines_in_order(api: TestClient, log_path: Path) -> None:
    response = _order(api)
    assert response.status_code == 201, f"POST /orders/ should answer 201, got {response.status_code}: {response.text}"
    assert response.json() == {"order_id": 1, "item": "widget", "quantity": 2}, f"wrong order body: {response.text}"
    assert _lines(log_path) == ORDER_LINES, f"the log should be {ORDER_LINES} in this order, got {_lines(log_path)}"


def test_order_ids_count_up_and_lines_follow(api: TestClient, log_path: Path) -> None:
    assert _order(api).json().get("order_id") == 1, "the first order should get order_id 1"
    second = _order(api, item="gizmo", quantity=1, email="bo@example.com")
    assert second.status_code == 201, f"a second order should answer 201, got {second.status_code}"
    assert second.json() == {"order_id": 2, "item": "gizmo", "quantity": 1}, f"wrong second order: {second.text}"
    expected = [*ORDER_LINES, "audit: POST /orders/", "order 2 created", "email to bo@example.com: order 2 confirmed"]
    assert _lines(log_path) == expected, f"after two orders the log should be {expected}, got {_lines(log_path)}"


def test_audit_line_comes_from_the_audit_request_dependency(
    api: TestClient, target_module: ModuleType, log_path: Path
) -> None:
    assert _order(api).status_code == 201, "POST /orders/ should answer 201"
    assert _lines(log_path) == ORDER_LINES, f"the log should be {ORDER_LINES}, got {_lines(log_path)}"
    log_path.unlink()
    target_module.app.dependency_overrides[target_module.audit_request] = lambda: None
    try:
        assert _order(api).status_code == 201, "POST /orders/ should answer 201 with audit_request overridden"
    finally:
        target_module.app.dependency_overrides.clear()
    expected = ["order 2 created", "email to ann@example.com: order 2 confirmed"]
    assert _lines(log_path) == expected, (
        f"with audit_request overridden only {expected} should be logged (the audit task belongs to the dependency), "
        f"got {_lines(log_path)}"
    )


def test_unknown_item_logs_nothing(api: TestClient, log_path: Path) -> None:
    assert _order(api).status_code == 201, "a valid order should answer 201 before a failing one is checked"
    before = _lines(log_path)
    response = _order(api, item="flux-capacitor")
    assert response.status_code == 404, f"an unknown item should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "Item not found"}, f"wrong 404 body: {response.text}"
    added = _lines(log_path)[len(before) :]
    assert added == [], f"an order answered 404 must log nothing, but it logged {added}"


def test_invalid_order_logs_nothing(api: TestClient, log_path: Path) -> None:
    assert _order(api).status_code == 201, "a valid order should answer 201 before a failing one is checked"
    before = _lines(log_path)
    response = _order(api, quantity=0)
    assert response.status_code == 422, f"quantity 0 should answer 422, got {response.status_code}"
    added = _lines(log_path)[len(before) :]
    assert added == [], f"an order answered 422 must log nothing, but it logged {added}"
