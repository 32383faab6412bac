"""A second answer to q25, written blind from the contract in exercises/q25_testing.py."""

from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Header, HTTPException, Query, status
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

# ---------------------------------------------------------------------------------------------------------------
# The application under test: finished, do not change it.
# ---------------------------------------------------------------------------------------------------------------

API_TOKEN = "secret-token"


class ItemIn(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(gt=0)


class Item(ItemIn):
    id: int


class ItemPage(BaseModel):
    items: list[Item]
    total: int


def get_current_user(x_token: Annotated[str | None, Header()] = None) -> dict[str, str]:
    if x_token != API_TOKEN:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Invalid X-Token")
    return {"username": "alice"}


def create_app() -> FastAPI:
    """Build a fresh app with its own empty item store."""
    app = FastAPI(title="Items")
    items: dict[int, Item] = {}
    next_id = 1

    def find(item_id: int) -> Item:
        if item_id not in items:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Item not found")
        return items[item_id]

    @app.get("/")
    def read_root() -> dict[str, str]:
        return {"Hello": "World"}

    @app.post("/items/", status_code=status.HTTP_201_CREATED)
    def create_item(item: ItemIn) -> Item:
        nonlocal next_id
        stored = Item(id=next_id, **item.model_dump())
        items[stored.id] = stored
        next_id += 1
        return stored

    @app.get("/items/")
    def list_items(
        skip: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> ItemPage:
        stored = list(items.values())
        return ItemPage(items=stored[skip : skip + limit], total=len(stored))

    @app.get("/items/{item_id}")
    def read_item(item_id: int) -> Item:
        return find(item_id)

    @app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(get_current_user)])
    def delete_item(item_id: int) -> None:
        del items[find(item_id).id]

    @app.get("/users/me")
    def read_me(user: Annotated[dict[str, str], Depends(get_current_user)]) -> dict[str, str]:
        return user

    return app


app = create_app()


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A TestClient on a fresh app for every test (the grader passes its own, the same way)."""
    with TestClient(create_app()) as test_client:
        yield test_client


# ---------------------------------------------------------------------------------------------------------------
# Your tests.
# ---------------------------------------------------------------------------------------------------------------
# Helpers (not tests): they take the client explicitly and never touch the module's `app`.

NOT_FOUND = {"detail": "Item not found"}
BAD_TOKEN = {"detail": "Invalid X-Token"}


def token_headers() -> dict[str, str]:
    # Read API_TOKEN at call time: the grader rebinds it to the copy under test.
    return {"X-Token": API_TOKEN}


def make_item(client: TestClient, name: str, price: float) -> dict[str, object]:
    response = client.post("/items/", json={"name": name, "price": price})
    status = response.status_code
    assert status == 201, f"POST /items/ {name!r}: expected 201, got {status} {response.text}"
    return response.json()


def make_items(client: TestClient, count: int) -> list[dict[str, object]]:
    return [make_item(client, f"item-{n}", 1.5 * n) for n in range(1, count + 1)]


def listed(client: TestClient, **params: object) -> dict[str, object]:
    response = client.get("/items/", params=params)
    status = response.status_code
    assert status == 200, f"GET /items/ {params}: expected 200, got {status} {response.text}"
    body = response.json()
    assert set(body) == {"items", "total"}, f"GET /items/ should answer {{'items', 'total'}}, got {body}"
    return body


def expected_item(number: int) -> dict[str, object]:
    return {"id": number, "name": f"item-{number}", "price": 1.5 * number}


# ---------------------------------------------------------------------------------------------------------------
# The required tests.


def test_read_root(client: TestClient) -> None:
    """GET / answers 200 with exactly {"Hello": "World"}."""
    response = client.get("/")
    assert response.status_code == 200
    assert response.json() == {"Hello": "World"}


def test_create_item(client: TestClient) -> None:
    """On the fresh app, POST /items/ with a valid body answers 201 with exactly {"id": 1, "name": <as sent>,
    "price": <as sent>}, and GET /items/1 then answers 200 with the same JSON."""
    response = client.post("/items/", json={"name": "Hammer", "price": 12.75})
    assert response.status_code == 201
    created = response.json()
    assert created == {"id": 1, "name": "Hammer", "price": 12.75}
    assert isinstance(created["id"], int)

    read = client.get("/items/1")
    assert read.status_code == 200
    assert read.json() == created

    # A second item gets the next id, and each id reads back its own item.
    second = client.post("/items/", json={"name": "Saw", "price": 3})
    assert second.status_code == 201
    assert second.json() == {"id": 2, "name": "Saw", "price": 3.0}
    assert client.get("/items/2").json() == {"id": 2, "name": "Saw", "price": 3.0}
    assert client.get("/items/1").json() == created


def test_read_missing_item(client: TestClient) -> None:
    """GET /items/{id} for an id that was never created answers 404 with {"detail": "Item not found"}."""
    for item_id in (1, 2, 999):
        response = client.get(f"/items/{item_id}")
        assert response.status_code == 404, f"GET /items/{item_id} on a fresh app: {response.status_code}"
        assert response.json() == NOT_FOUND

    make_item(client, "Only", 1.0)
    for item_id in (2, 0, -1):  # past the last id, and ids that can never exist
        response = client.get(f"/items/{item_id}")
        assert response.status_code == 404, f"GET /items/{item_id} with one item stored: {response.status_code}"
        assert response.json() == NOT_FOUND


def test_create_item_validation(client: TestClient) -> None:
    """POST /items/ answers 422 for each invalid body: a missing name, a price that is not a number, an empty
    name, a price of 0 and a negative price; and nothing is stored (the list stays empty)."""
    invalid_bodies = [
        {"price": 1.0},  # missing name
        {"name": "Hammer"},  # missing price
        {},  # missing both
        {"name": "Hammer", "price": "not a number"},  # price not a number
        {"name": "Hammer", "price": None},  # price null
        {"name": "", "price": 1.0},  # empty name
        {"name": "Hammer", "price": 0},  # price 0
        {"name": "Hammer", "price": 0.0},  # price 0.0
        {"name": "Hammer", "price": -1},  # negative price
        {"name": "Hammer", "price": -0.01},  # slightly negative price
    ]
    for body in invalid_bodies:
        response = client.post("/items/", json=body)
        assert response.status_code == 422, f"POST /items/ {body}: expected 422, got {response.status_code}"

    assert listed(client) == {"items": [], "total": 0}
    assert client.get("/items/1").status_code == 404

    # The boundaries just inside the rules are accepted, and the first stored item still gets id 1.
    assert make_item(client, "a", 0.01) == {"id": 1, "name": "a", "price": 0.01}


def test_list_items_pagination(client: TestClient) -> None:
    """After creating 5 items, GET /items/?skip=1&limit=2 answers exactly the 2nd and 3rd items (ids 2 and 3)
    with "total": 5; GET /items/ without parameters answers all 5 in creation order; and skip=-1, limit=0 and
    limit=101 each answer 422."""
    created = make_items(client, 5)
    assert created == [expected_item(n) for n in range(1, 6)]

    assert listed(client, skip=1, limit=2) == {"items": [expected_item(2), expected_item(3)], "total": 5}
    assert listed(client) == {"items": created, "total": 5}

    for params in ({"skip": -1}, {"limit": 0}, {"limit": 101}):
        response = client.get("/items/", params=params)
        assert response.status_code == 422, f"GET /items/ {params}: expected 422, got {response.status_code}"


def test_delete_requires_token(client: TestClient) -> None:
    """DELETE /items/{id} of an existing item without an X-Token header, and with a wrong one, answers 401 with
    {"detail": "Invalid X-Token"}, and the item is still there afterwards (GET answers 200)."""
    item = make_item(client, "Keep me", 4.2)
    for headers in ({}, {"X-Token": "wrong-token"}, {"X-Token": ""}, {"X-Token": API_TOKEN + "x"}):
        response = client.delete(f"/items/{item['id']}", headers=headers)
        assert response.status_code == 401, f"DELETE with headers {headers}: expected 401, got {response.status_code}"
        assert response.json() == BAD_TOKEN
        still = client.get(f"/items/{item['id']}")
        assert still.status_code == 200
        assert still.json() == item
    assert listed(client) == {"items": [item], "total": 1}


def test_delete_item(client: TestClient) -> None:
    """DELETE /items/{id} with the header X-Token: API_TOKEN answers 204 with an empty body; afterwards
    GET /items/{id} answers 404, the item is no longer listed, and a second DELETE answers 404."""
    first, second, third = make_items(client, 3)

    response = client.delete(f"/items/{second['id']}", headers=token_headers())
    assert response.status_code == 204
    assert response.content == b""

    gone = client.get(f"/items/{second['id']}")
    assert gone.status_code == 404
    assert gone.json() == NOT_FOUND
    # Only that item is gone: the others are untouched and still listed in order.
    assert client.get(f"/items/{first['id']}").json() == first
    assert client.get(f"/items/{third['id']}").json() == third
    assert listed(client) == {"items": [first, third], "total": 2}

    again = client.delete(f"/items/{second['id']}", headers=token_headers())
    assert again.status_code == 404
    assert again.json() == NOT_FOUND
    assert listed(client) == {"items": [first, third], "total": 2}


def test_current_user_override(client: TestClient) -> None:
    """With client.app.dependency_overrides[get_current_user] replaced by a function returning
    {"username": "bob"}, GET /users/me WITHOUT any X-Token answers 200 with {"username": "bob"}.
    Before the override, GET /users/me with the header X-Token: API_TOKEN answers {"username": "alice"}."""
    before = client.get("/users/me", headers=token_headers())
    assert before.status_code == 200
    assert before.json() == {"username": "alice"}

    overrides = client.app.dependency_overrides
    overrides[get_current_user] = lambda: {"username": "bob"}
    try:
        response = client.get("/users/me")
        assert response.status_code == 200
        assert response.json() == {"username": "bob"}
    finally:
        overrides.pop(get_current_user, None)

    # Without the override, the real dependency is back.
    assert client.get("/users/me").status_code == 401


# ---------------------------------------------------------------------------------------------------------------
# Extra tests: more of the contract, for bugs the required ones might let through.


def test_users_me_requires_a_valid_token(client: TestClient) -> None:
    for headers in ({}, {"X-Token": "wrong-token"}, {"X-Token": API_TOKEN.upper()}, {"X-Token": "secret"}):
        response = client.get("/users/me", headers=headers)
        assert response.status_code == 401, f"GET /users/me with {headers}: expected 401, got {response.status_code}"
        assert response.json() == BAD_TOKEN
    assert client.get("/users/me", headers=token_headers()).json() == {"username": "alice"}


def test_delete_checks_the_token_and_ids(client: TestClient) -> None:
    # An unknown id with a valid token is a 404, and deletes nothing.
    (item,) = make_items(client, 1)
    response = client.delete("/items/42", headers=token_headers())
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert listed(client) == {"items": [item], "total": 1}
    # Without a valid token the request is refused before anything else.
    response = client.delete("/items/42")
    assert response.status_code == 401
    assert response.json() == BAD_TOKEN
    # An override of get_current_user also lets DELETE through.
    client.app.dependency_overrides[get_current_user] = lambda: {"username": "bob"}
    try:
        assert client.delete(f"/items/{item['id']}").status_code == 204
    finally:
        client.app.dependency_overrides.pop(get_current_user, None)
    assert client.get(f"/items/{item['id']}").status_code == 404
    assert listed(client) == {"items": [], "total": 0}


def test_list_default_limit_and_bounds(client: TestClient) -> None:
    created = make_items(client, 12)
    assert created == [expected_item(n) for n in range(1, 13)]

    # The default page is the first 10, but total counts all 12.
    assert listed(client) == {"items": created[:10], "total": 12}
    assert listed(client, skip=0, limit=10) == {"items": created[:10], "total": 12}
    # The bounds themselves are valid.
    assert listed(client, limit=1) == {"items": created[:1], "total": 12}
    assert listed(client, limit=100) == {"items": created, "total": 12}
    assert listed(client, skip=0) == {"items": created[:10], "total": 12}
    # skip alone keeps the default limit; the end of the list and beyond.
    assert listed(client, skip=5) == {"items": created[5:12], "total": 12}
    assert listed(client, skip=10, limit=5) == {"items": created[10:], "total": 12}
    assert listed(client, skip=11, limit=1) == {"items": created[11:], "total": 12}
    assert listed(client, skip=12) == {"items": [], "total": 12}
    assert listed(client, skip=50, limit=3) == {"items": [], "total": 12}
    assert listed(client, skip=3, limit=4) == {"items": created[3:7], "total": 12}

    for params in (
        {"skip": -1},
        {"skip": -5, "limit": 5},
        {"limit": 0},
        {"limit": -1},
        {"limit": 101},
        {"limit": 1000},
        {"skip": "x"},
        {"limit": "ten"},
    ):
        response = client.get("/items/", params=params)
        assert response.status_code == 422, f"GET /items/ {params}: expected 422, got {response.status_code}"


def test_empty_list_on_a_fresh_app(client: TestClient) -> None:
    assert listed(client) == {"items": [], "total": 0}
    assert listed(client, skip=3, limit=2) == {"items": [], "total": 0}
