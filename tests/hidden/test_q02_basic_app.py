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
    assert content_type.startswith("application/json"), (
        f"GET / should answer with the content-type application/json, got {content_type!r}"
    )


@pytest.mark.contract("q02.2")
def test_health_returns_ok(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200, f"GET /health should answer 200, got {response.status_code}"
    assert response.json() == {"status": "ok"}, f'GET /health should answer {{"status": "ok"}}, got {response.text}'


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
def test_options_is_method_not_allowed(client: httpx.Client) -> None:
    for path in ("/", "/health"):
        assert client.get(path).status_code == 200, f"GET {path} should exist before OPTIONS is checked"
        response = client.options(path)
        assert response.status_code == 405, f"OPTIONS {path} should answer 405 (only GET), got {response.status_code}"


@pytest.mark.contract("q02.4")
def test_unknown_path_is_not_found(client: httpx.Client) -> None:
    assert client.get("/").status_code == 200, "GET / should exist before unknown paths are checked"
    for path in ("/nothing-here", "/healthz", "/HEALTH", "/health/extra"):
        response = client.get(path)
        assert response.status_code == 404, f"GET {path} is no route: it should answer 404, got {response.status_code}"


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
