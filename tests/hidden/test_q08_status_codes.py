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
