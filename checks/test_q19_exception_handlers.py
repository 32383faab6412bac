"""Public checks for q19: which handler answers which failure, as tests you can read and run.

`fastlings check 19` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.

As the contract says, the app is called with ``TestClient(app, raise_server_exceptions=False)``: a
failure the handlers miss shows up as the response the client really gets, not as a crash of the check.
"""

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

BOOKING: dict[str, Any] = {"room": "101", "guests": 2, "check_in": "2030-05-01", "check_out": "2030-05-04"}


@pytest.fixture
def app_client(target_module: ModuleType) -> Iterator[TestClient]:
    with TestClient(target_module.app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_invalid_request_body_answers_400_with_the_problems(app_client: TestClient) -> None:
    response = app_client.post("/bookings/", json={**BOOKING, "guests": 5})
    assert response.status_code == 400, (
        f"POST /bookings/ with guests=5 should answer 400 (not 422), got {response.status_code}: {response.text}"
    )
    body = response.json()
    assert body.get("error") == "invalid_request", f"the 400 body should have error 'invalid_request', got {body}"
    problems = body.get("problems")
    assert isinstance(problems, list) and problems, f"the 400 body should list its problems, got {body}"
    assert any(
        isinstance(problem, dict) and problem.get("loc") == ["body", "guests"] and isinstance(problem.get("msg"), str)
        for problem in problems
    ), f"one problem should be {{'loc': ['body', 'guests'], 'msg': '...'}}, got {problems}"


def test_validation_error_inside_an_endpoint_answers_422_with_the_error_list(app_client: TestClient) -> None:
    response = app_client.post("/bookings/import", json={**BOOKING, "check_out": "2030-04-28"})
    assert response.status_code == 422, (
        f"POST /bookings/import with check_out before check_in should answer 422, got {response.status_code}: "
        f"{response.text}"
    )
    detail = response.json().get("detail")
    assert isinstance(detail, list), f"the 422 body should be {{'detail': [<errors>]}}, got {response.json()}"
    assert any(
        isinstance(error, dict)
        and error.get("type") == "value_error"
        and error.get("loc") == []
        and error.get("msg") == "Value error, check_out must be after check_in"
        for error in detail
    ), (
        "one error should have type 'value_error', loc [] and msg 'Value error, check_out must be after check_in', "
        f"got {detail}"
    )


def test_room_already_booked_answers_409_room_unavailable(app_client: TestClient) -> None:
    first = app_client.post("/bookings/", json=BOOKING)
    assert first.status_code == 201, f"the first booking of room 101 should answer 201, got {first.status_code}"
    overlapping = {**BOOKING, "check_in": "2030-05-03", "check_out": "2030-05-06"}
    response = app_client.post("/bookings/", json=overlapping)
    assert response.status_code == 409, (
        f"an overlapping booking of room 101 should answer 409, got {response.status_code}: {response.text}"
    )
    body = response.json()
    assert body.get("error") == "room_unavailable" and body.get("room") == "101", (
        f"the 409 body should have error 'room_unavailable' and room '101', got {body}"
    )


def test_unexpected_exception_answers_500_internal_error_without_leaking(app_client: TestClient) -> None:
    response = app_client.get("/reports/daily")
    assert response.status_code == 500, f"GET /reports/daily should answer 500, got {response.status_code}"
    assert response.headers.get("content-type", "").startswith("application/json"), (
        f"the 500 should be JSON, got content-type {response.headers.get('content-type')!r}: {response.text}"
    )
    assert response.json().get("error") == "internal_error", (
        f"the 500 body should have error 'internal_error', got {response.json()}"
    )
    for secret in ("RuntimeError", "postgres", "hunter2", "Traceback"):
        assert secret not in response.text, f"the 500 body should not reveal the failure, but it contains {secret!r}"
