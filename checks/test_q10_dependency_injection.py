"""Public checks for q10: the token guard and the dependencies behind each route, as tests you can read and run.

`fastlings check 10` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, the class dependency and the dependency overrides included.
"""

from types import ModuleType

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def token(target_module: ModuleType) -> dict[str, str]:
    """The X-Token header the guard accepts: the module's own API_TOKEN."""
    return {"X-Token": target_module.API_TOKEN}


def test_items_answer_the_common_query_parameters(client: TestClient, token: dict[str, str]) -> None:
    response = client.get("/items/", params={"q": "foo", "skip": 5}, headers=token)
    assert response.status_code == 200, (
        f"GET /items/?q=foo&skip=5 with a valid X-Token should answer 200, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"q": "foo", "skip": 5, "limit": 100}, (
        f"GET /items/?q=foo&skip=5 should answer {{'q': 'foo', 'skip': 5, 'limit': 100}}, got {response.json()}"
    )


def test_missing_or_wrong_token_is_refused(client: TestClient) -> None:
    for what, headers in [("a missing", {}), ("a wrong", {"X-Token": "wrong-token"})]:
        response = client.get("/items/", headers=headers)
        assert response.status_code == 401, (
            f"GET /items/ with {what} X-Token should answer 401, got {response.status_code}: {response.text}"
        )
        assert response.json() == {"detail": "Invalid X-Token header"}, (
            f"the 401 body should be {{'detail': 'Invalid X-Token header'}}, got {response.json()}"
        )


def test_users_me_answers_active_users_and_refuses_the_others(client: TestClient, token: dict[str, str]) -> None:
    alice = client.get("/users/me", headers={**token, "X-User": "alice"})
    assert alice.status_code == 200, f"GET /users/me as alice should answer 200, got {alice.status_code}: {alice.text}"
    assert alice.json() == {"username": "alice", "full_name": "Alice Liddell"}, (
        f"GET /users/me as alice should answer her username and full name, got {alice.json()}"
    )

    bob = client.get("/users/me", headers={**token, "X-User": "bob"})
    assert bob.status_code == 403, f"GET /users/me as bob (disabled) should answer 403, got {bob.status_code}"
    assert bob.json() == {"detail": "Inactive user"}, (
        f"the 403 body should be {{'detail': 'Inactive user'}}, got {bob.json()}"
    )

    nobody = client.get("/users/me", headers={**token, "X-User": "nobody"})
    assert nobody.status_code == 401, f"GET /users/me as an unknown user should answer 401, got {nobody.status_code}"
    assert nobody.json() == {"detail": "Unknown user"}, (
        f"the 401 body should be {{'detail': 'Unknown user'}}, got {nobody.json()}"
    )


def test_my_items_opens_exactly_one_session_per_request(
    client: TestClient, target_module: ModuleType, monkeypatch: pytest.MonkeyPatch, token: dict[str, str]
) -> None:
    original_open_session = target_module.open_session
    calls: list[None] = []

    def counting_open_session() -> object:
        calls.append(None)
        return original_open_session()

    monkeypatch.setattr(target_module, "open_session", counting_open_session)
    response = client.get("/users/me/items", headers={**token, "X-User": "alice"})
    assert response.status_code == 200, (
        f"GET /users/me/items as alice should answer 200, got {response.status_code}: {response.text}"
    )
    assert response.json() == [
        {"name": "Rabbit hole", "owner": "alice"},
        {"name": "Looking glass", "owner": "alice"},
    ], f"GET /users/me/items as alice should list her two items, got {response.json()}"
    assert len(calls) == 1, f"one request should call open_session() exactly once, it was called {len(calls)} times"
