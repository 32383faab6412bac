"""Public checks for q16: logging in and using the token, as tests you can read and run.

`fastlings check 16` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, including the many kinds of invalid token.
"""

from fastapi.testclient import TestClient


def test_alice_logs_in_and_her_token_opens_users_me(client: TestClient) -> None:
    login = client.post("/token", json={"username": "alice", "password": "wonderland"})
    assert login.status_code == 200, f"POST /token should answer 200 for alice, got {login.status_code}: {login.text}"
    body = login.json()
    assert body.get("token_type") == "bearer", f"token_type should be 'bearer', got {body}"
    token = body.get("access_token")
    assert isinstance(token, str) and token, f"access_token should be a non-empty string, got {body}"

    me = client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, f"GET /users/me with alice's token should answer 200, got {me.status_code}: {me.text}"
    assert me.json() == {"username": "alice"}, f"GET /users/me should answer alice's name, got {me.json()}"


def test_wrong_password_is_refused(client: TestClient) -> None:
    response = client.post("/token", json={"username": "alice", "password": "looking-glass"})
    assert response.status_code == 401, (
        f"POST /token with a wrong password should answer 401, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"detail": "Incorrect username or password"}, (
        f"the 401 body should be {{'detail': 'Incorrect username or password'}}, got {response.json()}"
    )


def test_users_me_without_credentials_is_not_authenticated(client: TestClient) -> None:
    response = client.get("/users/me")
    assert response.status_code == 401, (
        f"GET /users/me without a token should answer 401, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"detail": "Not authenticated"}, (
        f"the 401 body should be {{'detail': 'Not authenticated'}}, got {response.json()}"
    )
    assert response.headers.get("WWW-Authenticate") == "Bearer", (
        f"the 401 should carry WWW-Authenticate: Bearer, got {response.headers.get('WWW-Authenticate')!r}"
    )


def test_users_me_refuses_a_token_that_is_not_a_jwt(client: TestClient) -> None:
    response = client.get("/users/me", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401, (
        f"GET /users/me with a garbage token should answer 401, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"detail": "Invalid token"}, (
        f"the 401 body should be {{'detail': 'Invalid token'}}, got {response.json()}"
    )
    www_authenticate = response.headers.get("WWW-Authenticate", "")
    assert www_authenticate.startswith("Bearer"), (
        f"the 401 should carry a WWW-Authenticate header starting with Bearer, got {www_authenticate!r}"
    )
