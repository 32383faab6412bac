"""Hidden tests for q08: status codes."""

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

BOOK = {"name": "Book", "price": 12.5}
PEN = {"name": "Pen", "price": 1.5}


def _post(client: httpx.Client, item: dict[str, Any]) -> int:
    response = client.post("/items/", json=item)
    assert response.status_code == 201, f"POST /items/ should answer 201, got {response.status_code}: {response.text}"
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("id"), int), f"POST should answer an integer id, got {body!r}"
    return body["id"]


@pytest.mark.contract("q08.1")
def test_post_answers_201_with_message(client: httpx.Client) -> None:
    response = client.post("/items/", json=BOOK)
    assert response.status_code == 201, f"POST /items/ should answer 201, got {response.status_code}: {response.text}"
    body = response.json()
    assert body.get("message") == "Item created", f'POST should answer "message": "Item created", got {body}'
    assert isinstance(body.get("id"), int) and body["id"] > 0, f"POST should answer a positive integer id, got {body}"
    assert set(body) == {"message", "id"}, f"POST should answer exactly message and id, nothing else, got {body}"


@pytest.mark.contract("q08.1")
def test_post_sets_location_header(client: httpx.Client) -> None:
    response = client.post("/items/", json=BOOK)
    assert response.status_code == 201, f"POST /items/ should answer 201, got {response.status_code}: {response.text}"
    item_id = response.json().get("id")
    location = response.headers.get("location")
    assert location, f"POST /items/ should send a Location header, got the headers {dict(response.headers)}"
    # A path (/items/1) and a full URL (http://testserver/items/1, from request.url_for) both point at the item.
    parts = urlsplit(location)
    assert parts.path == f"/items/{item_id}" and not parts.query, (
        f"the Location header should point at /items/{item_id}, got {location!r}"
    )
    followed = client.get(parts.path)
    assert followed.status_code == 200, f"GET on the Location should answer 200, got {followed.status_code}"


@pytest.mark.contract("q08.2")
def test_get_created_item_answers_200(client: httpx.Client) -> None:
    item_id = _post(client, BOOK)
    response = client.get(f"/items/{item_id}")
    assert response.status_code == 200, f"GET /items/{item_id} should answer 200, got {response.status_code}"
    expected = {"id": item_id, **BOOK}
    assert response.json() == expected, f"GET should answer the stored item {expected}, got {response.json()}"


@pytest.mark.contract("q08.2")
def test_get_missing_item_answers_404(client: httpx.Client) -> None:
    item_id = _post(client, BOOK)
    response = client.get(f"/items/{item_id + 100}")
    assert response.status_code == 404, f"GET on a missing item should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "Item not found"}, (
        f'a missing item should answer {{"detail": "Item not found"}}, got {response.json()}'
    )


@pytest.mark.contract("q08.4")
def test_delete_answers_204_with_empty_body(client: httpx.Client) -> None:
    item_id = _post(client, BOOK)
    response = client.delete(f"/items/{item_id}")
    assert response.status_code == 204, f"DELETE should answer 204, got {response.status_code}: {response.text}"
    assert response.content == b"", f"a 204 answer must have an empty body (zero bytes), got {response.content!r}"


@pytest.mark.contract("q08.2", "q08.4")
def test_deleted_item_is_gone(client: httpx.Client) -> None:
    item_id = _post(client, BOOK)
    assert client.delete(f"/items/{item_id}").status_code == 204, "DELETE should answer 204"
    after = client.get(f"/items/{item_id}")
    assert after.status_code == 404, f"GET after DELETE should answer 404, got {after.status_code}"
    again = client.delete(f"/items/{item_id}")
    assert again.status_code == 404, f"deleting a missing item should answer 404, got {again.status_code}"
    assert again.json() == {"detail": "Item not found"}, (
        f'deleting a missing item should answer {{"detail": "Item not found"}}, got {again.json()}'
    )


@pytest.mark.contract("q08.3")
def test_put_on_a_new_id_answers_201(client: httpx.Client) -> None:
    response = client.put("/items/42", json=BOOK)
    assert response.status_code == 201, (
        f"PUT on an id no item holds creates it and should answer 201, got {response.status_code}: {response.text}"
    )
    expected = {"id": 42, **BOOK}
    assert response.json() == expected, f"PUT should answer the stored item {expected}, got {response.json()}"
    stored = client.get("/items/42")
    assert stored.status_code == 200, f"the item created by PUT should be readable, got {stored.status_code}"
    assert stored.json() == expected, f"GET should answer {expected}, got {stored.json()}"


@pytest.mark.contract("q08.3")
def test_put_on_an_existing_id_answers_200_and_replaces(client: httpx.Client) -> None:
    created = client.put("/items/7", json=BOOK)
    assert created.status_code == 201, f"the first PUT /items/7 should answer 201, got {created.status_code}"
    response = client.put("/items/7", json=PEN)
    assert response.status_code == 200, (
        f"PUT on an existing item replaces it and should answer 200, got {response.status_code}: {response.text}"
    )
    expected = {"id": 7, **PEN}
    assert response.json() == expected, f"PUT should answer the replaced item {expected}, got {response.json()}"
    assert client.get("/items/7").json() == expected, "GET after the second PUT should answer the replaced item"


@pytest.mark.contract("q08.3")
def test_put_answers_200_for_an_item_created_by_post(client: httpx.Client) -> None:
    item_id = _post(client, BOOK)
    response = client.put(f"/items/{item_id}", json=PEN)
    assert response.status_code == 200, (
        f"PUT on an item created by POST should answer 200, got {response.status_code}: {response.text}"
    )


@pytest.mark.contract("q08.1")
def test_post_never_reuses_a_held_id(client: httpx.Client) -> None:
    assert client.put("/items/1", json=BOOK).status_code == 201, "PUT /items/1 on an empty store should answer 201"
    first = _post(client, PEN)
    second = _post(client, {"name": "Ink", "price": 3.0})
    assert len({1, first, second}) == 3, f"POST should pick ids no stored item holds, got 1 (PUT), {first}, {second}"
    assert client.get("/items/1").json() == {"id": 1, **BOOK}, "POST must not overwrite the item PUT stored under id 1"


@pytest.mark.contract("q08.5")
def test_invalid_body_answers_422(client: httpx.Client) -> None:
    assert client.post("/items/", json=BOOK).status_code == 201, "POST /items/ should work before bad bodies are sent"
    bad_bodies = ({"name": "Book"}, {"price": 1.0}, {"name": "Book", "price": "cheap"})
    for body in bad_bodies:
        response = client.post("/items/", json=body)
        assert response.status_code == 422, f"POST /items/ with {body} should answer 422, got {response.status_code}"
    for body in bad_bodies:
        response = client.put("/items/5", json=body)
        assert response.status_code == 422, f"PUT /items/5 with {body} should answer 422, got {response.status_code}"
    assert client.get("/items/5").status_code == 404, "a refused PUT should store nothing"


@pytest.mark.contract("q08.1")
def test_post_after_delete_keeps_other_items(client: httpx.Client) -> None:
    first = _post(client, BOOK)
    second = _post(client, PEN)
    assert client.delete(f"/items/{first}").status_code == 204, "DELETE should answer 204"
    third = _post(client, {"name": "Ink", "price": 3.0})
    assert third != second, f"POST gave the new item id {third}, which the stored item {second} still holds"
    assert client.get(f"/items/{second}").json() == {"id": second, **PEN}, "POST must not overwrite a stored item"


# Items with uneven prices and names in several scripts.
CAMERA = {"name": "Caméra 📷", "price": 249.99}
TEA = {"name": "緑茶", "price": 3.17}
LENS = {"name": "Zoe\u0308's lens", "price": 1337.05}


def _assert_stored(response: httpx.Response, status_code: int, item_id: int, item: dict[str, Any], what: str) -> None:
    assert response.status_code == status_code, f"{what} should answer {status_code}, got {response.status_code}"
    body = response.json()
    assert body == {"id": item_id, **item}, (
        f"{what} should answer exactly the stored item {{'id': {item_id}, ...}} (id, name, price), got {body}"
    )


@pytest.mark.contract("q08.1")
def test_every_post_answers_exactly_message_id_and_a_matching_location(client: httpx.Client) -> None:
    seen: set[int] = set()
    for item in (CAMERA, TEA, LENS, CAMERA):
        response = client.post("/items/", json=item)
        assert response.status_code == 201, f"POST /items/ should answer 201, got {response.status_code}"
        body = response.json()
        assert set(body) == {"message", "id"} and body["message"] == "Item created", (
            f'every POST should answer exactly {{"message": "Item created", "id": ...}}, got {body}'
        )
        item_id = body["id"]
        assert isinstance(item_id, int) and item_id > 0 and item_id not in seen, f"a new positive id, got {item_id}"
        seen.add(item_id)
        location = urlsplit(response.headers.get("location", ""))
        assert location.path == f"/items/{item_id}", f"the Location should point at /items/{item_id}, got {location}"
        _assert_stored(client.get(location.path), 200, item_id, item, f"GET {location.path}")


@pytest.mark.contract("q08.1")
def test_post_skips_every_id_put_already_holds(client: httpx.Client) -> None:
    first, second = _post(client, CAMERA), _post(client, TEA)
    held = {first, second}
    for put_id in (second + 1, second + 2, second + 4):
        assert client.put(f"/items/{put_id}", json=LENS).status_code == 201, f"PUT /items/{put_id} should answer 201"
        held.add(put_id)
    for _ in range(4):
        new_id = _post(client, PEN)
        assert new_id > 0 and new_id not in held, f"POST gave the id {new_id}, which a stored item holds ({held})"
        held.add(new_id)
    _assert_stored(client.get(f"/items/{second + 1}"), 200, second + 1, LENS, "an item stored by PUT")


@pytest.mark.contract("q08.1")
def test_post_ids_stay_positive_after_put_stored_ids_at_zero_or_below(client: httpx.Client) -> None:
    assert client.put("/items/-5", json=TEA).status_code == 201, "PUT /items/-5 should answer 201"
    new_id = _post(client, CAMERA)
    assert new_id > 0, f"a new id must be positive even when the only stored id is -5, got {new_id}"
    assert client.put("/items/0", json=LENS).status_code == 201, "PUT /items/0 should answer 201"
    another = _post(client, PEN)
    assert another > 0 and another != new_id, f"a new id must be positive and unused, got {another}"
    _assert_stored(client.get("/items/-5"), 200, -5, TEA, "GET /items/-5")


@pytest.mark.contract("q08.3")
def test_put_takes_any_integer_id_and_answers_201_then_200(client: httpx.Client) -> None:
    for item_id in (0, -5, 2_147_483_659, 31):
        _assert_stored(
            client.put(f"/items/{item_id}", json=CAMERA), 201, item_id, CAMERA, f"PUT /items/{item_id} (new)"
        )
        _assert_stored(client.put(f"/items/{item_id}", json=TEA), 200, item_id, TEA, f"PUT /items/{item_id} (again)")
        _assert_stored(client.get(f"/items/{item_id}"), 200, item_id, TEA, f"GET /items/{item_id}")


@pytest.mark.contract("q08.3")
def test_put_on_a_deleted_id_creates_it_again_with_201(client: httpx.Client) -> None:
    item_id = _post(client, CAMERA)
    assert client.delete(f"/items/{item_id}").status_code == 204, "DELETE should answer 204"
    _assert_stored(client.put(f"/items/{item_id}", json=LENS), 201, item_id, LENS, "PUT on a deleted id")
    _assert_stored(client.put(f"/items/{item_id}", json=TEA), 200, item_id, TEA, "PUT on that id once more")
    assert client.delete("/items/13").status_code == 404, "DELETE of an id never stored should answer 404"
    _assert_stored(client.put("/items/13", json=LENS), 201, 13, LENS, "PUT /items/13 after a refused DELETE")
    assert client.delete("/items/13").status_code == 204, "DELETE /items/13 should answer 204"
    _assert_stored(client.put("/items/13", json=CAMERA), 201, 13, CAMERA, "PUT /items/13 once PUT's item was deleted")


@pytest.mark.contract("q08.2", "q08.4")
def test_every_404_has_the_same_detail(client: httpx.Client) -> None:
    item_id = _post(client, CAMERA)
    assert client.delete(f"/items/{item_id}").status_code == 204, "DELETE should answer 204"
    for missing in (item_id, item_id + 1, 0, -1):
        for method in ("GET", "DELETE"):
            response = client.request(method, f"/items/{missing}")
            assert response.status_code == 404, f"{method} /items/{missing} should answer 404"
            assert response.json() == {"detail": "Item not found"}, (
                f'{method} /items/{missing} should answer {{"detail": "Item not found"}}, got {response.text}'
            )


@pytest.mark.contract("q08.4")
def test_every_delete_answers_zero_bytes(client: httpx.Client) -> None:
    ids = [_post(client, item) for item in (CAMERA, TEA)]
    assert client.put("/items/-2", json=LENS).status_code == 201, "PUT /items/-2 should answer 201"
    for item_id in (*ids, -2):
        response = client.delete(f"/items/{item_id}")
        assert response.status_code == 204, f"DELETE /items/{item_id} should answer 204, got {response.status_code}"
        assert response.content == b"", f"DELETE /items/{item_id}: a 204 has zero bytes, got {response.content!r}"
        assert client.get(f"/items/{item_id}").status_code == 404, f"/items/{item_id} should be gone after DELETE"


@pytest.mark.contract("q08.5")
def test_every_bad_body_is_422_on_both_routes_and_stores_nothing(client: httpx.Client) -> None:
    assert client.post("/items/", json=TEA).status_code == 201, "POST /items/ should work before bad bodies are sent"
    bad_bodies = (
        {},
        {"name": None, "price": 1.25},
        {"name": 5, "price": 1.25},
        {"name": "Ink", "price": None},
        {"name": "Ink", "price": [1.25]},
        [TEA],
        "緑茶",
    )
    for body in bad_bodies:
        for method, path in (("POST", "/items/"), ("PUT", "/items/77")):
            response = client.request(method, path, json=body)
            assert response.status_code == 422, (
                f"{method} {path} with {body!r} should answer 422, got {response.status_code}"
            )
    assert client.get("/items/77").status_code == 404, "a refused PUT should store nothing"
