"""Hidden tests for q07: HTTP methods."""

from typing import Any

import httpx
import pytest

from grader.judge.fixtures import error_locs

CAMERA = {"name": "Camera", "price": 99.5, "description": "A small camera"}


def _create(client: httpx.Client, item: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/items/", json=item or CAMERA)
    assert response.status_code == 201, f"POST /items/ should answer 201, got {response.status_code}: {response.text}"
    body = response.json()
    assert isinstance(body, dict), f"POST /items/ should answer with the stored item object, got {body!r}"
    assert isinstance(body.get("id"), int), f"the stored item should carry an integer id, got {body!r}"
    return body


ITEM_KEYS = {"id", "name", "price", "description"}
# Items with uneven prices and names in several scripts (byte lengths differ from character counts).
SHOP = [
    {"name": "Caméra 📷", "price": 249.99, "description": "Ĉambre noire, 暗室"},
    {"name": "望遠鏡", "price": 0.07},
    {"name": "Zoe\u0308's lens", "price": 1337.5, "description": None},
]


def _assert_item(body: object, expected: dict[str, Any], what: str) -> None:
    """An answer carrying an item: exactly the four keys, with the expected values."""
    assert isinstance(body, dict), f"{what} should answer an item object, got {body!r}"
    assert set(body) == ITEM_KEYS, (
        f"{what}: an item has exactly the keys id, name, price, description; got {sorted(body)}"
    )
    full = {"description": None, **expected}
    for key, value in full.items():
        assert body[key] == value, f"{what}: {key!r} should be {value!r}, got {body[key]!r}"


def _create_shop(client: httpx.Client) -> list[dict[str, Any]]:
    created = []
    for item in SHOP:
        body = _create(client, item)
        _assert_item(body, {**item, "id": body["id"]}, "POST /items/")
        created.append(body)
    return created


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


@pytest.mark.contract("q07.1", "q07.2", "q07.3")
def test_every_answer_carrying_an_item_has_exactly_its_four_keys(client: httpx.Client) -> None:
    created = _create_shop(client)
    ids = [item["id"] for item in created]
    assert len(set(ids)) == len(ids) and all(i > 0 for i in ids), f"ids should be positive and unique, got {ids}"
    for item in created:
        _assert_item(client.get(f"/items/{item['id']}").json(), item, f"GET /items/{item['id']}")
    listing = client.get("/items/")
    assert listing.status_code == 200, f"GET /items/ should answer 200, got {listing.status_code}"
    listed = listing.json()
    assert isinstance(listed, list) and len(listed) == len(created), f"GET /items/ should list 3 items, got {listed}"
    by_id = {item.get("id"): item for item in listed if isinstance(item, dict)}
    for item in created:
        _assert_item(by_id.get(item["id"]), item, "an item in GET /items/")


@pytest.mark.contract("q07.2")
def test_the_listing_follows_every_change(client: httpx.Client) -> None:
    camera, scope, lens = _create_shop(client)
    assert client.put(f"/items/{camera['id']}", json={"name": "Caméra II", "price": 259.01}).status_code == 200
    assert client.patch(f"/items/{lens['id']}", json={"description": "ズーム"}).status_code == 200
    assert client.delete(f"/items/{scope['id']}").status_code == 204
    listed = client.get("/items/").json()
    expected = {
        camera["id"]: {"id": camera["id"], "name": "Caméra II", "price": 259.01, "description": None},
        lens["id"]: {**lens, "description": "ズーム"},
    }
    assert isinstance(listed, list) and len(listed) == 2, f"GET /items/ should list the two items left, got {listed}"
    for item in listed:
        assert item.get("id") in expected, f"GET /items/ lists an item that should not be there: {item}"
        _assert_item(item, expected[item["id"]], "an item in GET /items/ after PUT, PATCH and DELETE")


@pytest.mark.contract("q07.4")
def test_put_refuses_every_incomplete_or_wrong_body_and_keeps_the_item(client: httpx.Client) -> None:
    camera = _create_shop(client)[0]
    for body, loc in (
        ({"price": 5.25}, ["body", "name"]),
        ({"name": "No price"}, ["body", "price"]),
        ({"name": None, "price": 5.25}, ["body", "name"]),
        ({"name": "Cheap", "price": "cheap"}, ["body", "price"]),
        ({}, ["body", "name"]),
    ):
        response = client.put(f"/items/{camera['id']}", json=body)
        assert response.status_code == 422, f"PUT with {body} should answer 422, got {response.status_code}"
        assert loc in error_locs(response.json()), f"PUT with {body}: the 422 should name {loc}"
        _assert_item(client.get(f"/items/{camera['id']}").json(), camera, f"the item after a refused PUT {body}")


@pytest.mark.contract("q07.4")
def test_put_replaces_with_text_in_any_script_and_keeps_the_id(client: httpx.Client) -> None:
    camera, scope, _ = _create_shop(client)
    new = {"name": "Objectif 50 mm ƒ/1.8 🔭", "price": 89.95, "description": "二手"}
    response = client.put(f"/items/{scope['id']}", json={**new, "id": camera["id"]})
    if response.status_code != 422:  # an "id" in the body may be refused, or ignored: never obeyed
        assert response.status_code == 200, f"PUT should answer 200, got {response.status_code}: {response.text}"
        _assert_item(response.json(), {**new, "id": scope["id"]}, "PUT's answer (the id never changes)")
        _assert_item(client.get(f"/items/{scope['id']}").json(), {**new, "id": scope["id"]}, "GET after PUT")
        _assert_item(client.get(f"/items/{camera['id']}").json(), camera, "another item after PUT")
    response = client.put(f"/items/{scope['id']}", json=new)
    assert response.status_code == 200, f"PUT should answer 200, got {response.status_code}: {response.text}"
    _assert_item(response.json(), {**new, "id": scope["id"]}, "PUT's answer")


@pytest.mark.contract("q07.5")
def test_patch_refuses_null_for_name_and_price_and_keeps_the_item(client: httpx.Client) -> None:
    camera = _create_shop(client)[0]
    for body, loc in (
        ({"name": None}, ["body", "name"]),
        ({"price": None}, ["body", "price"]),
        ({"price": None, "description": "nouvelle"}, ["body", "price"]),
        ({"price": "free"}, ["body", "price"]),
        ({"name": 12}, ["body", "name"]),
    ):
        response = client.patch(f"/items/{camera['id']}", json=body)
        assert response.status_code == 422, f"PATCH with {body} should answer 422, got {response.status_code}"
        assert loc in error_locs(response.json()), f"PATCH with {body}: the 422 should name {loc}"
        _assert_item(client.get(f"/items/{camera['id']}").json(), camera, f"the item after a refused PATCH {body}")


@pytest.mark.contract("q07.5")
def test_a_patch_refused_after_a_valid_field_changes_nothing(client: httpx.Client) -> None:
    # The body is refused as a whole: a valid field sent before the bad one must not be applied either.
    camera, scope, _ = _create_shop(client)
    for body, loc in (
        ({"description": "CHANGED", "price": None}, ["body", "price"]),
        ({"name": "Renamed", "price": "free"}, ["body", "price"]),
        ({"description": None, "name": None}, ["body", "name"]),
        ({"price": 1.5, "description": "CHANGED", "name": 12}, ["body", "name"]),
        ({"name": "Renamed", "price": 2.5, "description": ["not", "text"]}, ["body", "description"]),
    ):
        response = client.patch(f"/items/{camera['id']}", json=body)
        assert response.status_code == 422, f"PATCH with {body} should answer 422, got {response.status_code}"
        assert loc in error_locs(response.json()), f"PATCH with {body}: the 422 should name {loc}"
        _assert_item(client.get(f"/items/{camera['id']}").json(), camera, f"the item after a refused PATCH {body}")
        listed = {item.get("id"): item for item in client.get("/items/").json()}
        _assert_item(listed.get(camera["id"]), camera, f"the listed item after a refused PATCH {body}")
        _assert_item(listed.get(scope["id"]), scope, f"another item after a refused PATCH {body}")


@pytest.mark.contract("q07.5")
def test_patch_changes_exactly_the_fields_sent(client: httpx.Client) -> None:
    camera, scope, lens = _create_shop(client)
    steps = [
        (camera, {}, {}),
        (camera, {"name": "Kaméra", "price": 231.17}, {"name": "Kaméra", "price": 231.17}),
        (scope, {"description": "天体観測"}, {"description": "天体観測"}),
        (camera, {"description": None}, {"description": None}),
        (lens, {"price": 0.01}, {"price": 0.01}),
    ]
    state = {item["id"]: dict(item) for item in (camera, scope, lens)}
    for item, body, change in steps:
        state[item["id"]].update(change)
        response = client.patch(f"/items/{item['id']}", json=body)
        assert response.status_code == 200, f"PATCH with {body} should answer 200, got {response.status_code}"
        _assert_item(response.json(), state[item["id"]], f"PATCH /items/{item['id']} with {body}")
        for other in state.values():
            got = client.get(f"/items/{other['id']}").json()
            _assert_item(got, other, f"GET /items/{other['id']} after PATCH /items/{item['id']} with {body}")


@pytest.mark.contract("q07.6", "q07.10")
def test_delete_removes_one_item_and_a_second_delete_is_404(client: httpx.Client) -> None:
    camera, scope, lens = _create_shop(client)
    first = client.delete(f"/items/{scope['id']}")
    assert first.status_code == 204 and first.content == b"", f"DELETE should answer an empty 204, got {first}"
    again = client.delete(f"/items/{scope['id']}")
    assert again.status_code == 404, f"a second DELETE of the same item should answer 404, got {again.status_code}"
    for item in (camera, lens):
        _assert_item(client.get(f"/items/{item['id']}").json(), item, "another item after a DELETE")


@pytest.mark.contract("q07.7")
def test_head_matches_get_byte_for_byte_with_names_in_any_script(client: httpx.Client) -> None:
    empty_get, empty_head = client.get("/items/"), client.head("/items/")
    assert empty_head.status_code == 200 and empty_head.content == b"", "HEAD /items/ on no items: 200, no body"
    assert empty_head.headers.get("content-length") == str(len(empty_get.content)), "HEAD /items/: GET's length"
    created = _create_shop(client)
    missing = max(item["id"] for item in created) + 17
    for path in ["/items/", *(f"/items/{item['id']}" for item in created), f"/items/{missing}"]:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, f"HEAD {path} should answer GET's {get.status_code}"
        assert head.content == b"", f"HEAD {path} must answer an empty body, got {head.content!r}"
        assert head.headers.get("content-type") == get.headers.get("content-type"), (
            f"HEAD {path} should carry GET's content-type {get.headers.get('content-type')!r}, "
            f"got {head.headers.get('content-type')!r}"
        )
        assert head.headers.get("content-length") == str(len(get.content)), (
            f"HEAD {path} should carry GET's content-length, {len(get.content)} bytes, "
            f"got {head.headers.get('content-length')!r}"
        )


@pytest.mark.contract("q07.8", "q07.9")
def test_a_cors_preflight_gets_the_same_options_answer(client: httpx.Client) -> None:
    item_id = _create(client)["id"]
    expected = {
        "/items/": {"GET", "HEAD", "POST", "OPTIONS"},
        f"/items/{item_id}": {"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"},
    }
    for path, methods in expected.items():
        for requested in ("GET", "DELETE"):
            headers = {"Origin": "https://shop.example", "Access-Control-Request-Method": requested}
            response = client.options(path, headers=headers)
            assert response.status_code == 204, (
                f"a preflight OPTIONS {path} should answer 204, got {response.status_code}"
            )
            assert response.content == b"", f"a preflight OPTIONS {path} should answer an empty body"
            allowed = _allowed(response.headers.get("allow"))
            assert sorted(allowed) == sorted(methods), (
                f"a preflight OPTIONS {path}: Allow should list {sorted(methods)}, got {allowed}"
            )


@pytest.mark.contract("q07.9")
def test_options_on_an_id_that_is_not_stored_answers_the_same(client: httpx.Client) -> None:
    created = _create_shop(client)
    deleted = created[1]["id"]
    assert client.delete(f"/items/{deleted}").status_code == 204, "DELETE should answer 204"
    expected = {"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"}
    for item_id in (deleted, max(item["id"] for item in created) + 41):
        response = client.options(f"/items/{item_id}")
        assert response.status_code == 204, (
            f"OPTIONS describes the path: OPTIONS /items/{item_id} (no such item) should answer 204, "
            f"got {response.status_code}"
        )
        allowed = _allowed(response.headers.get("allow"))
        assert sorted(allowed) == sorted(expected), f"OPTIONS /items/{item_id}: Allow should list {sorted(expected)}"


@pytest.mark.contract("q07.10")
def test_deleted_and_never_created_ids_are_404_on_every_method(client: httpx.Client) -> None:
    created = _create_shop(client)
    deleted = created[0]["id"]
    assert client.delete(f"/items/{deleted}").status_code == 204, "DELETE should answer 204"
    for item_id in (deleted, max(item["id"] for item in created) + 5, 0, -3):
        responses = {
            "GET": client.get(f"/items/{item_id}"),
            "HEAD": client.head(f"/items/{item_id}"),
            "PUT": client.put(f"/items/{item_id}", json={"name": "X", "price": 1.25}),
            "PATCH": client.patch(f"/items/{item_id}", json={"price": 1.25}),
            "DELETE": client.delete(f"/items/{item_id}"),
        }
        for method, response in responses.items():
            assert response.status_code == 404, (
                f"{method} /items/{item_id} (no such item) should answer 404, got {response.status_code}"
            )
    assert len(client.get("/items/").json()) == 2, "requests on missing items should create nothing"


@pytest.mark.contract("q07.11")
def test_every_unserved_method_answers_405(client: httpx.Client) -> None:
    item_id = _create(client)["id"]
    missing = item_id + 9
    cases = [
        *((method, "/items/") for method in ("PUT", "PATCH", "DELETE", "TRACE")),
        *((method, f"/items/{item_id}") for method in ("POST", "TRACE")),
        *((method, f"/items/{missing}") for method in ("POST", "TRACE")),
    ]
    for method, path in cases:
        response = client.request(method, path, json=CAMERA if method in ("POST", "PUT", "PATCH") else None)
        assert response.status_code == 405, (
            f"{method} {path} is not served: it should answer 405, got {response.status_code}"
        )
    assert len(client.get("/items/").json()) == 1, "refused methods should change nothing"


@pytest.mark.contract("q07.1", "q07.4", "q07.5")
def test_unknown_keys_in_a_body_are_never_stored(client: httpx.Client) -> None:
    extra = {"colour": "rouge", "id": 777}
    created = client.post("/items/", json={"name": "Sac", "price": 12.3, **extra})
    assert created.status_code in (201, 422), (
        f"POST with unknown keys should answer 201 or 422, got {created.status_code}"
    )
    item = _create(client, {"name": "Sac", "price": 12.3})
    if created.status_code == 201:
        body = created.json()
        _assert_item(body, {"name": "Sac", "price": 12.3, "id": body.get("id")}, "POST with unknown keys")
        assert body["id"] != 777, "the id is the server's choice, not the body's (this test makes a few items only)"
    for method, body in (("PUT", {"name": "Sac II", "price": 14.9, **extra}), ("PATCH", {"price": 15.1, **extra})):
        before = client.get(f"/items/{item['id']}").json()
        response = client.request(method, f"/items/{item['id']}", json=body)
        assert response.status_code in (200, 422), f"{method} with unknown keys should answer 200 or 422"
        after = client.get(f"/items/{item['id']}").json()
        if response.status_code == 422:
            _assert_item(after, before, f"the item after a refused {method} with unknown keys")
            continue
        changed = {k: v for k, v in body.items() if k in ("name", "price")}
        expected = {**before, **changed, "id": item["id"]}
        if method == "PUT":
            expected["description"] = None
        _assert_item(response.json(), expected, f"{method} with unknown keys (ignored, never stored)")
        _assert_item(after, expected, f"GET after {method} with unknown keys")
    assert client.get("/items/777").status_code == 404, "no item should take the body's id 777"
