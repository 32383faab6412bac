"""Public checks for q06: reading and validating the JSON body, as tests you can read and run.

`fastlings check 6` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from fastapi.testclient import TestClient

from grader.judge.fixtures import error_locs


def test_post_item_fills_defaults_and_adds_price_with_tax(client: TestClient) -> None:
    response = client.post("/items/", json={"name": "Pen", "price": 10.0, "tax": 1.5})
    assert response.status_code == 200, f"POST /items/ should answer 200, got {response.status_code}: {response.text}"
    assert response.json() == {
        "name": "Pen",
        "price": 10.0,
        "description": None,
        "tax": 1.5,
        "tags": [],
        "images": [],
        "price_with_tax": 11.5,
    }, f"POST /items/ should answer every field (defaults filled in) plus price_with_tax, got {response.json()}"


def test_put_reads_path_body_and_query_together(client: TestClient) -> None:
    response = client.put("/items/5?q=blue", json={"name": "Pen", "price": 2.0, "tags": ["office"]})
    assert response.status_code == 200, (
        f"PUT /items/5?q=blue should answer 200, got {response.status_code}: {response.text}"
    )
    assert response.json() == {
        "item_id": 5,
        "item": {"name": "Pen", "price": 2.0, "description": None, "tax": None, "tags": ["office"], "images": []},
        "q": "blue",
    }, f"PUT /items/5?q=blue should answer item_id, the item and q, got {response.json()}"


def test_body_errors_name_the_failing_field(client: TestClient) -> None:
    no_price = client.post("/items/", json={"name": "Pen"})
    assert no_price.status_code == 422, f"a body without price should answer 422, got {no_price.status_code}"
    assert ["body", "price"] in error_locs(no_price.json()), (
        f"the 422 should have an error at loc ['body', 'price'], got {no_price.json()}"
    )

    bad_image = client.post("/items/", json={"name": "Pen", "price": 1.0, "images": [{"url": "http://x/a.png"}]})
    assert bad_image.status_code == 422, f"an image without name should answer 422, got {bad_image.status_code}"
    assert ["body", "images", 0, "name"] in error_locs(bad_image.json()), (
        f"the 422 should have an error at loc ['body', 'images', 0, 'name'], got {bad_image.json()}"
    )


def test_put_with_a_non_integer_item_id_is_refused(client: TestClient) -> None:
    response = client.put("/items/abc", json={"name": "Pen", "price": 1.0})
    assert response.status_code == 422, f"PUT /items/abc should answer 422, got {response.status_code}: {response.text}"
    assert ["path", "item_id"] in error_locs(response.json()), (
        f"the 422 should have an error at loc ['path', 'item_id'], got {response.json()}"
    )
