"""Public checks for q14: the middleware's headers, as tests you can read and run.

`fastlings check 14` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from fastapi.testclient import TestClient


def test_item_response_carries_process_time_and_request_id(client: TestClient) -> None:
    response = client.get("/items/1")
    assert response.status_code == 200, f"GET /items/1 should answer 200, got {response.status_code}"
    assert response.json() == {"item_id": 1, "name": "apple"}, (
        f"GET /items/1 should answer the apple, got {response.json()}"
    )
    process_time = response.headers.get("X-Process-Time")
    assert process_time is not None, "the response should carry an X-Process-Time header"
    assert float(process_time) >= 0, f"X-Process-Time should be a float of seconds >= 0, got {process_time!r}"
    assert response.headers.get("X-Request-ID"), "the response should carry a non-empty X-Request-ID header"


def test_sent_request_id_is_echoed_and_stored_on_the_request(client: TestClient) -> None:
    response = client.get("/request-id", headers={"X-Request-ID": "my-request-42"})
    assert response.status_code == 200, f"GET /request-id should answer 200, got {response.status_code}"
    assert response.headers.get("X-Request-ID") == "my-request-42", (
        f"the response should echo the X-Request-ID sent, got {response.headers.get('X-Request-ID')!r}"
    )
    assert response.json() == {"request_id": "my-request-42"}, (
        f"request.state.request_id should hold the id sent, got {response.json()}"
    )


def test_generated_request_ids_differ_and_match_the_state(client: TestClient) -> None:
    first = client.get("/request-id")
    second = client.get("/request-id")
    first_id = first.headers.get("X-Request-ID")
    second_id = second.headers.get("X-Request-ID")
    assert first_id and second_id, "without an X-Request-ID in the request, the middleware should generate one"
    assert first_id != second_id, f"each request should get its own generated id, got {first_id!r} twice"
    assert first.json() == {"request_id": first_id}, (
        f"request.state.request_id should equal the X-Request-ID header {first_id!r}, got {first.json()}"
    )


def test_error_responses_carry_the_headers_too(client: TestClient) -> None:
    response = client.get("/items/999")
    assert response.status_code == 404, f"GET /items/999 should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "Item not found"}, (
        f"the 404 body should be {{'detail': 'Item not found'}}, got {response.json()}"
    )
    assert "X-Process-Time" in response.headers, "a 404 response should carry X-Process-Time as well"
    assert response.headers.get("X-Request-ID"), "a 404 response should carry X-Request-ID as well"
