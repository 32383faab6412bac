"""Hidden tests for q02: a basic application."""

from urllib.parse import urlsplit

import httpx
import pytest


@pytest.mark.contract("q02.1")
def test_root_returns_hello_world(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200, f"GET / should answer 200, got {response.status_code}"
    assert response.json() == {"Hello": "World"}, 'GET / should answer {"Hello": "World"}'


@pytest.mark.contract("q02.1")
def test_root_is_json(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200, f"GET / should answer 200, got {response.status_code}"
    content_type = response.headers.get("content-type", "")
    # The media type must be application/json exactly; a charset parameter after it is allowed.
    media_type = content_type.split(";", 1)[0].strip().lower()
    assert media_type == "application/json", (
        f"GET / should answer with the media type application/json, got the content-type {content_type!r}"
    )


@pytest.mark.contract("q02.2")
def test_health_returns_ok(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200, f"GET /health should answer 200, got {response.status_code}"
    assert response.json() == {"status": "ok"}, f'GET /health should answer {{"status": "ok"}}, got {response.text}'


OTHER_METHODS = ("POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")


@pytest.mark.contract("q02.3")
def test_post_to_root_is_method_not_allowed(client: httpx.Client) -> None:
    assert client.get("/").status_code == 200, "GET / should exist before other methods are checked"
    for method in ("POST", "PUT", "DELETE"):
        response = client.request(method, "/")
        assert response.status_code == 405, f"{method} / should answer 405, got {response.status_code}"
    # "Only GET": @app.get does not answer HEAD either, and a route that accepts it breaks the contract.
    response = client.head("/")
    assert response.status_code == 405, f"HEAD / should answer 405 (only GET is served), got {response.status_code}"


@pytest.mark.contract("q02.3")
def test_delete_on_health_is_method_not_allowed(client: httpx.Client) -> None:
    assert client.get("/health").status_code == 200, "GET /health should exist before other methods are checked"
    for method in ("DELETE", "POST", "PATCH"):
        response = client.request(method, "/health")
        assert response.status_code == 405, f"{method} /health should answer 405, got {response.status_code}"
    response = client.head("/health")
    assert response.status_code == 405, f"HEAD /health should answer 405 (only GET), got {response.status_code}"


@pytest.mark.contract("q02.3")
def test_every_other_method_on_both_routes_is_method_not_allowed(client: httpx.Client) -> None:
    # "Any other method": every one of them, on both routes, not a sample.
    for path in ("/", "/health"):
        assert client.get(path).status_code == 200, f"GET {path} should exist before other methods are checked"
        for method in OTHER_METHODS:
            response = client.request(method, path)
            assert response.status_code == 405, (
                f"{method} {path} should answer 405 (only GET), got {response.status_code}"
            )


@pytest.mark.contract("q02.3")
def test_options_is_method_not_allowed(client: httpx.Client) -> None:
    for path in ("/", "/health"):
        assert client.get(path).status_code == 200, f"GET {path} should exist before OPTIONS is checked"
        response = client.options(path)
        assert response.status_code == 405, f"OPTIONS {path} should answer 405 (only GET), got {response.status_code}"


@pytest.mark.contract("q02.3")
def test_a_cors_preflight_is_method_not_allowed_too(client: httpx.Client) -> None:
    preflight = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"}
    for path in ("/", "/health"):
        assert client.get(path).status_code == 200, f"GET {path} should exist before a preflight is checked"
        response = client.options(path, headers=preflight)
        assert response.status_code == 405, (
            f"a CORS preflight (OPTIONS {path} with Origin and Access-Control-Request-Method) should answer 405 "
            f"like every OPTIONS, got {response.status_code}"
        )


@pytest.mark.contract("q02.4")
def test_unknown_path_is_not_found(client: httpx.Client) -> None:
    assert client.get("/").status_code == 200, "GET / should exist before unknown paths are checked"
    for path in (
        "/nothing-here",
        "/healthz",
        "/HEALTH",
        "/Health",
        "/health/extra",
        "/héalth",
        "/健康",
        "/index.html",
        "/index",
        "/hello",
        "/ping",
        "/status",
        "/healthcheck",
        "/api/health",
        "/v1/health",
    ):
        response = client.get(path)
        assert response.status_code == 404, f"GET {path} is no route: it should answer 404, got {response.status_code}"


@pytest.mark.contract("q02.4")
def test_unknown_path_is_not_found_whatever_the_method(client: httpx.Client) -> None:
    # A path that is no route answers 404 for every method: 405 would say the path exists.
    assert client.get("/").status_code == 200, "GET / should exist before unknown paths are checked"
    for method in ("GET", *OTHER_METHODS):
        for path in ("/nothing-here", "/healthz", "/HEALTH"):
            response = client.request(method, path)
            assert response.status_code == 404, (
                f"{method} {path} is no route: it should answer 404, got {response.status_code}"
            )


@pytest.mark.contract("q02.4")
def test_health_with_a_trailing_slash_redirects_or_is_not_found(client: httpx.Client) -> None:
    # The contract leaves two answers open for /health/: FastAPI's default redirect to /health, or a 404
    # (redirect_slashes=False). Serving /health/ itself, with a 200, is the one wrong answer.
    assert client.get("/health").status_code == 200, "GET /health should exist before /health/ is checked"
    response = client.get("/health/", follow_redirects=False)
    if response.is_redirect:
        target = urlsplit(response.headers.get("location", "")).path
        assert target == "/health", f"GET /health/ may redirect, but to /health; it redirects to {target!r}"
    else:
        assert response.status_code == 404, (
            f"GET /health/ should redirect to /health or answer 404 (not be a route of its own), "
            f"got {response.status_code}"
        )
