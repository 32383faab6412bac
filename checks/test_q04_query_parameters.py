"""Public checks for q04: reading the query string, as tests you can read and run.

`fastlings check 4` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from fastapi.testclient import TestClient

from grader.judge.fixtures import error_locs


def test_items_uses_defaults_and_reads_given_values(client: TestClient) -> None:
    default = client.get("/items/")
    assert default.status_code == 200, f"GET /items/ should answer 200, got {default.status_code}: {default.text}"
    assert default.json() == {"skip": 0, "limit": 10, "q": None}, (
        f"GET /items/ should answer the defaults, got {default.json()}"
    )

    given = client.get("/items/?skip=20&limit=5&q=pen")
    assert given.status_code == 200, f"GET /items/?skip=20&limit=5&q=pen should answer 200, got {given.status_code}"
    assert given.json() == {"skip": 20, "limit": 5, "q": "pen"}, (
        f"GET /items/?skip=20&limit=5&q=pen should answer the values given, got {given.json()}"
    )


def test_limit_above_100_is_refused(client: TestClient) -> None:
    response = client.get("/items/?limit=101")
    assert response.status_code == 422, (
        f"GET /items/?limit=101 should answer 422, got {response.status_code}: {response.text}"
    )
    assert ["query", "limit"] in error_locs(response.json()), (
        f"the 422 should have an error at loc ['query', 'limit'], got {response.json()}"
    )


def test_short_is_a_boolean_defaulting_to_false(client: TestClient) -> None:
    default = client.get("/items/5")
    assert default.status_code == 200, f"GET /items/5 should answer 200, got {default.status_code}: {default.text}"
    assert default.json() == {"item_id": 5, "short": False}, f"short should default to false, got {default.json()}"

    yes = client.get("/items/5?short=yes")
    assert yes.status_code == 200, f"GET /items/5?short=yes should answer 200, got {yes.status_code}: {yes.text}"
    assert yes.json() == {"item_id": 5, "short": True}, f"short=yes should read as true, got {yes.json()}"


def test_search_needs_q_and_collects_repeated_tags(client: TestClient) -> None:
    response = client.get("/search/?q=pen&tag=red&tag=blue")
    assert response.status_code == 200, (
        f"GET /search/?q=pen&tag=red&tag=blue should answer 200, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"q": "pen", "tags": ["red", "blue"]}, (
        f"GET /search/ should answer q and every tag in order, got {response.json()}"
    )

    missing = client.get("/search/")
    assert missing.status_code == 422, f"GET /search/ without q should answer 422, got {missing.status_code}"
    assert ["query", "q"] in error_locs(missing.json()), (
        f"the 422 should have an error at loc ['query', 'q'], got {missing.json()}"
    )
