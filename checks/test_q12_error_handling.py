"""Public checks for q12: the stock API and its error bodies, as tests you can read and run.

`fastlings check 12` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, maintenance mode and the framework's other errors included.
"""

from types import ModuleType

from fastapi.testclient import TestClient


def test_get_item_answers_the_item_or_a_404_with_status(client: TestClient) -> None:
    found = client.get("/items/1")
    assert found.status_code == 200, f"GET /items/1 should answer 200, got {found.status_code}: {found.text}"
    assert found.json() == {"name": "Hammer", "stock": 3}, f"GET /items/1 should answer the hammer, got {found.json()}"

    missing = client.get("/items/999")
    assert missing.status_code == 404, f"GET /items/999 should answer 404, got {missing.status_code}"
    assert missing.json() == {"detail": "Item not found", "status": 404}, (
        f"the 404 body should be {{'detail': 'Item not found', 'status': 404}}, got {missing.json()}"
    )


def test_reserve_takes_the_quantity_from_the_stock(client: TestClient, target_module: ModuleType) -> None:
    response = client.post("/items/1/reserve", json={"quantity": 2})
    assert response.status_code == 200, (
        f"POST /items/1/reserve with quantity 2 should answer 200, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"item_id": 1, "reserved": 2, "stock": 1}, (
        f"reserving 2 of the 3 hammers should answer {{'item_id': 1, 'reserved': 2, 'stock': 1}}, got {response.json()}"
    )
    assert target_module.items_db[1]["stock"] == 1, (
        f"items_db[1]['stock'] should be 1 after the reservation, got {target_module.items_db[1]['stock']}"
    )


def test_reserving_more_than_the_stock_is_a_409_and_keeps_the_stock(
    client: TestClient, target_module: ModuleType
) -> None:
    response = client.post("/items/1/reserve", json={"quantity": 5})
    assert response.status_code == 409, (
        f"reserving 5 of the 3 hammers should answer 409, got {response.status_code}: {response.text}"
    )
    expected = {"detail": "Not enough stock", "status": 409, "item_id": 1, "requested": 5, "available": 3}
    assert response.json() == expected, f"the 409 body should be {expected}, got {response.json()}"
    assert target_module.items_db[1]["stock"] == 3, (
        f"a refused reservation should leave the stock at 3, got {target_module.items_db[1]['stock']}"
    )


def test_unknown_path_gets_the_same_error_shape(client: TestClient) -> None:
    response = client.get("/no-such-path")
    assert response.status_code == 404, f"GET /no-such-path should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "Not Found", "status": 404}, (
        f"the framework's 404 should answer {{'detail': 'Not Found', 'status': 404}}, got {response.json()}"
    )
