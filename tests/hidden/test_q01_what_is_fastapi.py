"""Hidden tests for q01: what FastAPI is, a feature tour."""

from typing import Any

import httpx
import pytest

from grader.bridge import AppHost
from grader.fixtures import error_locs


def _schema(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json should answer 200, got {response.status_code}"
    return response.json()


@pytest.mark.contract("q01.1")
def test_schema_shows_title_and_version(client: httpx.Client) -> None:
    info = _schema(client)["info"]
    assert info.get("title") == "Feature Tour", f"info.title should be 'Feature Tour', got {info.get('title')!r}"
    assert info.get("version") == "1.0.0", f"info.version should be '1.0.0', got {info.get('version')!r}"


@pytest.mark.contract("q01.1", "q01.2")
def test_schema_lists_routes_and_item_model(client: httpx.Client) -> None:
    spec = _schema(client)
    for path in ("/items/", "/ping", "/greeting"):
        assert path in spec["paths"], f"/openapi.json should list {path}, it lists {sorted(spec['paths'])}"
    item = spec.get("components", {}).get("schemas", {}).get("Item")
    assert item is not None, "the body model should appear as 'Item' in components.schemas"
    assert {"name", "price", "tags"} <= set(item.get("properties", {})), (
        f"the Item schema should have the properties name, price and tags, got {sorted(item.get('properties', {}))}"
    )
    assert {"name", "price"} <= set(item.get("required", [])), "name and price should be required in the Item schema"
    assert "tags" not in item.get("required", []), "tags should be optional in the Item schema"


@pytest.mark.contract("q01.2")
def test_create_item_returns_201_with_the_item(client: httpx.Client) -> None:
    response = client.post("/items/", json={"name": "Pen", "price": 1.5, "tags": ["office", "blue"]})
    assert response.status_code == 201, f"POST /items/ should answer 201, got {response.status_code}: {response.text}"
    body = response.json()
    expected = {"name": "Pen", "price": 1.5, "tags": ["office", "blue"]}
    assert {key: body.get(key) for key in expected} == expected, f"POST /items/ should echo the item, got {body}"


@pytest.mark.contract("q01.2")
def test_create_item_tags_default_to_empty_list(client: httpx.Client) -> None:
    response = client.post("/items/", json={"name": "Pen", "price": 2})
    assert response.status_code == 201, f"POST /items/ should answer 201, got {response.status_code}: {response.text}"
    body = response.json()
    assert body.get("tags") == [], f"tags should default to [], got {body.get('tags')!r}"
    assert body.get("price") == 2, f"price should be 2, got {body.get('price')!r}"


@pytest.mark.contract("q01.2")
def test_tags_that_are_not_strings_return_422(client: httpx.Client) -> None:
    response = client.post("/items/", json={"name": "Pen", "price": 2, "tags": [1, {"colour": "blue"}]})
    assert response.status_code == 422, (
        f"tags must be a list of strings: [1, {{...}}] should answer 422, got {response.status_code}"
    )
    locs = error_locs(response.json())
    assert any(loc[:2] == ["body", "tags"] for loc in locs), (
        f"the 422 errors should name ['body', 'tags', ...], got {locs}"
    )


@pytest.mark.contract("q01.2")
def test_missing_name_returns_422(client: httpx.Client) -> None:
    response = client.post("/items/", json={"price": 1.5})
    assert response.status_code == 422, f"a body without name should answer 422, got {response.status_code}"
    locs = error_locs(response.json())
    assert ["body", "name"] in locs, f"the 422 error should name ['body', 'name'], got {locs}"


@pytest.mark.contract("q01.2")
def test_wrong_price_type_returns_422(client: httpx.Client) -> None:
    response = client.post("/items/", json={"name": "Pen", "price": "cheap"})
    assert response.status_code == 422, f"a non-numeric price should answer 422, got {response.status_code}"
    locs = error_locs(response.json())
    assert ["body", "price"] in locs, f"the 422 error should name ['body', 'price'], got {locs}"


@pytest.mark.contract("q01.2")
def test_price_must_be_strictly_positive(client: httpx.Client) -> None:
    ok = client.post("/items/", json={"name": "Pen", "price": 0.01})
    assert ok.status_code == 201, f"price 0.01 should be accepted with 201, got {ok.status_code}: {ok.text}"
    for price in (0, -3):
        response = client.post("/items/", json={"name": "Pen", "price": price})
        assert response.status_code == 422, f"price {price} should answer 422, got {response.status_code}"
        locs = error_locs(response.json())
        assert ["body", "price"] in locs, f"the 422 error for price {price} should name ['body', 'price'], got {locs}"


@pytest.mark.contract("q01.3")
def test_ping_answers_pong_from_an_async_function(client: httpx.Client, host: AppHost) -> None:
    response = client.get("/ping")
    assert response.status_code == 200, f"GET /ping should answer 200, got {response.status_code}"
    assert response.json() == {"ping": "pong"}, f'GET /ping should answer {{"ping": "pong"}}, got {response.json()}'
    endpoint = host.endpoint("/ping", "GET")
    assert endpoint.found, "no GET /ping route found on app"
    assert endpoint.is_async, f"the function serving GET /ping ({endpoint.name}) should be an async def"


@pytest.mark.contract("q01.4", "q01.5")
def test_greeting_defaults_to_english(client: httpx.Client) -> None:
    response = client.get("/greeting")
    assert response.status_code == 200, f"GET /greeting should answer 200, got {response.status_code}"
    assert response.json() == {"language": "en", "message": "Hello"}, (
        f"without X-Language, GET /greeting should greet in English, got {response.json()}"
    )


@pytest.mark.contract("q01.4", "q01.5")
def test_greeting_follows_x_language_header(client: httpx.Client) -> None:
    for code, message in (("fr", "Bonjour"), ("es", "Hola"), ("en", "Hello")):
        response = client.get("/greeting", headers={"X-Language": code})
        assert response.status_code == 200, f"X-Language: {code} should answer 200, got {response.status_code}"
        assert response.json() == {"language": code, "message": message}, (
            f"X-Language: {code} should greet with {message!r}, got {response.json()}"
        )


@pytest.mark.contract("q01.4")
def test_unsupported_language_returns_400(client: httpx.Client) -> None:
    assert client.get("/greeting").status_code == 200, "GET /greeting should work before bad headers are checked"
    # The accepted values are exactly en, fr and es: another spelling of one of them is another value.
    for code in ("de", "klingon", "FR", "Es"):
        response = client.get("/greeting", headers={"X-Language": code})
        assert response.status_code == 400, f"X-Language: {code} should answer 400, got {response.status_code}"


@pytest.mark.contract("q01.5")
def test_language_dependency_can_be_overridden(client: httpx.Client, host: AppHost) -> None:
    host.helper("common.override", dependency="get_language", value="es")
    try:
        response = client.get("/greeting", headers={"X-Language": "fr"})
    finally:
        host.helper("common.clear_overrides")
    assert response.status_code == 200, f"GET /greeting should answer 200, got {response.status_code}"
    assert response.json() == {"language": "es", "message": "Hola"}, (
        "GET /greeting should take its language from Depends(get_language), so that overriding get_language "
        f"changes the answer; got {response.json()}"
    )
