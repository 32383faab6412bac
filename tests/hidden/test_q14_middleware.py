"""Hidden tests for q14: middleware (process time and request id on every response).

No test looks at the 500 of an unhandled exception: Starlette's ServerErrorMiddleware sends it from outside the
user's middleware, so the contract does not promise either header on it (a middleware that adds them anyway,
with a try/except around call_next, passes too).
"""

import secrets
import string
from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost


def process_time(response: Any, what: str) -> float:
    value = response.headers.get("x-process-time")
    assert value is not None, f"{what} should carry an X-Process-Time header (status {response.status_code})"
    try:
        seconds = float(value)
    except ValueError:
        pytest.fail(f"X-Process-Time on {what} should be a plain float number of seconds, got {value!r}")
    assert seconds >= 0, f"X-Process-Time on {what} should be non-negative, got {value!r}"
    return seconds


def request_id(response: Any, what: str) -> str:
    value = response.headers.get("x-request-id")
    assert value, f"{what} should carry a non-empty X-Request-ID header (status {response.status_code})"
    return value


@pytest.mark.contract("q14.1", "q14.5")
def test_process_time_header_on_success(client: httpx.Client) -> None:
    response = client.get("/items/1")
    assert response.status_code == 200, f"GET /items/1 should answer 200, got {response.status_code}: {response.text}"
    assert response.json() == {"item_id": 1, "name": "apple"}, (
        f"GET /items/1 should answer the apple, got {response.text}"
    )
    process_time(response, "GET /items/1")


@pytest.mark.contract("q14.1")
def test_process_time_header_on_unknown_path(client: httpx.Client) -> None:
    response = client.get("/no-such-route")
    assert response.status_code == 404, f"an unknown path should answer 404, got {response.status_code}"
    process_time(response, "a 404 for an unknown path")


@pytest.mark.contract("q14.1", "q14.5")
def test_process_time_header_on_http_exception(client: httpx.Client) -> None:
    response = client.get("/items/999")
    assert response.status_code == 404, f"GET /items/999 should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "Item not found"}, f"unexpected body for a missing item: {response.text}"
    process_time(response, "an HTTPException response")


@pytest.mark.contract("q14.1", "q14.5")
def test_process_time_header_on_validation_error(client: httpx.Client) -> None:
    response = client.get("/items/not-a-number")
    assert response.status_code == 422, f"GET /items/not-a-number should answer 422, got {response.status_code}"
    process_time(response, "a 422 validation error")


@pytest.mark.contract("q14.1", "q14.2")
def test_process_time_measures_the_handler_with_perf_counter(host: AppHost) -> None:
    # The module's `time` becomes a fake whose perf_counter() answers this test's clock, which moves only while
    # the kit's route runs (it asks this test to move it): by amounts chosen here, never sent to the host.
    clock = {"now": 1000.0}
    amounts = [1 + secrets.randbelow(8_000_000) / 1_000_000 for _ in range(2)]
    pending = list(amounts)

    def advance() -> None:
        clock["now"] += pending.pop(0) if pending else 0.0

    advancing = "/__advance-clock"
    host.serve("q14.clock", lambda: clock["now"])
    host.serve("q14.advance", advance)
    host.helper("q14.install_judge_clock", path=advancing, clock_service="q14.clock", advance_service="q14.advance")
    expected = [("/items/1", 0.0), (advancing, amounts[0]), (advancing, amounts[1]), ("/items/1", 0.0)]
    with host.client() as test_client:
        for path, took in expected:
            response = test_client.get(path)
            assert response.status_code == 200, f"GET {path} should answer 200, got {response.status_code}"
            what = f"GET {path}, whose handler took {took:g} s on the module's time.perf_counter()"
            seconds = process_time(response, what)
            assert seconds == pytest.approx(took, abs=1e-6), (
                "X-Process-Time should be the seconds measured with the module's time.perf_counter() just before "
                f"and just after the handler ({what}), got {seconds}"
            )


@pytest.mark.contract("q14.3")
def test_sent_request_id_is_echoed(client: httpx.Client) -> None:
    response = client.get("/items/1", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 200, f"GET /items/1 should answer 200, got {response.status_code}"
    assert request_id(response, "GET /items/1") == "abc-123", "a sent X-Request-ID should be echoed unchanged"


def _long_id(length: int) -> str:
    """A mixed-case id of exactly ``length`` characters that does not repeat every 32 (nor 16, 64, 36...)."""
    alphabet = string.ascii_letters + string.digits + "-_"
    return "".join(alphabet[(i * 7 + i // 13) % len(alphabet)] for i in range(length))


@pytest.mark.contract("q14.3", "q14.4")
def test_sent_request_id_is_echoed_exactly_whatever_its_case_length_or_characters(client: httpx.Client) -> None:
    # "echoes that exact value": not lowercased or uppercased, not cut to the length of a uuid4 hex (32) or any
    # other, not stripped of the characters a header value may hold (visible ASCII, spaces inside).
    sent_ids = {
        "a mixed-case id": "AbC-123-xYz",
        "an upper-case UUID": "3F2504E0-4F89-41D3-9A5D-0A1B2C3D4E5F",
        "a 33-character id": _long_id(33),
        "a 197-character id": _long_id(197),
        "a 1001-character id": _long_id(1001),
        "an id with punctuation": "Trace!#$%&'*+.^_`|~=:;,/?@[]{}()<>\\\"End",
        "an id with inner spaces": "Req Id 42 / Step A",
    }
    for what, sent in sent_ids.items():
        for path, status in (("/items/1", 200), ("/no-such-route", 404)):
            response = client.get(path, headers={"X-Request-ID": sent})
            assert response.status_code == status, f"GET {path} should answer {status}, got {response.status_code}"
            echoed = request_id(response, f"GET {path} with {what}")
            assert echoed == sent, (
                f"GET {path} with {what} as X-Request-ID ({len(sent)} characters) should echo that exact value, "
                f"got {echoed!r} ({len(echoed)} characters) for {sent!r}"
            )
        response = client.get("/request-id", headers={"X-Request-ID": sent})
        assert response.status_code == 200, f"GET /request-id should answer 200, got {response.status_code}"
        assert response.json() == {"request_id": sent}, (
            f"request.state.request_id should hold the sent X-Request-ID ({what}) unchanged, "
            f"GET /request-id gave {response.text}"
        )
        assert response.headers.get("x-request-id") == sent, (
            f"GET /request-id with {what} should echo it unchanged, got {response.headers.get('x-request-id')!r}"
        )


@pytest.mark.contract("q14.3")
def test_request_id_generated_when_absent_and_distinct(client: httpx.Client) -> None:
    ids = []
    for _ in range(5):
        response = client.get("/items/1")
        assert response.status_code == 200, f"GET /items/1 should answer 200, got {response.status_code}"
        ids.append(request_id(response, "a request without X-Request-ID"))
    assert len(set(ids)) == 5, f"each generated X-Request-ID should be different, got {ids}"


@pytest.mark.contract("q14.3")
def test_request_id_on_error_responses(client: httpx.Client) -> None:
    sent = client.get("/no-such-route", headers={"X-Request-ID": "trace-404"})
    assert sent.status_code == 404, f"an unknown path should answer 404, got {sent.status_code}"
    assert request_id(sent, "a 404 for an unknown path") == "trace-404", "a 404 should echo the sent X-Request-ID"
    raised = client.get("/items/999", headers={"X-Request-ID": "trace-exc"})
    assert raised.status_code == 404, f"GET /items/999 should answer 404, got {raised.status_code}"
    assert request_id(raised, "an HTTPException response") == "trace-exc", (
        "an HTTPException response should echo the sent X-Request-ID"
    )
    invalid = client.get("/items/not-a-number", headers={"X-Request-ID": "trace-422"})
    assert invalid.status_code == 422, f"GET /items/not-a-number should answer 422, got {invalid.status_code}"
    assert request_id(invalid, "a 422 validation error") == "trace-422", (
        "a 422 validation error should echo the sent X-Request-ID"
    )
    generated = client.get("/no-such-route")
    request_id(generated, "a 404 for an unknown path without X-Request-ID")


@pytest.mark.contract("q14.4")
def test_route_sees_the_sent_request_id_in_request_state(client: httpx.Client) -> None:
    response = client.get("/request-id", headers={"X-Request-ID": "from-client"})
    assert response.status_code == 200, f"GET /request-id should answer 200, got {response.status_code}"
    assert response.json() == {"request_id": "from-client"}, (
        f"request.state.request_id should hold the sent X-Request-ID, GET /request-id gave {response.text}"
    )


@pytest.mark.contract("q14.3", "q14.4")
def test_route_sees_the_generated_request_id_in_request_state(client: httpx.Client) -> None:
    response = client.get("/request-id")
    assert response.status_code == 200, f"GET /request-id should answer 200, got {response.status_code}"
    header = request_id(response, "GET /request-id")
    assert response.json() == {"request_id": header}, (
        "request.state.request_id should hold the same generated id as the X-Request-ID header, "
        f"header {header!r}, GET /request-id gave {response.text}"
    )
