"""Hidden tests for q07: HTTP methods."""

from typing import Any

import httpx
import pytest

CAMERA = {"name": "Camera", "price": 99.5, "description": "A small camera"}


def _create(client: httpx.Client, item: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/items/", json=item or CAMERA)
    assert response.status_code == 201, f"POST /items/ should answer 201, got {response.status_code}: {response.text}"
    body = response.json()
    assert isinstance(body, dict), f"POST /items/ should answer with the stored item object, got {body!r}"
    assert isinstance(body.get("id"), int), f"the stored item should carry an integer id, got {body!r}"
    return body


def _allowed(allow: str | None) -> list[str]:
    return [method.strip().upper() for method in (allow or "").split(",") if method.strip()]


@pytest.mark.contract("q07.1")
def test_post_creates_item_with_201_and_id(client: httpx.Client) -> None:
    body = _create(client)
    assert body["id"] > 0, f"ids should be positive integers, got {body['id']}"
    assert set(body) == {"id", "name", "price", "description"}, (
        f"a stored item has exactly the keys id, name, price and description, got {sorted(body)}"
    )
    for field, value in CAMERA.items():
        assert body.get(field) == value, f"the stored item's {field!r} should be {value!r}, got {body.get(field)!r}"


@pytest.mark.contract("q07.1", "q07.2", "q07.3")
def test_get_returns_the_stored_item_and_list_returns_all(client: httpx.Client) -> None:
    first = _create(client)
    second = _create(client, {"name": "Lens", "price": 20.0})
    assert first["id"] != second["id"], f"two items should get different ids, got {first['id']} twice"
    response = client.get(f"/items/{second['id']}")
    assert response.status_code == 200, f"GET /items/{{id}} should answer 200, got {response.status_code}"
    assert response.json() == second, f"GET /items/{{id}} should answer the stored item {second}, got {response.json()}"
    listing = client.get("/items/")
    assert listing.status_code == 200, f"GET /items/ should answer 200, got {listing.status_code}"
    items = listing.json()
    assert isinstance(items, list), f"GET /items/ should answer a JSON list, got {items!r}"
    assert sorted(items, key=lambda item: item["id"]) == [first, second], f"GET /items/ should list both items: {items}"


@pytest.mark.contract("q07.4")
def test_put_replaces_the_whole_item(client: httpx.Client) -> None:
    item_id = _create(client)["id"]
    response = client.put(f"/items/{item_id}", json={"name": "Camera 2", "price": 120.0})
    assert response.status_code == 200, f"PUT should answer 200, got {response.status_code}: {response.text}"
    expected = {"id": item_id, "name": "Camera 2", "price": 120.0, "description": None}
    assert response.json() == expected, (
        f"PUT replaces the whole item: a field left out (description) takes its default again; "
        f"expected {expected}, got {response.json()}"
    )
    stored = client.get(f"/items/{item_id}").json()
    assert stored == expected, f"after PUT, GET should answer the replaced item {expected}, got {stored}"


@pytest.mark.contract("q07.4")
def test_put_requires_a_complete_item(client: httpx.Client) -> None:
    item_id = _create(client)["id"]
    response = client.put(f"/items/{item_id}", json={"name": "Only a name"})
    assert response.status_code == 422, (
        f"PUT with a body missing price should answer 422 (PUT takes a complete item), got {response.status_code}"
    )
    stored = client.get(f"/items/{item_id}").json()
    assert stored.get("name") == CAMERA["name"], f"a refused PUT should leave the item unchanged, got {stored}"


@pytest.mark.contract("q07.5")
def test_patch_changes_only_the_fields_sent(client: httpx.Client) -> None:
    item_id = _create(client)["id"]
    response = client.patch(f"/items/{item_id}", json={"price": 80.0})
    assert response.status_code == 200, f"PATCH should answer 200, got {response.status_code}: {response.text}"
    expected = {"id": item_id, **CAMERA, "price": 80.0}
    assert response.json() == expected, (
        f"PATCH should change only price and keep the other fields; expected {expected}, got {response.json()}"
    )
    stored = client.get(f"/items/{item_id}").json()
    assert stored == expected, f"after PATCH, GET should answer {expected}, got {stored}"


@pytest.mark.contract("q07.5")
def test_patch_with_explicit_null_clears_the_field(client: httpx.Client) -> None:
    item_id = _create(client)["id"]
    response = client.patch(f"/items/{item_id}", json={"description": None})
    assert response.status_code == 200, f"PATCH should answer 200, got {response.status_code}: {response.text}"
    expected = {"id": item_id, **CAMERA, "description": None}
    assert response.json() == expected, (
        f'PATCH {{"description": null}} should clear the description and keep the rest; '
        f"expected {expected}, got {response.json()}"
    )


@pytest.mark.contract("q07.6")
def test_delete_answers_204_and_removes_the_item(client: httpx.Client) -> None:
    item_id = _create(client)["id"]
    response = client.delete(f"/items/{item_id}")
    assert response.status_code == 204, f"DELETE should answer 204, got {response.status_code}: {response.text}"
    assert response.content == b"", f"a 204 answer must have an empty body, got {response.content!r}"
    after = client.get(f"/items/{item_id}")
    assert after.status_code == 404, f"GET after DELETE should answer 404, got {after.status_code}"
    assert client.get("/items/").json() == [], "the deleted item should no longer be listed"


@pytest.mark.contract("q07.1")
def test_ids_are_not_reused_after_delete(client: httpx.Client) -> None:
    first = _create(client)
    second = _create(client, {"name": "Lens", "price": 20.0})
    deleted = client.delete(f"/items/{first['id']}")
    assert deleted.status_code == 204, f"DELETE should answer 204, got {deleted.status_code}"
    third = _create(client, {"name": "Tripod", "price": 35.0})
    assert third["id"] not in (first["id"], second["id"]), (
        f"a new item should get an id never used before, got {third['id']} (earlier ids: {first['id']}, {second['id']})"
    )
    still = client.get(f"/items/{second['id']}")
    assert still.status_code == 200, f"creating an item should not disturb others, got {still.status_code}"
    assert still.json() == second, f"the second item should be unchanged, got {still.json()}"
    # The newest id too: deleting the item with the highest id must not hand that id out again.
    assert client.delete(f"/items/{third['id']}").status_code == 204, "DELETE of the newest item should answer 204"
    fourth = _create(client, {"name": "Filter", "price": 5.0})
    assert fourth["id"] not in (first["id"], second["id"], third["id"]), (
        f"after deleting the newest item (id {third['id']}), a new item got the id {fourth['id']}: ids are never reused"
    )


@pytest.mark.contract("q07.10")
def test_missing_item_answers_404_on_every_method(client: httpx.Client) -> None:
    item_id = _create(client)["id"]
    missing = item_id + 1000
    checks = {
        "GET": client.get(f"/items/{missing}"),
        "HEAD": client.head(f"/items/{missing}"),
        "PUT": client.put(f"/items/{missing}", json={"name": "X", "price": 1.0}),
        "PATCH": client.patch(f"/items/{missing}", json={"price": 1.0}),
        "DELETE": client.delete(f"/items/{missing}"),
    }
    for method, response in checks.items():
        assert response.status_code == 404, f"{method} on an unknown item should answer 404, got {response.status_code}"


@pytest.mark.contract("q07.7")
def test_head_answers_headers_without_a_body(client: httpx.Client) -> None:
    item_id = _create(client)["id"]
    for path in (f"/items/{item_id}", "/items/"):
        get = client.get(path)
        head = client.head(path)
        assert head.status_code == 200, f"HEAD {path} should answer 200 like GET, got {head.status_code}"
        assert head.content == b"", f"HEAD {path} must answer an empty body, got {head.content!r}"
        assert head.headers.get("content-type", "").startswith("application/json"), (
            f"HEAD {path} should carry GET's content-type application/json, got {head.headers.get('content-type')!r}"
        )
        assert head.headers.get("content-length") == str(len(get.content)), (
            f"HEAD {path} should carry GET's content-length {len(get.content)}, "
            f"got {head.headers.get('content-length')!r}"
        )


@pytest.mark.contract("q07.9")
def test_options_on_an_item_lists_its_methods(client: httpx.Client) -> None:
    item_id = _create(client)["id"]
    response = client.options(f"/items/{item_id}")
    assert response.status_code == 204, f"OPTIONS /items/{{id}} should answer 204, got {response.status_code}"
    assert response.content == b"", f"OPTIONS should answer an empty body, got {response.content!r}"
    allowed = _allowed(response.headers.get("allow"))
    expected = {"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"}
    assert set(allowed) == expected, f"Allow on /items/{{id}} should list exactly {sorted(expected)}, got {allowed}"
    assert len(allowed) == len(expected), f"Allow should list each method once, got {allowed}"


@pytest.mark.contract("q07.8")
def test_options_on_the_collection_lists_its_methods(client: httpx.Client) -> None:
    _create(client)
    response = client.options("/items/")
    assert response.status_code == 204, f"OPTIONS /items/ should answer 204, got {response.status_code}"
    assert response.content == b"", f"OPTIONS should answer an empty body, got {response.content!r}"
    allowed = _allowed(response.headers.get("allow"))
    expected = {"GET", "HEAD", "POST", "OPTIONS"}
    assert set(allowed) == expected, f"Allow on /items/ should list exactly {sorted(expected)}, got {allowed}"
    assert len(allowed) == len(expected), f"Allow should list each method once, got {allowed}"


@pytest.mark.contract("q07.11")
def test_unserved_methods_answer_405(client: httpx.Client) -> None:
    item_id = _create(client)["id"]
    assert client.get(f"/items/{item_id}").status_code == 200, "GET /items/{id} should work before 405s are checked"
    post_on_item = client.post(f"/items/{item_id}", json=CAMERA)
    assert post_on_item.status_code == 405, f"POST /items/{{id}} should answer 405, got {post_on_item.status_code}"
    put_on_collection = client.put("/items/", json=CAMERA)
    assert put_on_collection.status_code == 405, f"PUT /items/ should answer 405, got {put_on_collection.status_code}"
    delete_collection = client.delete("/items/")
    assert delete_collection.status_code == 405, (
        f"DELETE /items/ should answer 405, got {delete_collection.status_code}"
    )
