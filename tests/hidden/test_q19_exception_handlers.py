"""Hidden tests for q19: custom exception handlers.

The app is called with ``raise_server_exceptions=False`` so that a missing or broken handler shows up as the
500 a real client would get, not as an exception inside the test.
"""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost

GOOD = {"room": "A1", "guests": 2, "check_in": "2025-05-01", "check_out": "2025-05-03"}
DATE_ERROR = "check_out must be after check_in"


@pytest.fixture
def api(host: AppHost) -> Iterator[httpx.Client]:
    if host.kind("app") is None:
        pytest.fail("the module defines no `app`", pytrace=False)
    with host.client(raise_server_exceptions=False) as test_client:
        yield test_client


def _json(response: Any, what: str) -> Any:
    assert response.headers.get("content-type", "").startswith("application/json"), (
        f"{what} should answer JSON, got {response.headers.get('content-type')!r}: {response.text[:200]}"
    )
    return response.json()


def _endpoint_errors(api: httpx.Client, payload: Any) -> list[dict[str, Any]]:
    response = api.post("/bookings/import", json=payload)
    assert response.status_code == 422, (
        f"a ValidationError raised inside POST /bookings/import should answer 422, got {response.status_code}: "
        f"{response.text[:300]}"
    )
    body = _json(response, "a ValidationError raised inside an endpoint")
    assert isinstance(body, dict), f'the 422 body should be {{"detail": [...]}}, got {body}'
    assert isinstance(body.get("detail"), list), f'the 422 body should be {{"detail": [<errors>]}}, got {body}'
    return body["detail"]


def _problems(response: Any, what: str) -> list[dict[str, Any]]:
    assert response.status_code == 400, f"{what} should answer 400, got {response.status_code}: {response.text[:300]}"
    body = _json(response, what)
    assert isinstance(body, dict), f"{what}: the body should be a JSON object, got {body}"
    assert body.get("error") == "invalid_request", f'{what}: "error" should be "invalid_request", got {body}'
    assert isinstance(body.get("problems"), list), f'{what}: "problems" should be a list, got {body}'
    return body["problems"]


@pytest.mark.contract("q19.1")
def test_given_booking_endpoints_still_work(api: httpx.Client) -> None:
    created = api.post("/bookings/", json=GOOD)
    assert created.status_code == 201, f"POST /bookings/ should answer 201, got {created.status_code}: {created.text}"
    body = _json(created, "POST /bookings/")
    booking_id = body.get("id")
    assert isinstance(booking_id, int), f"POST /bookings/ should answer the booking with its id, got {body}"
    assert {key: body.get(key) for key in GOOD} == GOOD, f"POST /bookings/ should answer the booking, got {body}"
    read = api.get(f"/bookings/{booking_id}")
    assert read.status_code == 200, f"GET /bookings/{booking_id} should answer 200, got {read.status_code}"
    assert read.json() == body, f"GET /bookings/{booking_id} should answer the stored booking, got {read.text}"
    same_day = api.post("/bookings/", json={**GOOD, "room": "C3", "check_out": GOOD["check_in"]})
    assert same_day.status_code == 400, (
        f"check_out on the check_in day is not after it: POST /bookings/ should answer 400, got {same_day.status_code}"
    )
    for guests, room, expected in ((1, "D1", 201), (4, "D4", 201), (0, "D0", 400), (5, "D5", 400)):
        answer = api.post("/bookings/", json={**GOOD, "room": room, "guests": guests})
        assert answer.status_code == expected, (
            f"guests must be from 1 to 4 (the given Booking): POST /bookings/ with guests={guests} should answer "
            f"{expected}, got {answer.status_code}: {answer.text[:300]}"
        )


@pytest.mark.contract("q19.2")
def test_validation_error_inside_endpoint_answers_422_with_errors(api: httpx.Client) -> None:
    errors = _endpoint_errors(api, {**GOOD, "guests": 0})
    matching = [error for error in errors if error.get("loc") == ["guests"]]
    assert matching, f'the errors should include one with loc == ["guests"], got {errors}'
    assert matching[0].get("type") == "greater_than_equal", f"guests=0 should be a greater_than_equal error: {errors}"
    assert isinstance(matching[0].get("msg"), str), f"each error should keep its msg: {errors}"


@pytest.mark.contract("q19.2")
def test_model_validator_error_inside_endpoint_is_json_safe(api: httpx.Client) -> None:
    errors = _endpoint_errors(api, {**GOOD, "check_out": "2025-04-30"})
    expected = {"type": "value_error", "loc": [], "msg": f"Value error, {DATE_ERROR}"}
    found = [error for error in errors if {key: error.get(key) for key in expected} == expected]
    assert found, f"the errors should include {expected} (extra keys allowed), got {errors}"


@pytest.mark.contract("q19.3")
def test_invalid_request_body_answers_400_with_problems(api: httpx.Client) -> None:
    problems = _problems(api.post("/bookings/", json={**GOOD, "guests": 9}), "POST /bookings/ with guests=9")
    matching = [problem for problem in problems if problem.get("loc") == ["body", "guests"]]
    assert matching, f'the problems should include one with loc == ["body", "guests"], got {problems}'
    assert isinstance(matching[0].get("msg"), str) and matching[0]["msg"], f"each problem needs a msg: {problems}"


@pytest.mark.contract("q19.1", "q19.3")
def test_invalid_request_from_model_validator_answers_400(api: httpx.Client) -> None:
    response = api.post("/bookings/", json={**GOOD, "check_out": "2025-04-30"})
    problems = _problems(response, "POST /bookings/ with check_out before check_in")
    matching = [problem for problem in problems if problem.get("loc") == ["body"]]
    assert matching, f'the problems should include one with loc == ["body"], got {problems}'
    assert DATE_ERROR in str(matching[0].get("msg")), f"the problem's msg should contain {DATE_ERROR!r}: {problems}"


@pytest.mark.contract("q19.3")
def test_each_problem_keeps_pydantics_msg_unchanged(api: httpx.Client) -> None:
    without_room = {key: value for key, value in GOOD.items() if key != "room"}
    cases = (
        (
            api.post("/bookings/", json={**GOOD, "check_out": "2025-04-30"}),
            "POST /bookings/ with check_out before check_in (the model validator)",
            ["body"],
            f"Value error, {DATE_ERROR}",
        ),
        (
            api.post("/bookings/", json={**GOOD, "guests": 9}),
            "POST /bookings/ with guests=9",
            ["body", "guests"],
            "Input should be less than or equal to 4",
        ),
        (api.post("/bookings/", json=without_room), "POST /bookings/ without room", ["body", "room"], "Field required"),
        (
            api.get("/bookings/abc"),
            "GET /bookings/abc",
            ["path", "booking_id"],
            "Input should be a valid integer, unable to parse string as an integer",
        ),
    )
    for response, what, loc, msg in cases:
        problems = _problems(response, what)
        matching = [problem for problem in problems if problem.get("loc") == loc]
        assert matching, f"{what}: the problems should include one with loc == {loc}, got {problems}"
        assert [problem.get("msg") for problem in matching] == [msg], (
            f"{what}: the problem at {loc} should carry pydantic's msg unchanged, {msg!r}, got {matching}"
        )


@pytest.mark.contract("q19.3")
def test_invalid_path_parameter_answers_400(api: httpx.Client) -> None:
    problems = _problems(api.get("/bookings/abc"), "GET /bookings/abc")
    locs = [problem.get("loc") for problem in problems]
    assert ["path", "booking_id"] in locs, f'the problems should include loc == ["path", "booking_id"], got {problems}'


@pytest.mark.contract("q19.2", "q19.3")
def test_request_errors_are_not_handled_as_endpoint_errors(api: httpx.Client) -> None:
    assert api.post("/bookings/import", json={**GOOD, "guests": 0}).status_code == 422, (
        "a ValidationError raised inside POST /bookings/import should answer 422"
    )
    response = api.post("/bookings/import", json=["not", "an", "object"])
    problems = _problems(response, "POST /bookings/import with a JSON list (FastAPI rejects it before the endpoint)")
    assert ["body"] in [problem.get("loc") for problem in problems], f'expected a problem at loc ["body"]: {problems}'


@pytest.mark.contract("q19.4")
def test_domain_exception_answers_409_with_the_room(api: httpx.Client) -> None:
    for room in ("A1", "B7"):
        first = api.post("/bookings/", json={**GOOD, "room": room})
        assert first.status_code == 201, f"the first booking of room {room} should answer 201, got {first.text}"
        clash = api.post("/bookings/", json={**GOOD, "room": room, "check_in": "2025-05-02", "check_out": "2025-05-04"})
        assert clash.status_code == 409, f"an overlapping booking of {room} should answer 409, got {clash.status_code}"
        body = _json(clash, "RoomUnavailableError")
        assert body.get("error") == "room_unavailable", f'"error" should be "room_unavailable", got {body}'
        assert body.get("room") == room, f'"room" should be {room!r}, got {body}'


@pytest.mark.contract("q19.5")
def test_unhandled_error_answers_json_500_without_leaking(api: httpx.Client) -> None:
    response = api.get("/reports/daily")
    assert response.status_code == 500, f"GET /reports/daily should answer 500, got {response.status_code}"
    body = _json(response, "an unhandled exception")
    assert isinstance(body, dict) and body.get("error") == "internal_error", (
        f'an unhandled exception should answer {{"error": "internal_error"}}, got {body}'
    )
    for secret in ("hunter2", "postgres", "RuntimeError", "Traceback", "cannot reach"):
        assert secret not in response.text, f"the 500 answer must not reveal the failure (found {secret!r})"


@pytest.mark.contract("q19.3")
def test_invalid_request_lists_one_problem_per_error(api: httpx.Client) -> None:
    body = {key: value for key, value in GOOD.items() if key != "room"} | {"guests": 9}
    problems = _problems(api.post("/bookings/", json=body), "POST /bookings/ without room and with guests=9")
    locs = [problem.get("loc") for problem in problems]
    assert ["body", "room"] in locs and ["body", "guests"] in locs, (
        f'both errors should be reported, one problem each (["body", "room"] and ["body", "guests"]), got {locs}'
    )


@pytest.mark.contract("q19.5")
def test_any_unhandled_exception_type_answers_json_500(api: httpx.Client) -> None:
    """Not only RuntimeError: the given GET /reports/partners fails with a KeyError, and gets the same JSON 500."""
    daily = api.get("/reports/daily")
    assert daily.status_code == 500, f"GET /reports/daily should answer 500, got {daily.status_code}"
    response = api.get("/reports/partners")
    assert response.status_code == 500, (
        f"GET /reports/partners (a KeyError escaping the endpoint) should answer 500, got {response.status_code}"
    )
    body = _json(response, "a KeyError escaping an endpoint")
    assert isinstance(body, dict) and body.get("error") == "internal_error", (
        f'any unhandled exception should answer {{"error": "internal_error"}}, got {body}'
    )
    for secret in ("hunter2", "acme", "KeyError", "Traceback"):
        assert secret not in response.text, f"the 500 answer must not reveal the failure (found {secret!r})"


@pytest.mark.contract("q19.5")
def test_unhandled_error_leaks_nothing_in_the_headers_either(api: httpx.Client) -> None:
    """The body is not the only place a failure can leak: every header name and value is searched too."""
    routes = (
        ("/reports/daily", ("hunter2", "postgres", "10.0.0.5", "cannot reach", "RuntimeError", "Traceback")),
        ("/reports/partners", ("hunter2", "acme", "KeyError", "Traceback")),
    )
    for path, leaks in routes:
        response = api.get(path)
        assert response.status_code == 500, f"GET {path} should answer 500, got {response.status_code}"
        body = _json(response, f"the unhandled exception of GET {path}")
        assert isinstance(body, dict) and body.get("error") == "internal_error", (
            f'GET {path} should answer {{"error": "internal_error"}}, got {body}'
        )
        for raw_name, raw_value in response.headers.raw:
            header = f"{raw_name.decode('latin-1')}: {raw_value.decode('latin-1')}"
            for secret in leaks:
                assert secret.lower() not in header.lower(), (
                    f"the 500 answer of GET {path} must not reveal the failure in its headers either "
                    f"(found {secret!r} in the header {header!r})"
                )
        for secret in leaks:
            assert secret.lower() not in response.text.lower(), (
                f"the 500 answer of GET {path} must not reveal the failure (found {secret!r} in the body)"
            )


@pytest.mark.contract("q19.1", "q19.6")
def test_http_exceptions_keep_their_usual_answers(api: httpx.Client) -> None:
    assert api.get("/reports/daily").headers.get("content-type", "").startswith("application/json"), (
        "an unhandled exception should answer JSON before HTTPException answers are checked"
    )
    missing = api.get("/bookings/42")
    assert missing.status_code == 404, f"GET /bookings/42 should answer 404, got {missing.status_code}"
    assert missing.json() == {"detail": "Booking not found"}, f"wrong 404 body: {missing.text}"
    unknown = api.get("/no/such/path")
    assert unknown.status_code == 404, f"an unknown path should answer 404, got {unknown.status_code}"
    assert unknown.json() == {"detail": "Not Found"}, f"wrong 404 body for an unknown path: {unknown.text}"
