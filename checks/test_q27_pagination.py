"""Public checks for q27: offset pagination with total, links and validation, as tests you can read and run.

`fastlings check 27` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.

As the contract allows, a link is read as a path and its query parameters, so a relative or an absolute link,
in any parameter order, passes.
"""

from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient


def assert_link(link: object, skip: int, limit: int, name: str) -> None:
    expected = f"/items/?skip={skip}&limit={limit}"
    assert isinstance(link, str), f"{name} should link to {expected}, got {link!r}"
    parts = urlsplit(link)
    assert parts.path == "/items/", f"{name} should link to {expected}, got {link!r}"
    assert parse_qs(parts.query) == {"skip": [str(skip)], "limit": [str(limit)]}, (
        f"{name} should link to {expected} (exactly these two parameters), got {link!r}"
    )


def ids(body: dict[str, object]) -> list[object]:
    items = body.get("items")
    assert isinstance(items, list), f"the body should hold a list of items, got {body}"
    return [item.get("id") for item in items]


def test_first_page_by_default(client: TestClient) -> None:
    response = client.get("/items/")
    assert response.status_code == 200, f"GET /items/ should answer 200, got {response.status_code}"
    body = response.json()
    assert ids(body) == list(range(1, 11)), f"GET /items/ should answer the items with ids 1 to 10, got {ids(body)}"
    assert (body.get("total"), body.get("skip"), body.get("limit")) == (100, 0, 10), (
        f"GET /items/ should answer total 100, skip 0, limit 10, got {body}"
    )
    assert response.headers.get("X-Total-Count") == "100", (
        f"the X-Total-Count header should be '100', got {response.headers.get('X-Total-Count')!r}"
    )
    assert_link(body.get("next"), 10, 10, "next")
    assert "previous" in body, f"the body should hold a 'previous' key, got {body}"
    assert body["previous"] is None, f"previous should be null on the first page, got {body['previous']!r}"


def test_page_in_the_middle_links_both_ways(client: TestClient) -> None:
    response = client.get("/items/", params={"skip": 20, "limit": 5})
    assert response.status_code == 200, f"GET /items/?skip=20&limit=5 should answer 200, got {response.status_code}"
    body = response.json()
    assert ids(body) == [21, 22, 23, 24, 25], f"skip=20&limit=5 should answer ids 21 to 25, got {ids(body)}"
    assert (body.get("total"), body.get("skip"), body.get("limit")) == (100, 20, 5), (
        f"skip=20&limit=5 should answer total 100, skip 20, limit 5, got {body}"
    )
    assert_link(body.get("next"), 25, 5, "next")
    assert_link(body.get("previous"), 15, 5, "previous")


def test_last_page_is_short_and_has_no_next(client: TestClient) -> None:
    response = client.get("/items/", params={"skip": 95, "limit": 10})
    assert response.status_code == 200, f"GET /items/?skip=95&limit=10 should answer 200, got {response.status_code}"
    body = response.json()
    assert ids(body) == [96, 97, 98, 99, 100], f"skip=95&limit=10 should answer ids 96 to 100, got {ids(body)}"
    assert body.get("total") == 100, f"total should be 100 on every page, got {body.get('total')!r}"
    assert "next" in body, f"the body should hold a 'next' key, got {body}"
    assert body["next"] is None, f"next should be null when no items follow the page, got {body['next']!r}"
    assert_link(body.get("previous"), 85, 10, "previous")


def test_values_out_of_range_answer_422(client: TestClient) -> None:
    for params in ({"skip": -1}, {"limit": 0}, {"limit": 51}, {"limit": "ten"}):
        response = client.get("/items/", params=params)
        assert response.status_code == 422, f"GET /items/ with {params} should answer 422, got {response.status_code}"
