"""Public checks for q20: log lines written after the response, as tests you can read and run.

`fastlings check 20` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, when each line is written included.

As the contract says, every check points the module's ``LOG_PATH`` at a file in its own temporary folder.
"""

from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def log_path(target_module: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "check.log"
    monkeypatch.setattr(target_module, "LOG_PATH", path)
    return path


def read_log(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_send_notification_logs_its_line_after_what_is_already_there(client: TestClient, log_path: Path) -> None:
    log_path.write_text("earlier line\n")
    response = client.post("/send-notification/")
    assert response.status_code == 200, f"POST /send-notification/ should answer 200, got {response.status_code}"
    assert response.json() == {"message": "Notification sent"}, (
        f"POST /send-notification/ should answer {{'message': 'Notification sent'}}, got {response.json()}"
    )
    assert log_path.read_text() == "earlier line\nNotification sent\n", (
        "the log should keep its earlier line and gain 'Notification sent' plus a newline, "
        f"got {log_path.read_text()!r}"
    )


def test_order_answers_201_and_logs_audit_created_and_email_lines(client: TestClient, log_path: Path) -> None:
    response = client.post("/orders/", json={"item": "widget", "quantity": 2, "email": "ada@example.com"})
    assert response.status_code == 201, (
        f"POST /orders/ with a valid order should answer 201, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"order_id": 1, "item": "widget", "quantity": 2}, (
        f"the first order should answer {{'order_id': 1, 'item': 'widget', 'quantity': 2}}, got {response.json()}"
    )
    expected = ["audit: POST /orders/", "order 1 created", "email to ada@example.com: order 1 confirmed"]
    assert read_log(log_path) == expected, f"the log should hold exactly {expected}, got {read_log(log_path)}"


def test_failed_orders_answer_404_or_422_and_log_nothing(client: TestClient, log_path: Path) -> None:
    unknown = client.post("/orders/", json={"item": "sprocket", "quantity": 1, "email": "ada@example.com"})
    assert unknown.status_code == 404, f"an order for an unknown item should answer 404, got {unknown.status_code}"
    assert unknown.json() == {"detail": "Item not found"}, (
        f"the 404 body should be {{'detail': 'Item not found'}}, got {unknown.json()}"
    )
    too_few = client.post("/orders/", json={"item": "widget", "quantity": 0, "email": "ada@example.com"})
    assert too_few.status_code == 422, f"an order with quantity 0 should answer 422, got {too_few.status_code}"
    assert read_log(log_path) == [], (
        f"failed requests should log nothing, not even the audit line, got {read_log(log_path)}"
    )
