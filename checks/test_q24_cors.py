"""Public checks for q24: CORS for two front ends, with credentials, as tests you can read and run.

`fastlings check 24` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from fastapi.testclient import TestClient

ALLOWED_ORIGINS = ["https://app.example.com", "http://localhost:3000"]


def preflight_headers(origin: str, method: str, headers: str | None = None) -> dict[str, str]:
    """The headers a browser sends in a preflight for `method` (and `headers`) from `origin`."""
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        request_headers["Access-Control-Request-Headers"] = headers
    return request_headers


def test_preflight_from_an_allowed_origin_allows_post_with_credentials(client: TestClient) -> None:
    origin = "http://localhost:3000"
    response = client.options("/items", headers=preflight_headers(origin, "POST", "Authorization, Content-Type"))
    assert response.status_code == 200, (
        f"a preflight from {origin} for POST with Authorization and Content-Type should answer 200, "
        f"got {response.status_code}: {response.text}"
    )
    assert response.headers.get("Access-Control-Allow-Origin") == origin, (
        f"Access-Control-Allow-Origin should be {origin!r}, got {response.headers.get('Access-Control-Allow-Origin')!r}"
    )
    assert response.headers.get("Access-Control-Allow-Credentials") == "true", (
        "the preflight should carry Access-Control-Allow-Credentials: true, "
        f"got {response.headers.get('Access-Control-Allow-Credentials')!r}"
    )
    assert response.headers.get("Access-Control-Max-Age") == "3600", (
        f"Access-Control-Max-Age should be 3600, got {response.headers.get('Access-Control-Max-Age')!r}"
    )
    methods = {m.strip() for m in response.headers.get("Access-Control-Allow-Methods", "").split(",")}
    assert {"GET", "POST"} <= methods, f"Access-Control-Allow-Methods should list GET and POST, got {methods}"
    assert not methods & {"DELETE", "PUT", "PATCH"}, (
        f"Access-Control-Allow-Methods should not list DELETE, PUT or PATCH, got {methods}"
    )


def test_preflight_for_delete_is_refused_with_400(client: TestClient) -> None:
    response = client.options("/items/1", headers=preflight_headers("https://app.example.com", "DELETE"))
    assert response.status_code == 400, (
        f"a preflight asking for DELETE should answer 400 (cross-origin DELETE is not allowed), "
        f"got {response.status_code}: {response.text}"
    )


def test_get_from_an_allowed_origin_echoes_it_and_exposes_the_total_count(client: TestClient) -> None:
    origin = "https://app.example.com"
    response = client.get("/items", headers={"Origin": origin})
    assert response.status_code == 200, f"GET /items should answer 200, got {response.status_code}: {response.text}"
    assert response.headers.get("Access-Control-Allow-Origin") == origin, (
        f"Access-Control-Allow-Origin should be {origin!r} (never '*' with credentials), "
        f"got {response.headers.get('Access-Control-Allow-Origin')!r}"
    )
    assert response.headers.get("Access-Control-Allow-Credentials") == "true", (
        "the response should carry Access-Control-Allow-Credentials: true, "
        f"got {response.headers.get('Access-Control-Allow-Credentials')!r}"
    )
    vary = [part.strip().lower() for part in response.headers.get("Vary", "").split(",")]
    assert "origin" in vary, f"the Vary header should list Origin, got {response.headers.get('Vary')!r}"
    exposed = [part.strip().lower() for part in response.headers.get("Access-Control-Expose-Headers", "").split(",")]
    assert "x-total-count" in exposed, (
        "Access-Control-Expose-Headers should list X-Total-Count, "
        f"got {response.headers.get('Access-Control-Expose-Headers')!r}"
    )


def test_only_the_exact_allowed_origins_get_an_allow_origin_header(client: TestClient) -> None:
    for origin in ALLOWED_ORIGINS:
        response = client.get("/items", headers={"Origin": origin})
        assert response.headers.get("Access-Control-Allow-Origin") == origin, (
            f"GET /items from {origin} should get Access-Control-Allow-Origin: {origin}, "
            f"got {response.headers.get('Access-Control-Allow-Origin')!r}"
        )
    for origin in ["https://evil.example.com", "http://app.example.com", "http://localhost:8080"]:
        response = client.get("/items", headers={"Origin": origin})
        assert response.status_code == 200, (
            f"GET /items from {origin} should still be answered normally (200), got {response.status_code}"
        )
        assert "Access-Control-Allow-Origin" not in response.headers, (
            f"GET /items from the disallowed origin {origin} should get no Access-Control-Allow-Origin header, "
            f"got {response.headers.get('Access-Control-Allow-Origin')!r}"
        )
