"""Public checks for q22: a users API on a real SQLite file, as tests you can read and run.

`fastlings check 22` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, including how the sessions are opened and closed.

As the contract says, each check points DATABASE_URL at a fresh SQLite file in a temporary folder before
importing the module.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def db_client(database_url: str, load_target: Callable[[], ModuleType]) -> Iterator[TestClient]:
    """A TestClient on a module imported after DATABASE_URL was set, with the app started."""
    module = load_target()
    with TestClient(module.app) as test_client:
        yield test_client


def create_user(client: TestClient, email: str, name: str) -> dict[str, object]:
    response = client.post("/users/", json={"email": email, "name": name})
    assert response.status_code == 201, (
        f"POST /users/ for {email} should answer 201, got {response.status_code}: {response.text}"
    )
    return response.json()


def test_created_user_can_be_read_back_even_after_a_fresh_import(
    db_client: TestClient, load_target: Callable[[], ModuleType]
) -> None:
    user = create_user(db_client, "alice@example.com", "Alice")
    assert isinstance(user.get("id"), int), f"the created user should have an integer id, got {user}"
    assert user == {"id": user["id"], "email": "alice@example.com", "name": "Alice"}, (
        f"POST /users/ should answer the stored user {{'id', 'email', 'name'}}, got {user}"
    )
    one = db_client.get(f"/users/{user['id']}")
    assert one.status_code == 200, f"GET /users/{user['id']} should answer 200, got {one.status_code}: {one.text}"
    assert one.json() == user, f"GET /users/{user['id']} should answer the created user, got {one.json()}"
    listed = db_client.get("/users/")
    assert listed.status_code == 200, f"GET /users/ should answer 200, got {listed.status_code}: {listed.text}"
    assert listed.json() == [user], f"GET /users/ should list the one created user, got {listed.json()}"

    # The data lives in the DATABASE_URL file: a second import with the same URL sees it.
    with TestClient(load_target().app) as second_client:
        again = second_client.get("/users/")
    assert again.json() == [user], (
        f"a fresh import with the same DATABASE_URL should list the stored user, got {again.json()}"
    )


def test_duplicate_email_answers_409_and_stores_nothing(db_client: TestClient) -> None:
    first = create_user(db_client, "alice@example.com", "Alice")
    response = db_client.post("/users/", json={"email": "alice@example.com", "name": "Another Alice"})
    assert response.status_code == 409, (
        f"POST /users/ with an email already stored should answer 409, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"detail": "Email already registered"}, (
        f"the 409 body should be {{'detail': 'Email already registered'}}, got {response.json()}"
    )
    assert db_client.get("/users/").json() == [first], "the refused user should not be stored"


def test_unknown_user_answers_404(db_client: TestClient) -> None:
    response = db_client.get("/users/999")
    assert response.status_code == 404, f"GET /users/999 should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "User not found"}, (
        f"the 404 body should be {{'detail': 'User not found'}}, got {response.json()}"
    )


def test_batch_with_a_repeated_email_stores_none_of_them(db_client: TestClient) -> None:
    batch = [
        {"email": "bob@example.com", "name": "Bob"},
        {"email": "carol@example.com", "name": "Carol"},
        {"email": "bob@example.com", "name": "Bob again"},
    ]
    response = db_client.post("/users/batch", json=batch)
    assert response.status_code == 409, (
        f"POST /users/batch with an email twice should answer 409, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"detail": "Email already registered"}, (
        f"the 409 body should be {{'detail': 'Email already registered'}}, got {response.json()}"
    )
    listed = db_client.get("/users/")
    assert listed.status_code == 200, f"GET /users/ should answer 200, got {listed.status_code}: {listed.text}"
    assert listed.json() == [], f"a failed batch should be rolled back entirely, but GET /users/ lists {listed.json()}"
