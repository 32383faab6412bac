"""Public checks for q13: what the response models let out, as tests you can read and run.

`fastlings check 13` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, the schema and records that do not fit the model included.
"""

from typing import Any

from fastapi.testclient import TestClient

PEN = {"name": "Pen", "price": 1.5, "cost_price": 0.4}
BOOK = {"name": "Book", "price": 12.0, "cost_price": 7.0, "description": None}


def test_create_answers_only_id_and_name(client: TestClient) -> None:
    first = client.post("/items/", json=PEN)
    second = client.post("/items/", json=BOOK)
    assert first.status_code == 200, f"POST /items/ should answer 200, got {first.status_code}: {first.text}"
    assert first.json() == {"id": 1, "name": "Pen"}, (
        f"the first item created should answer exactly {{'id': 1, 'name': 'Pen'}}, got {first.json()}"
    )
    assert second.json() == {"id": 2, "name": "Book"}, (
        f"the second item created should answer exactly {{'id': 2, 'name': 'Book'}}, got {second.json()}"
    )


def test_list_answers_every_item_as_id_and_name(client: TestClient) -> None:
    client.post("/items/", json=PEN)
    client.post("/items/", json=BOOK)
    response = client.get("/items/")
    assert response.status_code == 200, f"GET /items/ should answer 200, got {response.status_code}: {response.text}"
    assert response.json() == [{"id": 1, "name": "Pen"}, {"id": 2, "name": "Book"}], (
        f"GET /items/ should list both items in creation order, as id and name only, got {response.json()}"
    )


def test_detail_leaves_out_unset_fields_and_the_cost_price(client: TestClient) -> None:
    client.post("/items/", json=PEN)
    client.post("/items/", json=BOOK)

    pen = client.get("/items/1")
    assert pen.status_code == 200, f"GET /items/1 should answer 200, got {pen.status_code}: {pen.text}"
    expected_pen: dict[str, Any] = {"id": 1, "name": "Pen", "price": 1.5}
    assert pen.json() == expected_pen, (
        f"an item created without description and tax should answer only {expected_pen}, got {pen.json()}"
    )

    book = client.get("/items/2")
    expected_book: dict[str, Any] = {"id": 2, "name": "Book", "price": 12.0, "description": None}
    assert book.json() == expected_book, (
        f"a description sent as null should be present, without cost_price: expected {expected_book}, got {book.json()}"
    )


def test_unknown_item_is_404(client: TestClient) -> None:
    response = client.get("/items/999")
    assert response.status_code == 404, f"GET /items/999 should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "Item not found"}, (
        f"the 404 body should be {{'detail': 'Item not found'}}, got {response.json()}"
    )
