"""Q25 · Testing an application (advanced)

Question: how do you test a FastAPI application, and how do you know your tests are any good?

This time the application is finished and you write the tests. ``TestClient`` drives the app in-process
(no server) through ordinary HTTP calls; ``app.dependency_overrides`` swaps a dependency for a fake. A test is
only worth something if it fails when the behaviour it names breaks: the grader runs your tests against the
correct app (they must all pass) and then against several copies of the app, each with one realistic bug
planted in it. Every buggy copy must make at least one of your tests fail.

Contract (the hidden tests check exactly this):

- [q25.1] Write the body of each ``test_*`` function below (keep their names; at least these 8 tests). You may add more
  ``test_*`` functions: the grader runs every ``def test_*`` at the module's top level (a plain ``def``, not
  ``async def``). Every ``test_*`` function takes exactly one parameter, ``client``: a client on a FRESH copy of
  the app (no items yet, no overrides). Fail with ``assert`` (any exception counts as a failure). Each test
  must pass against the correct app described below.
- [q25.2] When graded, your tests run against the grader's own copies of this app, not against ``create_app`` here:
  each copy runs in a process of its own, and ``client`` is an ``httpx.Client`` with TestClient's methods
  (``client.get("/items/", params=...)``, ``client.post(..., json=...)``, ``client.delete(..., headers=...)``,
  base URL ``http://testserver``) whose every request that copy answers. Reach the app only through ``client``:
  the module's own ``app`` and ``create_app()`` are not the copy under test, so each of your tests must send its
  requests through ``client`` and check the answers (it must fail against a copy that answers every request
  with 503). ``client.app.dependency_overrides`` is the one part of the copy you can change:
  ``client.app.dependency_overrides[get_current_user] = fake``, where ``fake`` takes no parameters and returns
  plain data (a dict), makes the copy's ``get_current_user`` give ``fake()``, called for each request
  (``pop``, ``del`` and ``clear()`` undo it). The copy's ``API_TOKEN`` and ``get_current_user`` are this
  module's: refer to them by those names. Do not change the app itself: it is the specification.
- [q25.3] The app under test (``create_app`` below) behaves exactly like this. Each buggy copy breaks one sentence
  of it, at its edges too (the smallest and largest values allowed and the first ones refused, missing or wrong
  input, ids that do not exist); a buggy copy counts as caught when all your tests pass against the correct app
  and at least one of them fails against the copy.

  - ``GET /`` → 200 ``{"Hello": "World"}``.
  - ``POST /items/`` with JSON ``{"name": str, "price": float}`` → 201 with ``{"id": int, "name": str,
    "price": float}``. Ids are 1, 2, 3, ... in creation order on a fresh app. ``name`` must be non-empty and
    ``price`` greater than 0; a missing field, a wrong type, an empty name or a price of 0 or below → 422.
  - ``GET /items/{item_id}`` → 200 with the item as created; an id that does not exist (0 and negative ids
    never do) → 404 ``{"detail": "Item not found"}``.
  - ``GET /items/?skip=0&limit=10`` → 200 ``{"items": [...], "total": int}``: the items in creation order,
    ``skip`` of them left out at the start and at most ``limit`` returned; ``total`` counts ALL stored items,
    not only the page. ``skip >= 0`` (default 0) and ``1 <= limit <= 100`` (default 10), otherwise 422.
  - ``get_current_user`` is a dependency that reads the ``X-Token`` header: the value ``API_TOKEN``
    (``"secret-token"``) gives the user ``{"username": "alice"}``; a missing or different token → 401
    ``{"detail": "Invalid X-Token"}``.
  - ``GET /users/me`` → 200 with the user returned by ``get_current_user``, so an override of
    ``get_current_user`` changes what it answers.
  - ``DELETE /items/{item_id}`` requires ``get_current_user`` (401 as above without a valid token) → 204 with
    an empty body, after which the item is gone (``GET`` → 404) and the other items stay as they were; an id
    that does not exist → 404 ``{"detail": "Item not found"}``.

Run it: ``pytest exercises/q25_testing.py`` (your tests against this app), or
``fastlings serve 25`` then open http://127.0.0.1:8000/docs
"""

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


def create(client: TestClient, name: str, price: float = 1.5) -> dict:
    response = client.post("/items/", json={"name": name, "price": price})
    assert response.status_code == 201, response.text
    return response.json()


def test_read_root(client: TestClient) -> None:
    """GET / answers 200 with exactly {"Hello": "World"}."""
    response = client.get("/")
    assert response.status_code == 200
    assert response.json() == {"Hello": "World"}


def test_create_item(client: TestClient) -> None:
    """On the fresh app, POST /items/ with a valid body answers 201 with exactly {"id": 1, "name": <as sent>,
    "price": <as sent>}, and GET /items/1 then answers 200 with the same JSON."""
    response = client.post("/items/", json={"name": "Hammer", "price": 9.5})
    assert response.status_code == 201
    created = response.json()
    assert created == {"id": 1, "name": "Hammer", "price": 9.5}

    response = client.get(f"/items/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


def test_read_missing_item(client: TestClient) -> None:
    """GET /items/{id} answers 404 with {"detail": "Item not found"} for an id that was never created (999 on the
    fresh app), and, once an item exists, for id 0 and for the id after the last one."""
    response = client.get("/items/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Item not found"}

    item = create(client, "Hammer")
    for item_id in (0, item["id"] + 1):
        response = client.get(f"/items/{item_id}")
        assert response.status_code == 404, item_id
        assert response.json() == {"detail": "Item not found"}


def test_create_item_validation(client: TestClient) -> None:
    """POST /items/ answers 422 for each invalid body: a missing name, a missing price, a price that is not a
    number, an empty name, a price of 0 and a negative price; and nothing is stored (the list stays empty)."""
    for body in (
        {"price": 1.0},
        {"name": "Hammer"},
        {"name": "Hammer", "price": "cheap"},
        {"name": "", "price": 1.0},
        {"name": "Hammer", "price": 0},
        {"name": "Hammer", "price": -3.5},
    ):
        response = client.post("/items/", json=body)
        assert response.status_code == 422, f"{body} should be refused, got {response.status_code}"
    assert client.get("/items/").json() == {"items": [], "total": 0}


def test_list_items_pagination(client: TestClient) -> None:
    """After creating 12 items, GET /items/?skip=1&limit=2 answers exactly the 2nd and 3rd items (ids 2 and 3)
    with "total": 12; GET /items/ without parameters answers the first 10 in creation order with "total": 12;
    limit=100 answers all 12; and skip=-1, limit=0 and limit=101 each answer 422."""
    for n in range(1, 13):
        create(client, f"item {n}")

    page = client.get("/items/", params={"skip": 1, "limit": 2}).json()
    assert [item["id"] for item in page["items"]] == [2, 3]
    assert page["total"] == 12

    first_page = client.get("/items/").json()
    assert [item["name"] for item in first_page["items"]] == [f"item {n}" for n in range(1, 11)]
    assert first_page["total"] == 12

    response = client.get("/items/", params={"limit": 100})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == list(range(1, 13))

    for params in ({"skip": -1}, {"limit": 0}, {"limit": 101}):
        assert client.get("/items/", params=params).status_code == 422, params


def test_delete_requires_token(client: TestClient) -> None:
    """DELETE /items/{id} of an existing item without an X-Token header, and with wrong ones (another value, and
    API_TOKEN with a character added), answers 401 with {"detail": "Invalid X-Token"}, and the item is still
    there afterwards (GET answers 200)."""
    item = create(client, "Hammer")
    for headers in ({}, {"X-Token": "wrong"}, {"X-Token": API_TOKEN + "x"}):
        response = client.delete(f"/items/{item['id']}", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid X-Token"}
    assert client.get(f"/items/{item['id']}").status_code == 200


def test_delete_item(client: TestClient) -> None:
    """After creating two items, DELETE /items/{id} of the first with the header X-Token: API_TOKEN answers 204
    with an empty body; afterwards GET of it answers 404, the second item is still there and is the only one
    listed, and a second DELETE of the first answers 404."""
    item = create(client, "Hammer")
    other = create(client, "Saw")
    headers = {"X-Token": API_TOKEN}

    response = client.delete(f"/items/{item['id']}", headers=headers)
    assert response.status_code == 204
    assert response.content == b""

    assert client.get(f"/items/{item['id']}").status_code == 404
    assert client.get(f"/items/{other['id']}").json() == other
    assert client.get("/items/").json() == {"items": [other], "total": 1}
    assert client.delete(f"/items/{item['id']}", headers=headers).status_code == 404


def test_current_user_override(client: TestClient) -> None:
    """With client.app.dependency_overrides[get_current_user] replaced by a function returning
    {"username": "bob"}, GET /users/me WITHOUT any X-Token answers 200 with {"username": "bob"}.
    Before the override, GET /users/me with the header X-Token: API_TOKEN answers {"username": "alice"}."""
    response = client.get("/users/me", headers={"X-Token": API_TOKEN})
    assert response.json() == {"username": "alice"}

    client.app.dependency_overrides[get_current_user] = lambda: {"username": "bob"}
    try:
        response = client.get("/users/me")
    finally:
        client.app.dependency_overrides.clear()
    assert response.status_code == 200
    assert response.json() == {"username": "bob"}
