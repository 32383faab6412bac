"""Hidden tests for q06: request body."""

import httpx
import pytest

from grader.fixtures import error_locs


@pytest.mark.contract("q06.1")
def test_post_item_echoes_required_fields(client: httpx.Client) -> None:
    response = client.post("/items/", json={"name": "Foo", "price": 10.5})
    assert response.status_code == 200, f"POST /items/ should answer 200, got {response.status_code}: {response.text}"
    body = response.json()
    assert body.get("name") == "Foo", f"the response should carry the name sent, got {body}"
    assert body.get("price") == 10.5, f"the response should carry the price sent, got {body}"


@pytest.mark.contract("q06.1")
def test_optional_fields_get_their_defaults(client: httpx.Client) -> None:
    response = client.post("/items/", json={"name": "Foo", "price": 10.5})
    assert response.status_code == 200, f"POST /items/ should answer 200, got {response.status_code}: {response.text}"
    body = response.json()
    expected = {"description": None, "tax": None, "tags": [], "images": []}
    for field, default in expected.items():
        assert field in body, f"the response should include the optional field {field!r} with its default, got {body}"
        assert body[field] == default, f"{field!r} left out should default to {default!r}, got {body[field]!r}"


@pytest.mark.contract("q06.1")
def test_all_fields_are_echoed(client: httpx.Client) -> None:
    item = {
        "name": "Camera",
        "price": 99.5,
        "description": "A small camera",
        "tax": 0.5,
        "tags": ["photo", "travel"],
        "images": [{"url": "https://example.com/a.png", "name": "front"}],
    }
    response = client.post("/items/", json=item)
    assert response.status_code == 200, f"POST /items/ should answer 200, got {response.status_code}: {response.text}"
    body = response.json()
    for field, value in item.items():
        assert body.get(field) == value, f"{field!r} should be echoed as {value!r}, got {body.get(field)!r}"


@pytest.mark.contract("q06.1")
def test_explicit_null_description_and_tags_are_kept_as_sent(client: httpx.Client) -> None:
    item = {"name": "Pen", "price": 2.0, "description": None, "tags": ["blue", "office", "blue"]}
    response = client.post("/items/", json=item)
    assert response.status_code == 200, (
        f"description may be null and tags any list of strings; got {response.status_code}: {response.text}"
    )
    body = response.json()
    assert body.get("description") is None, f"description sent as null should come back null, got {body}"
    assert body.get("tags") == ["blue", "office", "blue"], (
        f"tags should come back as sent (same order, repeats kept), got {body.get('tags')!r}"
    )


@pytest.mark.contract("q06.1")
def test_price_with_tax_adds_the_tax(client: httpx.Client) -> None:
    response = client.post("/items/", json={"name": "Foo", "price": 10.5, "tax": 2.25})
    assert response.status_code == 200, f"POST /items/ should answer 200, got {response.status_code}: {response.text}"
    body = response.json()
    assert "price_with_tax" in body, f"the response should include price_with_tax, got {body}"
    assert body["price_with_tax"] == pytest.approx(12.75), (
        f"price_with_tax should be price + tax (10.5 + 2.25), got {body['price_with_tax']!r}"
    )


@pytest.mark.contract("q06.1")
def test_price_with_tax_without_tax_is_the_price(client: httpx.Client) -> None:
    response = client.post("/items/", json={"name": "Foo", "price": 10.5})
    assert response.status_code == 200, f"POST /items/ should answer 200, got {response.status_code}: {response.text}"
    body = response.json()
    assert "price_with_tax" in body, f"price_with_tax should be present even without a tax, got {body}"
    assert body["price_with_tax"] == pytest.approx(10.5), (
        f"without a tax, price_with_tax should equal the price (10.5), got {body['price_with_tax']!r}"
    )


@pytest.mark.contract("q06.3")
def test_missing_required_field_is_422_naming_it(client: httpx.Client) -> None:
    response = client.post("/items/", json={"price": 10.5})
    assert response.status_code == 422, f"a body without name should answer 422, got {response.status_code}"
    locs = error_locs(response.json())
    assert ["body", "name"] in locs, f"the 422 errors should name the missing field at ['body', 'name'], got {locs}"


@pytest.mark.contract("q06.3")
def test_wrong_price_type_is_422_naming_it(client: httpx.Client) -> None:
    response = client.post("/items/", json={"name": "Foo", "price": "cheap"})
    assert response.status_code == 422, f"a non-numeric price should answer 422, got {response.status_code}"
    locs = error_locs(response.json())
    assert ["body", "price"] in locs, f"the 422 errors should name the field at ['body', 'price'], got {locs}"


@pytest.mark.contract("q06.3")
def test_tags_must_be_a_list_of_strings(client: httpx.Client) -> None:
    ok = client.post("/items/", json={"name": "Foo", "price": 1.0, "tags": ["a", "b"]})
    assert ok.status_code == 200, f"a list of string tags should be accepted, got {ok.status_code}: {ok.text}"
    response = client.post("/items/", json={"name": "Foo", "price": 1.0, "tags": [{"not": "a string"}]})
    assert response.status_code == 422, f"a tag that is not a string should answer 422, got {response.status_code}"
    locs = error_locs(response.json())
    assert any(loc[:2] == ["body", "tags"] for loc in locs), f"the 422 errors should name ['body', 'tags', ...]: {locs}"


@pytest.mark.contract("q06.3")
def test_nested_image_is_validated(client: httpx.Client) -> None:
    image = {"url": "https://example.com/a.png", "name": "front"}
    ok = client.post("/items/", json={"name": "Foo", "price": 1.0, "images": [image]})
    assert ok.status_code == 200, f"a valid image should be accepted, got {ok.status_code}: {ok.text}"
    response = client.post("/items/", json={"name": "Foo", "price": 1.0, "images": [{"url": "https://example.com"}]})
    assert response.status_code == 422, f"an image without a name should answer 422, got {response.status_code}"
    locs = error_locs(response.json())
    assert ["body", "images", 0, "name"] in locs, (
        f"the 422 errors should name the nested field at ['body', 'images', 0, 'name'], got {locs}"
    )


@pytest.mark.contract("q06.2")
def test_put_combines_path_body_and_query(client: httpx.Client) -> None:
    response = client.put("/items/5", params={"q": "hello"}, json={"name": "Foo", "price": 10.5, "tags": ["x"]})
    assert response.status_code == 200, f"PUT /items/5 should answer 200, got {response.status_code}: {response.text}"
    body = response.json()
    assert body.get("item_id") == 5, f"item_id should be the integer 5 from the path, got {body.get('item_id')!r}"
    assert body.get("q") == "hello", f"q should come from the query string, got {body.get('q')!r}"
    item = body.get("item")
    assert isinstance(item, dict), f"'item' should be the item object from the body, got {item!r}"
    expected = {"name": "Foo", "price": 10.5, "description": None, "tax": None, "tags": ["x"], "images": []}
    for field, value in expected.items():
        assert item.get(field, "<missing>") == value, f"item[{field!r}] should be {value!r}, got {item.get(field)!r}"


@pytest.mark.contract("q06.2")
def test_put_query_is_optional(client: httpx.Client) -> None:
    response = client.put("/items/7", json={"name": "Foo", "price": 1.0})
    assert response.status_code == 200, f"PUT /items/7 without q should answer 200, got {response.status_code}"
    body = response.json()
    assert "q" in body, f"the response should include q even when it is not sent, got {body}"
    assert body["q"] is None, f"q should default to null, got {body['q']!r}"
    assert body.get("item_id") == 7, f"item_id should be 7, got {body.get('item_id')!r}"


@pytest.mark.contract("q06.4")
def test_put_non_integer_item_id_is_422(client: httpx.Client) -> None:
    response = client.put("/items/abc", json={"name": "Foo", "price": 1.0})
    assert response.status_code == 422, f"PUT /items/abc should answer 422, got {response.status_code}"
    locs = error_locs(response.json())
    assert ["path", "item_id"] in locs, f"the 422 errors should name ['path', 'item_id'], got {locs}"
