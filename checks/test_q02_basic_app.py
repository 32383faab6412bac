"""Public checks for q02: the examples of the contract, as tests you can read and run.

`fastlings check 2` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from fastapi.testclient import TestClient


def test_root_says_hello_world(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200, f"GET / should answer 200, got {response.status_code}"
    assert response.json() == {"Hello": "World"}


def test_health_is_ok(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200, f"GET /health should answer 200, got {response.status_code}"
    assert response.json() == {"status": "ok"}
