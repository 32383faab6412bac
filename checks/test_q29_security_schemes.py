"""Public checks for q29: OAuth2 scopes and an API key, as tests you can read and run.

`fastlings check 29` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, the OpenAPI schema included.
"""

from fastapi.testclient import TestClient


def get_token(client: TestClient, username: str, password: str, scope: str) -> str:
    """Log in through the app's own POST /token form and return the access token."""
    response = client.post("/token", data={"username": username, "password": password, "scope": scope})
    assert response.status_code == 200, (
        f"POST /token should answer 200 for {username}, got {response.status_code}: {response.text}"
    )
    body = response.json()
    assert body.get("token_type") == "bearer", f"token_type should be 'bearer', got {body}"
    token = body.get("access_token")
    assert isinstance(token, str) and token, f"access_token should be a non-empty string, got {body}"
    return token


def test_alice_gets_a_token_with_the_scopes_she_asked_for(client: TestClient) -> None:
    token = get_token(client, "alice", "wonderland", "items:read items:write")
    response = client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, f"GET /users/me should answer 200, got {response.status_code}: {response.text}"
    body = response.json()
    assert body.get("username") == "alice", f"username should be 'alice', got {body}"
    assert sorted(body.get("scopes", [])) == ["items:read", "items:write"], (
        f"alice's token should carry both scopes she asked for, got {body}"
    )


def test_read_scope_lists_items_but_cannot_create_them(client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {get_token(client, 'bob', 'builder', 'items:read')}"}
    listing = client.get("/items/", headers=headers)
    assert listing.status_code == 200, (
        f"GET /items/ with scope items:read should answer 200, got {listing.status_code}: {listing.text}"
    )
    assert isinstance(listing.json(), list), f"GET /items/ should answer a JSON list, got {listing.json()}"

    creation = client.post("/items/", json={"name": "saw"}, headers=headers)
    assert creation.status_code == 403, (
        f"POST /items/ without scope items:write should answer 403, got {creation.status_code}: {creation.text}"
    )
    assert creation.json() == {"detail": "Not enough permissions"}, (
        f"the 403 body should be {{'detail': 'Not enough permissions'}}, got {creation.json()}"
    )


def test_request_without_a_token_is_refused_with_401(client: TestClient) -> None:
    response = client.get("/users/me")
    assert response.status_code == 401, (
        f"GET /users/me without a token should answer 401, got {response.status_code}: {response.text}"
    )
    www_authenticate = response.headers.get("WWW-Authenticate", "")
    assert www_authenticate.startswith("Bearer"), (
        f"the 401 should carry a WWW-Authenticate header starting with Bearer, got {www_authenticate!r}"
    )


def test_service_status_needs_the_right_api_key(client: TestClient) -> None:
    allowed = client.get("/service/status", headers={"X-API-Key": "service-key-123"})
    assert allowed.status_code == 200, (
        f"GET /service/status with the right key should answer 200, got {allowed.status_code}: {allowed.text}"
    )
    assert allowed.json() == {"status": "ok"}, f"GET /service/status should answer status ok, got {allowed.json()}"

    refused = client.get("/service/status", headers={"X-API-Key": "wrong-key"})
    assert refused.status_code == 401, (
        f"GET /service/status with a wrong key should answer 401, got {refused.status_code}: {refused.text}"
    )
