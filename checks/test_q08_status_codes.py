"""Public checks for q08: choosing the status code, as tests you can read and run.

`fastlings check 8` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from urllib.parse import urlsplit

from fastapi.testclient import TestClient


def test_post_answers_201_with_a_location_header(client: TestClient) -> None:
    response = client.post("/items/", json={"name": "Pen", "price": 1.5})
    assert response.status_code == 201, f"POST /items/ should answer 201, got {response.status_code}: {response.text}"
    body = response.json()
    assert body.get("message") == "Item created", f"the message should be 'Item created', got {body}"
    new_id = body.get("id")
    assert isinstance(new_id, int) and new_id > 0, f"the new id should be a positive int, got {body}"
    location = response.headers.get("Location") or ""
    assert urlsplit(location).path == f"/items/{new_id}", (
        f"the Location header should point at /items/{new_id}, got {response.headers.get('Location')!r}"
    )


def test_get_a_missing_item_answers_404(client: TestClient) -> None:
    response = client.get("/items/999")
    assert response.status_code == 404, f"GET /items/999 should answer 404, got {response.status_code}: {response.text}"
    assert response.json() == {"detail": "Item not found"}, (
        f"the 404 body should be {{'detail': 'Item not found'}}, got {response.json()}"
    )


def test_put_answers_201_when_creating_and_200_when_replacing(client: TestClient) -> None:
    created = client.put("/items/7", json={"name": "Pen", "price": 1.5})
    assert created.status_code == 201, f"PUT on a new id should answer 201, got {created.status_code}: {created.text}"
    assert created.json() == {"id": 7, "name": "Pen", "price": 1.5}, (
        f"PUT should answer the stored item, got {created.json()}"
    )

    replaced = client.put("/items/7", json={"name": "Pencil", "price": 0.5})
    assert replaced.status_code == 200, (
        f"PUT on an existing id should answer 200, got {replaced.status_code}: {replaced.text}"
    )
    assert replaced.json() == {"id": 7, "name": "Pencil", "price": 0.5}, (
        f"PUT should answer the new stored item, got {replaced.json()}"
    )


def test_delete_answers_204_with_zero_bytes_then_404(client: TestClient) -> None:
    client.put("/items/3", json={"name": "Pen", "price": 1.5})
    response = client.delete("/items/3")
    assert response.status_code == 204, (
        f"DELETE /items/3 should answer 204, got {response.status_code}: {response.text}"
    )
    assert response.content == b"", f"the 204 body should be empty (zero bytes), got {response.content!r}"

    again = client.delete("/items/3")
    assert again.status_code == 404, f"a second DELETE /items/3 should answer 404, got {again.status_code}"
    assert again.json() == {"detail": "Item not found"}, (
        f"the 404 body should be {{'detail': 'Item not found'}}, got {again.json()}"
    )
