"""Public checks for q17: three routers served under /api/v1, as tests you can read and run.

`fastlings check 17` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, the OpenAPI tags and documented responses included.
"""

from fastapi.testclient import TestClient

ADMIN_TOKEN = "fake-super-secret-token"


def test_items_are_served_under_api_v1_and_nowhere_else(client: TestClient) -> None:
    listing = client.get("/api/v1/items/")
    assert listing.status_code == 200, f"GET /api/v1/items/ should answer 200, got {listing.status_code}"
    items = listing.json()
    assert isinstance(items, list), f"GET /api/v1/items/ should answer a list, got {items}"
    expected = [{"id": 1, "name": "Hammer"}, {"id": 2, "name": "Screwdriver"}, {"id": 3, "name": "Wrench"}]
    assert sorted(items, key=lambda item: item["id"]) == expected, (
        f"GET /api/v1/items/ should list the three items of ITEMS, got {items}"
    )

    one = client.get("/api/v1/items/2")
    assert one.status_code == 200, f"GET /api/v1/items/2 should answer 200, got {one.status_code}"
    assert one.json() == {"id": 2, "name": "Screwdriver"}, f"GET /api/v1/items/2 should answer item 2, got {one.json()}"

    unprefixed = client.get("/items/")
    assert unprefixed.status_code == 404, (
        f"GET /items/ (without /api/v1) should answer 404, got {unprefixed.status_code}"
    )


def test_unknown_item_answers_404_item_not_found(client: TestClient) -> None:
    response = client.get("/api/v1/items/999")
    assert response.status_code == 404, f"GET /api/v1/items/999 should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "Item not found"}, (
        f"the 404 body should be {{'detail': 'Item not found'}}, got {response.json()}"
    )


def test_admin_refuses_a_missing_or_wrong_token_with_403(client: TestClient) -> None:
    for headers, case in (({}, "without X-Token"), ({"X-Token": "wrong-token"}, "with a wrong X-Token")):
        response = client.get("/api/v1/admin/stats", headers=headers)
        assert response.status_code == 403, (
            f"GET /api/v1/admin/stats {case} should answer 403, got {response.status_code}: {response.text}"
        )
        assert response.json() == {"detail": "Invalid X-Token header"}, (
            f"the 403 body {case} should be {{'detail': 'Invalid X-Token header'}}, got {response.json()}"
        )


def test_admin_stats_with_the_token_counts_items_and_users(client: TestClient) -> None:
    response = client.get("/api/v1/admin/stats", headers={"X-Token": ADMIN_TOKEN})
    assert response.status_code == 200, (
        f"GET /api/v1/admin/stats with the right X-Token should answer 200, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"items": 3, "users": 2}, (
        f"the stats should be {{'items': 3, 'users': 2}}, got {response.json()}"
    )
