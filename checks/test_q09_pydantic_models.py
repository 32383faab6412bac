"""Public checks for q09: a signup validated by Pydantic models, as tests you can read and run.

`fastlings check 9` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from grader.judge.fixtures import error_locs

VALID_SIGNUP = {
    "username": "alice_01",
    "email": "Alice@Example.COM",
    "password": "secret123",
    "password_confirm": "secret123",
}


def test_valid_signup_answers_201_without_the_password(client: TestClient) -> None:
    response = client.post("/signup", json=VALID_SIGNUP)
    assert response.status_code == 201, f"POST /signup should answer 201, got {response.status_code}: {response.text}"
    assert response.json() == {"username": "alice_01", "email": "alice@example.com", "age": None}, (
        f"POST /signup should answer exactly username, the lowercased email and age, got {response.json()}"
    )


def test_unknown_field_is_refused(client: TestClient) -> None:
    response = client.post("/signup", json={**VALID_SIGNUP, "is_admin": True})
    assert response.status_code == 422, (
        f"POST /signup with is_admin should answer 422, got {response.status_code}: {response.text}"
    )
    assert ["body", "is_admin"] in error_locs(response.json()), (
        f"the 422 should have an error at loc ['body', 'is_admin'], got {response.json()}"
    )


def test_mismatched_passwords_are_refused(client: TestClient) -> None:
    response = client.post("/signup", json={**VALID_SIGNUP, "password_confirm": "secret124"})
    assert response.status_code == 422, (
        f"POST /signup with different passwords should answer 422, got {response.status_code}: {response.text}"
    )
    messages = [error.get("msg", "") for error in response.json().get("detail", [])]
    assert any("passwords do not match" in message for message in messages), (
        f"an error msg should contain 'passwords do not match', got {messages}"
    )


def test_model_refuses_a_password_without_a_digit(target_module: ModuleType) -> None:
    data = {**VALID_SIGNUP, "password": "onlyletters", "password_confirm": "onlyletters"}
    with pytest.raises(ValidationError, match="password must contain a letter and a digit"):
        target_module.UserSignup.model_validate(data)
