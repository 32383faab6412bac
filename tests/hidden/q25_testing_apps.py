"""The kit's own copy of the q25 app, and its mutants (not a test file: loaded by path from test_q25_testing.py).

``make_app(None)`` builds the app exactly as the q25 contract describes it; ``make_app(name)`` builds the same
app with ONE realistic bug planted in it. The candidate's tests must pass on the first and fail on every other.
"""

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, status
from pydantic import BaseModel, Field

API_TOKEN = "secret-token"

# Each mutant, in the words a failure message uses: "a version of the app that <description> passed all your tests".
MUTANTS: dict[str, str] = {
    "wrong_greeting": 'answers GET / with {"Hello": "world"} instead of {"Hello": "World"}',
    "create_returns_200": "answers 200 instead of 201 on POST /items/",
    "wrong_id_field": 'names the id field "item_id" instead of "id" in the item JSON',
    "missing_item_returns_null": "answers 200 with null instead of 404 for an item that does not exist",
    "no_price_validation": "accepts a price of 0 or below on POST /items/",
    "page_one_too_many": "returns one item more than `limit` asks for in GET /items/",
    "total_counts_page": "reports as `total` the number of items on the page instead of all stored items",
    "no_limit_bound": "accepts any limit above 100 in GET /items/ instead of answering 422",
    "delete_without_token": "lets DELETE /items/{item_id} through without a valid X-Token",
    "delete_with_any_token": "lets DELETE /items/{item_id} through with any X-Token value, not only API_TOKEN",
    "delete_keeps_item": "answers 204 on DELETE /items/{item_id} but keeps the item",
    "override_ignored": "ignores app.dependency_overrides[get_current_user] on GET /users/me",
}


# The same models as the stub's app, so that the correct app (and its /openapi.json) is the stub's app.
class ItemIn(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(gt=0)


class Item(ItemIn):
    id: int


class ItemPage(BaseModel):
    items: list[Item]
    total: int


# Models used only by mutants.
class UncheckedItemIn(BaseModel):
    name: str = Field(min_length=1)
    price: float


class UncheckedItem(UncheckedItemIn):
    id: int


class UncheckedItemPage(BaseModel):
    items: list[UncheckedItem]
    total: int


class WrongIdItem(BaseModel):
    item_id: int
    name: str
    price: float


class WrongIdItemPage(BaseModel):
    items: list[WrongIdItem]
    total: int


def get_current_user(x_token: Annotated[str | None, Header()] = None) -> dict[str, str]:
    if x_token != API_TOKEN:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Invalid X-Token")
    return {"username": "alice"}


def make_app(mutant: str | None = None) -> FastAPI:
    """A fresh app with an empty store: correct when ``mutant`` is None, else with that one bug."""
    if mutant is not None and mutant not in MUTANTS:
        raise ValueError(f"unknown mutant {mutant!r}")

    # The models the routes declare: the stub's, except in the mutants that change them.
    body_model, item_model, page_model = ItemIn, Item, ItemPage
    if mutant == "no_price_validation":
        body_model, item_model, page_model = UncheckedItemIn, UncheckedItem, UncheckedItemPage
    elif mutant == "wrong_id_field":
        item_model, page_model = WrongIdItem, WrongIdItemPage

    app = FastAPI(title="Items")
    items: dict[int, dict[str, Any]] = {}
    next_id = 1

    def out(item: dict[str, Any]) -> Any:
        if mutant == "wrong_id_field":
            return WrongIdItem(item_id=item["id"], name=item["name"], price=item["price"])
        return item_model(**item)

    def find(item_id: int) -> dict[str, Any]:
        if item_id not in items:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Item not found")
        return items[item_id]

    @app.get("/")
    def read_root() -> dict[str, str]:
        return {"Hello": "world" if mutant == "wrong_greeting" else "World"}

    create_status = status.HTTP_200_OK if mutant == "create_returns_200" else status.HTTP_201_CREATED

    @app.post("/items/", status_code=create_status)
    def create_item(item: body_model) -> item_model:  # type: ignore[valid-type]
        nonlocal next_id
        stored = {"id": next_id, **item.model_dump()}
        items[next_id] = stored
        next_id += 1
        return out(stored)

    max_limit = 10**9 if mutant == "no_limit_bound" else 100

    @app.get("/items/")
    def list_items(
        skip: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=max_limit)] = 10,
    ) -> page_model:  # type: ignore[valid-type]
        stored = list(items.values())
        end = skip + limit + (1 if mutant == "page_one_too_many" else 0)
        page = stored[skip:end]
        total = len(page) if mutant == "total_counts_page" else len(stored)
        return page_model(items=[out(item) for item in page], total=total)

    if mutant == "missing_item_returns_null":

        @app.get("/items/{item_id}")
        def read_item_or_null(item_id: int) -> Item | None:
            item = items.get(item_id)
            return None if item is None else out(item)

    else:

        @app.get("/items/{item_id}")
        def read_item(item_id: int) -> item_model:  # type: ignore[valid-type]
            return out(find(item_id))

    def any_token(x_token: Annotated[str | None, Header()] = None) -> None:
        if not x_token:  # checks that a token is there, never which one
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Invalid X-Token")

    guards = {"delete_without_token": [], "delete_with_any_token": [Depends(any_token)]}
    guard = guards.get(mutant or "", [Depends(get_current_user)])

    @app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=guard)
    def delete_item(item_id: int) -> None:
        item = find(item_id)
        if mutant != "delete_keeps_item":
            del items[item["id"]]

    if mutant == "override_ignored":

        @app.get("/users/me")
        def read_me_directly(x_token: Annotated[str | None, Header()] = None) -> dict[str, str]:
            return get_current_user(x_token)  # called by hand: overrides never apply

    else:

        @app.get("/users/me")
        def read_me(user: Annotated[dict[str, str], Depends(get_current_user)]) -> dict[str, str]:
            return user

    return app
