"""Hidden tests for q24: CORS."""

import httpx
import pytest

ALLOWED = ("https://app.example.com", "http://localhost:3000")
APP = ALLOWED[0]
EVIL = "https://evil.example.com"
# Origins are matched exactly, as the strings a browser sends: each of these differs from an allowed one in
# scheme, host (another spelling of the same machine included), port, a suffix, a trailing slash or letter case.
LOOKALIKES = (
    "http://app.example.com",
    "https://app.example.com:8443",
    "https://app.example.com.evil.test",
    "https://app.example.com.evil.example",
    "https://app.example.com/",
    "https://APP.EXAMPLE.COM",
    "https://sub.app.example.com",
    "http://localhost:8080",
    "http://localhost:3001",
    "http://localhost",
    "https://localhost:3000",
    "http://localhost:3000/",
    "http://LOCALHOST:3000",
    "http://localhost:3000.evil.example",
    "http://127.0.0.1:3000",
    "http://[::1]:3000",
    "http://0.0.0.0:3000",
    "null",
)


def _preflight(client: httpx.Client, origin: str, method: str = "POST", headers: str | None = None) -> httpx.Response:
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        request_headers["Access-Control-Request-Headers"] = headers
    return client.options("/items", headers=request_headers)


def _listed(response: httpx.Response, header: str) -> set[str]:
    return {part.strip().lower() for part in response.headers.get(header, "").split(",") if part.strip()}


def _assert_allowed_preflight(client: httpx.Client, origin: str = APP) -> httpx.Response:
    response = _preflight(client, origin)
    assert response.status_code == 200, (
        f"a POST preflight from {origin} should answer 200, got {response.status_code}: {response.text}"
    )
    allow_origin = response.headers.get("access-control-allow-origin")
    assert allow_origin == origin, (
        f"a preflight from {origin} should get Access-Control-Allow-Origin: {origin}, got {allow_origin!r}"
    )
    return response


def _assert_cors_for(response: httpx.Response, origin: str, what: str, *, preflight: bool = False) -> None:
    """Every header the contract promises a response to an allowed origin."""
    allow_origin = response.headers.get("access-control-allow-origin")
    assert allow_origin == origin, f"{what} should get Access-Control-Allow-Origin: {origin}, got {allow_origin!r}"
    credentials = response.headers.get("access-control-allow-credentials")
    assert credentials == "true", f"{what} should carry Access-Control-Allow-Credentials: true, got {credentials!r}"
    assert "origin" in _listed(response, "vary"), (
        f"{what}: Vary should list Origin, got {response.headers.get('vary')!r}"
    )
    if preflight:
        methods = _listed(response, "access-control-allow-methods")
        assert {"get", "post"} <= methods and not methods & {"delete", "put", "patch"}, (
            f"{what}: Access-Control-Allow-Methods should list GET and POST and no DELETE, PUT or PATCH, got {methods}"
        )
        allowed = _listed(response, "access-control-allow-headers")
        assert {"authorization", "content-type"} <= allowed, (
            f"{what}: Access-Control-Allow-Headers should list Authorization and Content-Type, got {allowed}"
        )
        max_age = response.headers.get("access-control-max-age")
        assert max_age == "3600", f"{what}: Access-Control-Max-Age should be 3600, got {max_age!r}"
    else:
        assert "x-total-count" in _listed(response, "access-control-expose-headers"), (
            f"{what}: Access-Control-Expose-Headers should list X-Total-Count, "
            f"got {response.headers.get('access-control-expose-headers')!r}"
        )


def _assert_allowed_simple(client: httpx.Client, origin: str = APP) -> httpx.Response:
    response = client.get("/items", headers={"Origin": origin})
    assert response.status_code == 200, f"GET /items should answer 200, got {response.status_code}"
    allow_origin = response.headers.get("access-control-allow-origin")
    assert allow_origin == origin, (
        f"GET /items from {origin} should get Access-Control-Allow-Origin: {origin}, got {allow_origin!r}"
    )
    return response


@pytest.mark.parametrize("origin", ALLOWED)
@pytest.mark.contract("q24.1", "q24.2", "q24.6")
def test_preflight_from_allowed_origin_succeeds_with_credentials(client: httpx.Client, origin: str) -> None:
    response = _assert_allowed_preflight(client, origin)
    assert response.headers.get("access-control-allow-credentials") == "true", (
        "a preflight from an allowed origin should carry Access-Control-Allow-Credentials: true"
    )


@pytest.mark.contract("q24.3", "q24.5", "q24.6")
def test_preflight_lists_only_get_and_post_and_sets_max_age(client: httpx.Client) -> None:
    response = _assert_allowed_preflight(client)
    methods = _listed(response, "access-control-allow-methods")
    assert {"get", "post"} <= methods, f"Access-Control-Allow-Methods should list GET and POST, got {methods}"
    assert not methods & {"delete", "put", "patch"}, (
        f"Access-Control-Allow-Methods should not list DELETE, PUT or PATCH, got {methods}"
    )
    assert response.headers.get("access-control-max-age") == "3600", (
        f"Access-Control-Max-Age should be 3600, got {response.headers.get('access-control-max-age')!r}"
    )


@pytest.mark.contract("q24.3", "q24.6")
def test_preflight_allows_authorization_and_content_type(client: httpx.Client) -> None:
    response = _preflight(client, APP, headers="Authorization, Content-Type")
    assert response.status_code == 200, (
        f"a preflight asking for Authorization and Content-Type should answer 200, got {response.status_code}"
    )
    assert response.headers.get("access-control-allow-origin") == APP, "the preflight should allow the origin"
    allowed = _listed(response, "access-control-allow-headers")
    assert {"authorization", "content-type"} <= allowed, (
        f"Access-Control-Allow-Headers should list Authorization and Content-Type, got {allowed}"
    )


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH", "HEAD"])
@pytest.mark.contract("q24.3", "q24.7")
def test_preflight_for_a_method_not_listed_is_400(client: httpx.Client, method: str) -> None:
    _assert_allowed_preflight(client)
    response = _preflight(client, APP, method=method)
    assert response.status_code == 400, (
        f"a preflight asking for {method} should answer 400 (only GET and POST), got {response.status_code}"
    )


@pytest.mark.contract("q24.3", "q24.7")
def test_preflight_for_a_header_not_listed_is_400(client: httpx.Client) -> None:
    _assert_allowed_preflight(client)
    response = _preflight(client, APP, headers="X-Api-Key")
    assert response.status_code == 400, (
        f"a preflight asking for the X-Api-Key header should answer 400, got {response.status_code}"
    )


@pytest.mark.contract("q24.1", "q24.8")
def test_preflight_from_another_origin_is_not_allowed(client: httpx.Client) -> None:
    _assert_allowed_preflight(client)
    response = _preflight(client, EVIL)
    assert "access-control-allow-origin" not in response.headers, (
        f"a preflight from {EVIL} must not get Access-Control-Allow-Origin, "
        f"got {response.headers.get('access-control-allow-origin')!r}"
    )


@pytest.mark.contract("q24.2", "q24.4", "q24.9")
def test_request_from_allowed_origin_gets_cors_headers(client: httpx.Client) -> None:
    response = _assert_allowed_simple(client)
    assert response.headers.get("access-control-allow-credentials") == "true", (
        "a response to an allowed origin should carry Access-Control-Allow-Credentials: true"
    )
    assert "x-total-count" in _listed(response, "access-control-expose-headers"), (
        "Access-Control-Expose-Headers should list X-Total-Count, "
        f"got {response.headers.get('access-control-expose-headers')!r}"
    )
    assert "origin" in _listed(response, "vary"), f"Vary should list Origin, got {response.headers.get('vary')!r}"
    assert response.headers.get("x-total-count") == "2", "GET /items should still send X-Total-Count: 2"


@pytest.mark.contract("q24.1", "q24.2", "q24.9")
def test_post_from_allowed_origin_gets_cors_headers(client: httpx.Client) -> None:
    response = client.post("/items", json={"name": "Drill"}, headers={"Origin": ALLOWED[1]})
    assert response.status_code == 201, f"POST /items should answer 201, got {response.status_code}"
    assert response.headers.get("access-control-allow-origin") == ALLOWED[1], (
        f"POST /items from {ALLOWED[1]} should get Access-Control-Allow-Origin: {ALLOWED[1]}, "
        f"got {response.headers.get('access-control-allow-origin')!r}"
    )


@pytest.mark.contract("q24.8")
def test_request_from_another_origin_is_answered_without_allow_origin(client: httpx.Client) -> None:
    _assert_allowed_simple(client)
    response = client.get("/items", headers={"Origin": EVIL, "Cookie": "session=abc"})
    assert response.status_code == 200, f"GET /items from {EVIL} is still answered (200), got {response.status_code}"
    assert "access-control-allow-origin" not in response.headers, (
        f"GET /items from {EVIL} must not get Access-Control-Allow-Origin, "
        f"got {response.headers.get('access-control-allow-origin')!r}"
    )


@pytest.mark.contract("q24.1", "q24.8")
def test_origins_are_matched_exactly(client: httpx.Client) -> None:
    _assert_allowed_simple(client)
    _assert_allowed_preflight(client)
    for origin in LOOKALIKES:
        simple = client.get("/items", headers={"Origin": origin})
        assert "access-control-allow-origin" not in simple.headers, (
            f"origin {origin!r} is not in the list: GET /items must not get Access-Control-Allow-Origin"
        )
        preflight = _preflight(client, origin)
        assert "access-control-allow-origin" not in preflight.headers, (
            f"origin {origin!r} is not in the list: its preflight must not get Access-Control-Allow-Origin"
        )


@pytest.mark.contract("q24.7", "q24.9")
def test_delete_serves_same_origin_callers_but_its_preflight_is_refused(client: httpx.Client) -> None:
    _assert_allowed_preflight(client)
    preflight = client.options("/items/1", headers={"Origin": APP, "Access-Control-Request-Method": "DELETE"})
    assert preflight.status_code == 400, (
        f"a preflight asking to DELETE /items/1 from {APP} should answer 400, got {preflight.status_code}"
    )
    response = client.delete("/items/1")
    assert response.status_code == 204, f"DELETE /items/1 (same origin) should answer 204, got {response.status_code}"
    assert response.content == b"", f"a 204 has no body, got {response.content!r}"
    listed = client.get("/items")
    assert [item["id"] for item in listed.json()] == [2], f"item 1 should be gone, GET /items lists {listed.json()}"
    assert listed.headers.get("x-total-count") == "1", (
        f"X-Total-Count should count the remaining item, got {listed.headers.get('x-total-count')!r}"
    )
    again = client.delete("/items/1")
    assert again.status_code == 404, f"DELETE of an unknown item should answer 404, got {again.status_code}"


@pytest.mark.contract("q24.2", "q24.3", "q24.5", "q24.6")
def test_every_allowed_preflight_carries_every_preflight_header(client: httpx.Client) -> None:
    asked_headers = (
        None,
        "Authorization",
        "authorization,content-type",
        "Content-Type, Authorization, Accept, Accept-Language, Content-Language",
    )
    for origin in ALLOWED:
        for method in ("GET", "POST"):
            for headers in asked_headers:
                response = _preflight(client, origin, method=method, headers=headers)
                what = f"a {method} preflight from {origin} asking for the headers {headers!r}"
                assert response.status_code == 200, f"{what} should answer 200, got {response.status_code}"
                _assert_cors_for(response, origin, what, preflight=True)


@pytest.mark.contract("q24.3", "q24.7")
def test_preflight_asking_for_one_header_too_many_is_400(client: httpx.Client) -> None:
    _assert_allowed_preflight(client)
    not_listed = (
        "Authorization, X-Api-Key",
        "Content-Type, Cookie",
        "X-Total-Count",
        "X-Requested-With",
        "Content-Type, X-Requested-With",
        "X-Api-Key",
        "X-CSRF-Token",
        "X-Client-ID",
        "If-None-Match",
        "Cache-Control",
    )
    for headers in not_listed:
        response = _preflight(client, APP, headers=headers)
        assert response.status_code == 400, (
            f"a preflight asking for the headers {headers!r} should answer 400, got {response.status_code}"
        )


@pytest.mark.contract("q24.2", "q24.4", "q24.9")
def test_every_response_to_an_allowed_origin_carries_the_cors_headers(client: httpx.Client) -> None:
    calls = (
        ("GET", "/items", None, 200),
        ("POST", "/items", {"name": "Drill"}, 201),
        ("POST", "/items", {"title": "no name"}, 422),
        ("DELETE", "/items/99", None, 404),
        ("GET", "/no-such-route", None, 404),
        ("DELETE", "/items/2", None, 204),
    )
    for number, (method, path, body, status) in enumerate(calls):
        origin = ALLOWED[number % 2]
        response = client.request(method, path, json=body, headers={"Origin": origin})
        what = f"{method} {path} from {origin}"
        assert response.status_code == status, f"{what} should answer {status}, got {response.status_code}"
        _assert_cors_for(response, origin, what)


@pytest.mark.contract("q24.8")
def test_no_answer_to_a_foreign_origin_allows_it(client: httpx.Client) -> None:
    _assert_allowed_simple(client)
    for origin in (EVIL, *LOOKALIKES):
        for method, path, body, status in (
            ("POST", "/items", {"name": "Planted"}, 201),
            ("POST", "/items", {}, 422),
            ("GET", "/no-such-route", None, 404),
        ):
            response = client.request(method, path, json=body, headers={"Origin": origin})
            assert response.status_code == status, (
                f"{method} {path} from {origin} is still answered ({status}), got {response.status_code}"
            )
            assert "access-control-allow-origin" not in response.headers, (
                f"{method} {path} from {origin} must not get Access-Control-Allow-Origin, "
                f"got {response.headers.get('access-control-allow-origin')!r}"
            )
        for method in ("GET", "POST"):
            preflight = _preflight(client, origin, method=method, headers="Authorization")
            assert "access-control-allow-origin" not in preflight.headers, (
                f"a {method} preflight from {origin} must not get Access-Control-Allow-Origin"
            )


@pytest.mark.contract("q24.2", "q24.9")
def test_items_keep_their_shape_ids_and_count(client: httpx.Client) -> None:
    names = ("Zo\u00eb's \U0001f528", "\u87ba\u4e1d\u5200", "Cle\u0301")
    expected = [{"id": 1, "name": "Hammer"}, {"id": 2, "name": "Saw"}]
    deleted = client.delete("/items/1", headers={"Origin": APP})
    assert deleted.status_code == 204, f"DELETE /items/1 should answer 204, got {deleted.status_code}"
    _assert_cors_for(deleted, APP, "DELETE /items/1 from an allowed origin")
    expected = expected[1:]
    for name in names:
        created = client.post("/items", json={"name": name}, headers={"Origin": APP})
        assert created.status_code == 201, f"POST /items {name!r} should answer 201, got {created.status_code}"
        body = created.json()
        assert isinstance(body, dict) and set(body) == {"id", "name"} and body["name"] == name, (
            f"POST /items should answer exactly {{'id': <new id>, 'name': {name!r}}}, got {created.text}"
        )
        used = {item["id"] for item in expected}
        assert isinstance(body["id"], int) and body["id"] not in used, (
            f"POST /items should give a new id, not one of {sorted(used)} already in use, got {body['id']!r}"
        )
        expected.append(body)
        listed = client.get("/items", headers={"Origin": APP})
        _assert_cors_for(listed, APP, "GET /items from an allowed origin")
        got = sorted(listed.json(), key=lambda item: item["id"])
        assert got == sorted(expected, key=lambda item: item["id"]), f"GET /items should list {expected}, got {got}"
        count = listed.headers.get("x-total-count")
        assert count == str(len(expected)), f"X-Total-Count should be {len(expected)}, got {count!r}"
