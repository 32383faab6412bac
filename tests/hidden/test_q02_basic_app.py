"""Hidden tests for q02: a basic application."""

import httpx


def test_root_returns_hello_world(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200, f"GET / should answer 200, got {response.status_code}"
    assert response.json() == {"Hello": "World"}, 'GET / should answer {"Hello": "World"}'


def test_root_is_json(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200, f"GET / should answer 200, got {response.status_code}"
    assert response.headers["content-type"].startswith("application/json"), "GET / should answer with JSON"


def test_health_returns_ok(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200, f"GET /health should answer 200, got {response.status_code}"
    assert response.json() == {"status": "ok"}, 'GET /health should answer {"status": "ok"}'


def test_post_to_root_is_method_not_allowed(client: httpx.Client) -> None:
    assert client.get("/").status_code == 200, "GET / should exist before other methods are checked"
    response = client.post("/")
    assert response.status_code == 405, f"POST / should answer 405, got {response.status_code}"
    # "Only GET": @app.get does not answer HEAD either, and a route that accepts it breaks the contract.
    response = client.head("/")
    assert response.status_code == 405, f"HEAD / should answer 405 (only GET is served), got {response.status_code}"


def test_delete_on_health_is_method_not_allowed(client: httpx.Client) -> None:
    assert client.get("/health").status_code == 200, "GET /health should exist before other methods are checked"
    response = client.delete("/health")
    assert response.status_code == 405, f"DELETE /health should answer 405, got {response.status_code}"
    response = client.head("/health")
    assert response.status_code == 405, f"HEAD /health should answer 405 (only GET), got {response.status_code}"


def test_unknown_path_is_not_found(client: httpx.Client) -> None:
    assert client.get("/").status_code == 200, "GET / should exist before unknown paths are checked"
    assert client.get("/nothing-here").status_code == 404, "an unknown path should answer 404"
