"""Public checks for q07: one resource served with every method, as tests you can read and run.

`fastlings check 7` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from typing import Any

from fastapi.testclient import TestClient


def _create(client: TestClient, item: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/items/", json=item)
    assert response.status_code == 201, f"POST /items/ should answer 201, got {response.status_code}: {response.text}"
    return response.json()


def test_post_stores_an_item_that_get_reads_back(client: TestClient) -> None:
    created = _create(client, {"name": "Pen", "price": 1.5})
    assert isinstance(created.get("id"), int) and created["id"] > 0, f"the id should be a positive int, got {created}"
    assert created == {"id": created["id"], "name": "Pen", "price": 1.5, "description": None}, (
        f"POST /items/ should answer the stored item with exactly id, name, price and description, got {created}"
    )
    response = client.get(f"/items/{created['id']}")
    assert response.status_code == 200, f"GET /items/{created['id']} should answer 200, got {response.status_code}"
    assert response.json() == created, f"GET should answer the stored item {created}, got {response.json()}"


def test_patch_changes_only_the_fields_sent(client: TestClient) -> None:
    created = _create(client, {"name": "Pen", "price": 1.5, "description": "blue ink"})
    response = client.patch(f"/items/{created['id']}", json={"price": 2.0})
    assert response.status_code == 200, f"PATCH should answer 200, got {response.status_code}: {response.text}"
    assert response.json() == {"id": created["id"], "name": "Pen", "price": 2.0, "description": "blue ink"}, (
        f"PATCH with only a price should keep name and description, got {response.json()}"
    )


def test_delete_answers_204_empty_and_the_item_is_gone(client: TestClient) -> None:
    created = _create(client, {"name": "Pen", "price": 1.5})
    response = client.delete(f"/items/{created['id']}")
    assert response.status_code == 204, f"DELETE should answer 204, got {response.status_code}: {response.text}"
    assert response.content == b"", f"the 204 should have an empty body, got {response.content!r}"
    gone = client.get(f"/items/{created['id']}")
    assert gone.status_code == 404, f"GET after DELETE should answer 404, got {gone.status_code}: {gone.text}"


def test_options_on_the_collection_lists_its_methods(client: TestClient) -> None:
    response = client.options("/items/")
    assert response.status_code == 204, f"OPTIONS /items/ should answer 204, got {response.status_code}"
    allowed = [method.strip().upper() for method in response.headers.get("Allow", "").split(",") if method.strip()]
    assert sorted(allowed) == sorted(["GET", "HEAD", "POST", "OPTIONS"]), (
        f"the Allow header should list exactly GET, HEAD, POST, OPTIONS, got {response.headers.get('Allow')!r}"
    )
