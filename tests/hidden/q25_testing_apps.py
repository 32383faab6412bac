"""The kit's own copy of the q25 app and its variants (not a test file: the module of q25's variants host).

``make_app(None)`` builds the app exactly as the q25 contract describes it; ``make_app(name)`` builds the same
app with ONE realistic bug planted in it (``MUTANTS``), and ``make_app(UNAVAILABLE)`` an app that answers every
request with 503. The candidate's tests must pass on the first and fail on every other.

test_q25_testing.py starts this file as an app host of its own, a process the candidate's code cannot reach:
``reset(variant)`` puts a fresh app of that variant behind ``app`` (the ASGI app the judge's client drives),
``set_overrides`` gives it the dependency overrides a candidate's test asked for. Nothing of this file is ever
copied beside the candidate's module: which variant answers is known only here and in the judge.
"""

from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

API_TOKEN = "secret-token"
UNAVAILABLE = "unavailable"

# Each mutant, in the words a failure message uses: "a version of the app that <description> passed all your tests".
MUTANTS: dict[str, str] = {
    "wrong_greeting": 'answers GET / with {"Hello": "world"} instead of {"Hello": "World"}',
    "create_returns_200": "answers 200 instead of 201 on POST /items/",
    "wrong_id_field": 'names the id field "item_id" instead of "id" in the item JSON',
    "ids_start_at_zero": "numbers the items 0, 1, 2, ... instead of 1, 2, 3, ...",
    "empty_name_accepted": 'accepts an empty name ("") on POST /items/',
    "missing_price_accepted": "accepts a POST /items/ body without a price (storing the price 1.0)",
    "no_price_validation": "accepts a price of 0 or below on POST /items/",
    "price_zero_accepted": "accepts a price of exactly 0 on POST /items/ (it refuses only negative prices)",
    "missing_item_returns_null": "answers 200 with null instead of 404 for an item that does not exist",
    "wrong_not_found_detail": 'answers 404 {"detail": "Not Found"} instead of {"detail": "Item not found"} for a '
    "missing item",
    "id_zero_reads_last_item": "reads the ids 0 and below as positions from the end of the store (GET /items/0 "
    "answers the last item) instead of answering 404",
    "page_one_too_many": "returns one item more than `limit` asks for in GET /items/",
    "skip_ignored": "ignores `skip` in GET /items/",
    "total_counts_page": "reports as `total` the number of items on the page instead of all stored items",
    "default_limit_20": "returns up to 20 items when GET /items/ is given no limit, instead of 10",
    "no_limit_bound": "accepts any limit above 100 in GET /items/ instead of answering 422",
    "limit_100_refused": "refuses limit=100 in GET /items/ (it allows at most 99)",
    "limit_zero_accepted": "accepts limit=0 in GET /items/ instead of answering 422",
    "negative_skip_accepted": "accepts a negative skip in GET /items/ instead of answering 422",
    "missing_token_accepted": "treats a request without an X-Token header as if it carried API_TOKEN",
    "token_prefix_accepted": "accepts any X-Token that starts with API_TOKEN (such as API_TOKEN + 'x')",
    "wrong_unauthorized_detail": 'answers a bad X-Token with 401 {"detail": "Not authenticated"} instead of '
    '{"detail": "Invalid X-Token"}',
    "delete_without_token": "lets DELETE /items/{item_id} through without a valid X-Token",
    "delete_with_any_token": "lets DELETE /items/{item_id} through with any X-Token value, not only API_TOKEN",
    "delete_keeps_item": "answers 204 on DELETE /items/{item_id} but keeps the item",
    "delete_removes_last_item": "removes the most recently created item on DELETE /items/{item_id}, whichever id "
    "is named",
    "delete_missing_answers_204": "answers 204 instead of 404 to DELETE /items/{item_id} of an id that does not exist",
    "delete_removes_next_item_too": "also removes the item created after it on DELETE /items/{item_id}",
    "delete_before_token_check": "removes the item on DELETE /items/{item_id} before checking the X-Token, then "
    "answers 401 for a bad one",
    "price_as_string": 'answers the price as a JSON string ("9.5") instead of a number (a Decimal price)',
    "user_wrong_key": 'gives the user {"name": "alice"} instead of {"username": "alice"} for X-Token: API_TOKEN',
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


class NonNegativeItemIn(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(ge=0)


class NonNegativeItem(NonNegativeItemIn):
    id: int


class NonNegativeItemPage(BaseModel):
    items: list[NonNegativeItem]
    total: int


class AnyNameItemIn(BaseModel):
    name: str
    price: float = Field(gt=0)


class AnyNameItem(AnyNameItemIn):
    id: int


class AnyNameItemPage(BaseModel):
    items: list[AnyNameItem]
    total: int


class DecimalItemIn(BaseModel):
    name: str = Field(min_length=1)
    price: Decimal = Field(gt=0)


class DecimalItem(DecimalItemIn):
    id: int


class DecimalItemPage(BaseModel):
    items: list[DecimalItem]
    total: int


class DefaultPriceItemIn(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(default=1.0, gt=0)


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


_CORRECT_OPENAPI: list[dict[str, Any]] = []


def _openapi_of_the_correct_app() -> dict[str, Any]:
    if not _CORRECT_OPENAPI:
        _CORRECT_OPENAPI.append(make_app(None).openapi())
    return _CORRECT_OPENAPI[0]


def make_app(mutant: str | None = None) -> FastAPI:
    """A fresh app with an empty store: correct when ``mutant`` is None, else with that one bug.

    Every variant serves the correct app's /openapi.json: a bug shows in behaviour, never in the schema.
    """
    if mutant == UNAVAILABLE:
        return _unavailable_app()
    if mutant is not None and mutant not in MUTANTS:
        raise ValueError(f"unknown mutant {mutant!r}")

    # The models the routes declare: the stub's, except in the mutants that change them.
    body_model, item_model, page_model = ItemIn, Item, ItemPage
    if mutant == "no_price_validation":
        body_model, item_model, page_model = UncheckedItemIn, UncheckedItem, UncheckedItemPage
    elif mutant == "price_zero_accepted":
        body_model, item_model, page_model = NonNegativeItemIn, NonNegativeItem, NonNegativeItemPage
    elif mutant == "empty_name_accepted":
        body_model, item_model, page_model = AnyNameItemIn, AnyNameItem, AnyNameItemPage
    elif mutant == "price_as_string":
        body_model, item_model, page_model = DecimalItemIn, DecimalItem, DecimalItemPage
    elif mutant == "missing_price_accepted":
        body_model = DefaultPriceItemIn
    elif mutant == "wrong_id_field":
        item_model, page_model = WrongIdItem, WrongIdItemPage

    app = FastAPI(title="Items")
    if mutant is not None:
        app.openapi_schema = _openapi_of_the_correct_app()
    items: dict[int, dict[str, Any]] = {}
    first_id = 0 if mutant == "ids_start_at_zero" else 1
    next_id = first_id

    def empty() -> None:
        """Back to a fresh app: no item, ids from the first, no override (``reset`` reuses an app this way)."""
        nonlocal next_id
        items.clear()
        next_id = first_id
        app.dependency_overrides = {}

    app.state.empty = empty
    unauthorized = "Not authenticated" if mutant == "wrong_unauthorized_detail" else "Invalid X-Token"
    not_found = "Not Found" if mutant == "wrong_not_found_detail" else "Item not found"

    def current_user(x_token: Annotated[str | None, Header()] = None) -> dict[str, str]:
        if x_token is None and mutant == "missing_token_accepted":
            x_token = API_TOKEN
        valid = x_token == API_TOKEN
        if mutant == "token_prefix_accepted":
            valid = x_token is not None and x_token.startswith(API_TOKEN)
        if not valid:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=unauthorized)
        return {"name": "alice"} if mutant == "user_wrong_key" else {"username": "alice"}

    # The dependency the routes declare, which an override of get_current_user replaces (set_overrides): the
    # module's get_current_user, or in the mutants that check tokens otherwise, their own.
    token_mutants = ("missing_token_accepted", "token_prefix_accepted", "wrong_unauthorized_detail", "user_wrong_key")
    dependency = current_user if mutant in token_mutants else get_current_user
    app.state.user_dependency = dependency

    def out(item: dict[str, Any]) -> Any:
        if mutant == "wrong_id_field":
            return WrongIdItem(item_id=item["id"], name=item["name"], price=item["price"])
        return item_model(**item)

    def find(item_id: int) -> dict[str, Any]:
        if item_id not in items:
            if mutant == "id_zero_reads_last_item" and items and item_id <= 0:
                stored = list(items.values())
                if -item_id < len(stored):
                    return stored[item_id - 1]
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=not_found)
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

    max_limit = {"no_limit_bound": 10**9, "limit_100_refused": 99}.get(mutant or "", 100)
    min_limit = 0 if mutant == "limit_zero_accepted" else 1
    min_skip = None if mutant == "negative_skip_accepted" else 0
    default_limit = 20 if mutant == "default_limit_20" else 10

    @app.get("/items/")
    def list_items(
        skip: Annotated[int, Query(ge=min_skip)] = 0,
        limit: Annotated[int, Query(ge=min_limit, le=max_limit)] = default_limit,
    ) -> page_model:  # type: ignore[valid-type]
        stored = list(items.values())
        start = 0 if mutant == "skip_ignored" else max(skip, 0)
        end = start + limit + (1 if mutant == "page_one_too_many" else 0)
        page = stored[start:end]
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
    guard = guards.get(mutant or "", [Depends(dependency)])

    if mutant == "delete_before_token_check":

        def remove(item_id: int) -> dict[str, Any] | None:
            return items.pop(item_id, None)

        # Dependencies run in the order they are declared: the item is gone before the token is checked.
        @app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
        def delete_removed_item(
            removed: Annotated[dict[str, Any] | None, Depends(remove)],
            user: Annotated[dict[str, str], Depends(dependency)],
        ) -> None:
            if removed is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail=not_found)

    else:

        @app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=guard)
        def delete_item(item_id: int) -> None:
            if mutant == "delete_missing_answers_204" and item_id not in items:
                return
            item = find(item_id)
            if mutant == "delete_removes_last_item":
                del items[list(items)[-1]]
            elif mutant == "delete_removes_next_item_too":
                ids = list(items)
                start = ids.index(item["id"])
                for removed_id in ids[start : start + 2]:  # one too many
                    del items[removed_id]
            elif mutant != "delete_keeps_item":
                del items[item["id"]]

    if mutant == "override_ignored":

        @app.get("/users/me")
        def read_me_directly(x_token: Annotated[str | None, Header()] = None) -> dict[str, str]:
            return get_current_user(x_token)  # called by hand: overrides never apply

    else:

        @app.get("/users/me")
        def read_me(user: Annotated[dict[str, str], Depends(dependency)]) -> dict[str, str]:
            return user

    return app


def _unavailable_app() -> FastAPI:
    """An app that answers every request, whatever its method and path, with 503."""
    app = FastAPI(title="Items", openapi_url=None, docs_url=None, redoc_url=None)

    @app.middleware("http")
    async def unavailable(request: Request, call_next: Any) -> JSONResponse:
        return JSONResponse({"detail": "Service Unavailable"}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)

    return app


# -- the variants host ------------------------------------------------------------------------------------------
_built: dict[str | None, FastAPI] = {}  # the app of each variant, emptied for every test
_current: FastAPI = make_app(None)


def reset(variant: str | None, rebuild: bool = False) -> None:
    """A fresh app of ``variant`` (None: the correct one), with no item and no override, answers from now on.

    The judge asks for a new app object (``rebuild``) at the start of each run of a suite, so that no run meets
    an app another run has already used (whose first answers might come faster); between the tests of one run
    the same app is emptied, which is cheaper.
    """
    global _current
    if rebuild or variant not in _built:
        _built[variant] = make_app(variant)
    _current = _built[variant]
    empty = getattr(_current.state, "empty", None)
    if empty is not None:
        empty()
    _current.dependency_overrides = {}


def set_overrides(values: dict[str, Any]) -> None:
    """The current app's dependency overrides: each named dependency returns the given JSON value."""
    overrides: dict[Any, Any] = {}
    for name, value in values.items():
        if name != "get_current_user":
            raise ValueError(f"no dependency named {name!r} can be overridden")
        overrides[getattr(_current.state, "user_dependency", get_current_user)] = lambda value=value: value
    _current.dependency_overrides = overrides


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI app the judge's client drives: whichever app ``reset`` put in place."""
    await _current(scope, receive, send)
