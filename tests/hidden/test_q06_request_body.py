"""Hidden tests for q06: request body."""

import httpx
import pytest

from grader.judge.fixtures import error_locs

ITEM_FIELDS = {"name", "price", "description", "tax", "tags", "images"}
DEFAULTS = {"description": None, "tax": None, "tags": [], "images": []}


def _assert_422_naming(response: httpx.Response, loc: list[object], what: str) -> None:
    assert response.status_code == 422, f"{what} should answer 422, got {response.status_code}: {response.text[:300]}"
    locs = error_locs(response.json())
    assert loc in locs, f"{what}: the 422 errors should name {loc}, got {locs}"


def _assert_post_answer(response: httpx.Response, item: dict[str, object], price_with_tax: float) -> None:
    """POST /items/'s answer: exactly the item's fields (defaults filled in) plus price_with_tax."""
    assert response.status_code == 200, f"POST /items/ should answer 200, got {response.status_code}: {response.text}"
    body = response.json()
    assert set(body) == ITEM_FIELDS | {"price_with_tax"}, (
        f"POST /items/ should answer exactly the item's fields plus price_with_tax, got the keys {sorted(body)}"
    )
    expected = {**DEFAULTS, **item}
    for field in ITEM_FIELDS:
        assert body[field] == expected[field], f"{field!r} should come back as {expected[field]!r}, got {body[field]!r}"
    assert body["price_with_tax"] == pytest.approx(price_with_tax, rel=1e-9, abs=1e-9), (
        f"price_with_tax should be {price_with_tax!r} (price + tax, not rounded), got {body['price_with_tax']!r}"
    )


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


@pytest.mark.contract("q06.1")
def test_every_answer_has_exactly_the_item_fields_and_the_uneven_sum(client: httpx.Client) -> None:
    cases = [
        ({"name": "Café crème ☕", "price": 19.99, "tax": 3.457}, 23.447),
        ({"name": "筆", "price": 7, "tax": 0.013, "description": "書道用の筆"}, 7.013),
        ({"name": "Zoe\u0308", "price": 0.1, "tax": 0.2}, 0.30000000000000004),
        ({"name": "Pen", "price": 12.345, "tax": None}, 12.345),
        ({"name": "Ink", "price": 8.75, "tax": 0}, 8.75),
        ({"name": "Refund", "price": 4.2, "tax": -0.35}, 3.85),
        ({"name": "", "price": 0}, 0),
        ({"name": "Credit note", "price": -15.5, "tax": -2.325}, -17.825),
    ]
    for item, price_with_tax in cases:
        _assert_post_answer(client.post("/items/", json=item), item, price_with_tax)


@pytest.mark.contract("q06.1")
def test_text_in_any_script_and_lists_in_order_are_echoed(client: httpx.Client) -> None:
    item = {
        "name": "Ça\u0301mera 📷",
        "price": 249.99,
        "description": "Ĉambre noire, 暗室, ✨",
        "tax": 12.49,
        "tags": ["zoom", "été", "旅行", "zoom", "", "🙂"],
        "images": [
            {"url": "https://example.com/façade.png", "name": "façade"},
            {"url": "https://example.com/b.png", "name": "背面"},
            {"url": "https://example.com/a.png", "name": "avant"},
        ],
    }
    _assert_post_answer(client.post("/items/", json=item), item, 262.48)


@pytest.mark.contract("q06.1")
def test_text_with_surrounding_or_inner_whitespace_is_kept_as_sent(client: httpx.Client) -> None:
    # Any string is a name (the empty one too), so spaces, tabs and newlines are part of the values sent.
    cases = [
        ({"name": "  Foo  ", "price": 1.5, "description": " padded\t", "tags": [" a", "b ", " "]}, 1.5),
        ({"name": "\tTab\n", "price": 2, "description": "\n", "images": [{"url": " u ", "name": " front "}]}, 2),
        ({"name": " ", "price": 0.5, "description": "two  spaces"}, 0.5),
        ({"name": "Bar ", "price": 3, "tax": 0.25, "description": " "}, 3.25),
    ]
    for item, price_with_tax in cases:
        _assert_post_answer(client.post("/items/", json=item), item, price_with_tax)


@pytest.mark.contract("q06.1")
def test_an_empty_description_stays_empty(client: httpx.Client) -> None:
    # "" and null are different values: a description sent as "" comes back "", not null.
    cases = [
        ({"name": "Foo", "price": 1.5, "description": ""}, 1.5),
        ({"name": "", "price": 0, "description": "", "tags": [""]}, 0),
        ({"name": "Bar", "price": 2.5, "tax": 0.5, "description": "", "images": [{"url": "", "name": ""}]}, 3.0),
    ]
    for item, price_with_tax in cases:
        response = client.post("/items/", json=item)
        _assert_post_answer(response, item, price_with_tax)
        assert response.json()["description"] == "", f'description sent as "" should come back "", got {response.text}'


@pytest.mark.contract("q06.2")
def test_put_answers_exactly_item_id_item_and_q(client: httpx.Client) -> None:
    item = {"name": "Thé vert 茶", "price": 3.17, "tax": 0.42, "tags": ["b", "a"]}
    for item_id, q in ((-12, "ünïcode ✓"), (90417, None), (0, "")):
        params = {} if q is None else {"q": q}
        response = client.put(f"/items/{item_id}", params=params, json=item)
        assert response.status_code == 200, f"PUT /items/{item_id} should answer 200, got {response.status_code}"
        body = response.json()
        expected = {"item_id": item_id, "item": {**DEFAULTS, **item}, "q": q}
        assert body == expected, (
            f"PUT /items/{item_id} should answer exactly {expected} (no other key, no price_with_tax in item), "
            f"got {body}"
        )


@pytest.mark.contract("q06.2")
def test_put_refuses_an_item_wrapped_in_another_key(client: httpx.Client) -> None:
    assert client.put("/items/3", json={"name": "Foo", "price": 1.5}).status_code == 200, (
        "PUT /items/3 with a bare item should answer 200"
    )
    response = client.put("/items/3", json={"item": {"name": "Foo", "price": 1.5}})
    _assert_422_naming(response, ["body", "name"], "PUT /items/3 with the item wrapped in an 'item' key")


@pytest.mark.contract("q06.3")
def test_every_bad_field_is_named_on_both_routes(client: httpx.Client) -> None:
    good = {"name": "Foo", "price": 1.5}
    image = {"url": "https://example.com/a.png", "name": "front"}
    cases = [
        ({"name": "Foo"}, ["body", "price"]),
        ({"name": "Foo", "price": None}, ["body", "price"]),
        ({"name": None, "price": 1.5}, ["body", "name"]),
        ({"name": 5, "price": 1.5}, ["body", "name"]),
        ({**good, "price": "cheap"}, ["body", "price"]),
        ({**good, "price": [1.5]}, ["body", "price"]),
        ({**good, "tax": "some"}, ["body", "tax"]),
        ({**good, "description": 42}, ["body", "description"]),
        ({**good, "tags": "red"}, ["body", "tags"]),
        ({**good, "tags": ["red", 7]}, ["body", "tags", 1]),
        ({**good, "images": {"url": "u", "name": "n"}}, ["body", "images"]),
        ({**good, "images": [image, {"url": "https://example.com"}]}, ["body", "images", 1, "name"]),
        ({**good, "images": [{"name": "side"}]}, ["body", "images", 0, "url"]),
        ({**good, "images": [image, image, {"url": 3, "name": "n"}]}, ["body", "images", 2, "url"]),
    ]
    assert client.post("/items/", json=good).status_code == 200, "POST /items/ with a good item should answer 200"
    for body, loc in cases:
        _assert_422_naming(client.post("/items/", json=body), loc, f"POST /items/ with {body}")
        _assert_422_naming(client.put("/items/4", json=body), loc, f"PUT /items/4 with {body}")


@pytest.mark.contract("q06.3")
def test_several_bad_fields_are_each_named(client: httpx.Client) -> None:
    body = {"price": "cheap", "tags": ["ok", 1], "images": [{"url": "u"}]}
    response = client.post("/items/", json=body)
    for loc in (["body", "name"], ["body", "price"], ["body", "tags", 1], ["body", "images", 0, "name"]):
        _assert_422_naming(response, loc, f"POST /items/ with {body}")


@pytest.mark.contract("q06.3")
def test_a_body_that_is_no_object_is_422(client: httpx.Client) -> None:
    assert client.post("/items/", json={"name": "Foo", "price": 1.5}).status_code == 200, "a good item should pass"
    for body in ([{"name": "Foo", "price": 1.5}], "Foo", 1.5):
        response = client.post("/items/", json=body)
        assert response.status_code == 422, f"POST /items/ with the body {body!r} should answer 422"
        locs = error_locs(response.json())
        assert any(loc[:1] == ["body"] for loc in locs), f"the 422 errors should point into the body, got {locs}"


@pytest.mark.contract("q06.3")
def test_a_numeric_string_price_is_read_or_refused(client: httpx.Client) -> None:
    # The contract leaves lax mode's conversions free: "3.25" may be read as 3.25 or refused with 422.
    assert client.post("/items/", json={"name": "Foo", "price": 1.5}).status_code == 200, "a good item should pass"
    response = client.post("/items/", json={"name": "Foo", "price": "3.25", "tax": 0.5})
    if response.status_code == 422:
        assert ["body", "price"] in error_locs(response.json()), "a 422 for the price '3.25' should name it"
        return
    assert response.status_code == 200, f"the price '3.25' should answer 200 or 422, got {response.status_code}"
    body = response.json()
    assert body.get("price") == 3.25 and not isinstance(body.get("price"), str), (
        f"a price '3.25' read by lax mode is the number 3.25, got {body.get('price')!r}"
    )
    assert body.get("price_with_tax") == pytest.approx(3.75), f"price_with_tax should be 3.75, got {body}"


@pytest.mark.contract("q06.4")
def test_put_item_id_that_is_no_integer_is_422_whatever_the_body(client: httpx.Client) -> None:
    assert client.put("/items/2", json={"name": "Foo", "price": 1.0}).status_code == 200, "PUT /items/2 should pass"
    for raw in ("abc", "1.5", "½", "deux"):
        for body in ({"name": "Foo", "price": 1.0}, {"price": "cheap"}):
            _assert_422_naming(client.put(f"/items/{raw}", json=body), ["path", "item_id"], f"PUT /items/{raw}")
