"""Public checks for q21: five calls a minute per client, as tests you can read and run.

`fastlings check 21` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from types import ModuleType

import pytest
from fastapi.testclient import TestClient

LIMIT = 5


@pytest.fixture(autouse=True)
def _no_counts_yet(target_module: ModuleType) -> None:
    """Every check starts with no counts, through the contract's reset_limits()."""
    target_module.reset_limits()


def use_up_the_limit(client: TestClient, client_id: str) -> None:
    """Make the 5 allowed calls to /limited as `client_id`, checking that each one succeeds."""
    for number in range(1, LIMIT + 1):
        response = client.get("/limited", headers={"X-Client-ID": client_id})
        assert response.status_code == 200, (
            f"call {number} of {LIMIT} to GET /limited as {client_id!r} should answer 200, got {response.status_code}"
        )
        assert response.json() == {"message": "Success"}, (
            f"GET /limited should answer {{'message': 'Success'}}, got {response.json()}"
        )


def test_sixth_call_in_a_minute_answers_429_with_retry_after(client: TestClient) -> None:
    use_up_the_limit(client, "alice")
    response = client.get("/limited", headers={"X-Client-ID": "alice"})
    assert response.status_code == 429, (
        f"the 6th call to GET /limited within a minute should answer 429, got {response.status_code}"
    )
    retry_after = response.headers.get("Retry-After", "")
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 61, (
        f"the 429 should carry Retry-After, a whole number of seconds from 1 to 61, got {retry_after!r}"
    )


def test_a_client_over_the_limit_does_not_block_another_client_id(client: TestClient) -> None:
    use_up_the_limit(client, "alice")
    blocked = client.get("/limited", headers={"X-Client-ID": "alice"})
    assert blocked.status_code == 429, f"alice's 6th call should answer 429, got {blocked.status_code}"
    other = client.get("/limited", headers={"X-Client-ID": "bob"})
    assert other.status_code == 200, (
        f"bob has his own count: his first call should answer 200 while alice is limited, got {other.status_code}"
    )


def test_reset_limits_lets_a_limited_client_call_again(client: TestClient, target_module: ModuleType) -> None:
    use_up_the_limit(client, "alice")
    blocked = client.get("/limited", headers={"X-Client-ID": "alice"})
    assert blocked.status_code == 429, f"alice's 6th call should answer 429, got {blocked.status_code}"
    target_module.reset_limits()
    again = client.get("/limited", headers={"X-Client-ID": "alice"})
    assert again.status_code == 200, (
        f"after reset_limits(), alice's next call should answer 200, got {again.status_code}"
    )
