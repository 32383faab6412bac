"""Hidden tests for q01: what FastAPI is, a feature tour.

Whether ``GET /ping`` is served by an ``async def`` function is a declaration: it is read here, from the graded
file's source (``host.source``, parsed, never run), not asked of the host, where the candidate's code runs.
"""

import ast
from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost
from grader.judge.fixtures import error_locs


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


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _receiver(call: ast.Call) -> str:
    func = call.func
    return func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""


def _serves_get(call: ast.Call) -> bool:
    """Whether a ``.get(...)``, ``.api_route(...)`` or ``.add_api_route(...)`` call declares a GET route."""
    if _callee(call) == "get":
        return True
    methods = _keyword(call, "methods")
    if methods is None:
        return _callee(call) in ("api_route", "add_api_route")  # both default to GET
    if not isinstance(methods, ast.List | ast.Tuple | ast.Set):
        return True  # methods the parser cannot read: counted, so that its function is checked too
    return any((_literal(m) or "").upper() == "GET" for m in methods.elts)


def _prefixes(tree: ast.Module) -> dict[str, set[str]]:
    """For each name bound to ``APIRouter(prefix=...)``: the prefixes its routes may end up under."""
    own: dict[str, str] = {}
    included: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _callee(node.value) == "APIRouter":
            for target in node.targets:
                if isinstance(target, ast.Name):
                    own[target.id] = _literal(_keyword(node.value, "prefix")) or ""
        if isinstance(node, ast.Call) and _callee(node) == "include_router" and node.args:
            router = node.args[0]
            if isinstance(router, ast.Name):
                included.setdefault(router.id, set()).add(_literal(_keyword(node, "prefix")) or "")
    return {name: {outer + prefix for outer in included.get(name, {""})} for name, prefix in own.items()}


def _get_declarations(source: bytes, path: str) -> list[tuple[str, bool]]:
    """Every function the source declares for ``GET path`` (name, whether ``async def``), in the order of the file.

    A function counts when a ``.get(...)``/``.api_route(...)`` decorator on it, or an ``add_api_route(...)`` call
    naming it, gives a literal path that is ``path`` under its router's literal prefixes.
    """
    tree = ast.parse(source)
    prefixes = _prefixes(tree)
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]

    def routed_here(call: ast.Call) -> bool:
        route = _literal(call.args[0] if call.args else _keyword(call, "path"))
        under = prefixes.get(_receiver(call), {""})
        return route is not None and _serves_get(call) and any(prefix + route == path for prefix in under)

    found: list[tuple[int, str, bool]] = []
    for function in functions:
        for decorator in function.decorator_list:
            if not isinstance(decorator, ast.Call) or _callee(decorator) not in ("get", "api_route"):
                continue
            if routed_here(decorator):
                found.append((function.lineno, function.name, isinstance(function, ast.AsyncFunctionDef)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node) == "add_api_route" and routed_here(node):
            endpoint = node.args[1] if len(node.args) > 1 else _keyword(node, "endpoint")
            for function in functions:
                if isinstance(endpoint, ast.Name) and function.name == endpoint.id:
                    found.append((node.lineno, function.name, isinstance(function, ast.AsyncFunctionDef)))
    return [(name, is_async) for _line, name, is_async in sorted(found)]


@pytest.mark.contract("q01.3")
def test_ping_answers_pong(client: httpx.Client) -> None:
    response = client.get("/ping")
    assert response.status_code == 200, f"GET /ping should answer 200, got {response.status_code}"
    assert response.json() == {"ping": "pong"}, f'GET /ping should answer {{"ping": "pong"}}, got {response.json()}'


@pytest.mark.contract("q01.3")
def test_ping_is_declared_async(client: httpx.Client, host: AppHost) -> None:
    response = client.get("/ping")
    assert response.status_code == 200, f"GET /ping should answer 200, got {response.status_code}"
    declared = _get_declarations(host.source, "/ping")
    if not declared:
        pytest.fail(
            "the source declares no GET /ping endpoint that the tests can read: put a route decorator with the "
            'literal path on its function (@app.get("/ping"), or an APIRouter\'s .get)',
            pytrace=False,
        )
    plain = [name for name, is_async in declared if not is_async]
    assert not plain, f"the function serving GET /ping should be declared with async def; {plain} is a plain def"


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


@pytest.mark.contract("q01.4")
def test_an_empty_language_header_is_another_value(client: httpx.Client) -> None:
    # "en when the header is absent": a header sent with an empty value is present (HTTP allows empty field
    # values and FastAPI hands it over as ""), and "" is none of en, fr, es, so it is "any other value".
    assert client.get("/greeting").status_code == 200, "GET /greeting without X-Language should answer 200"
    response = client.get("/greeting", headers={"X-Language": ""})
    assert response.status_code == 400, (
        "GET /greeting with an empty X-Language header should answer 400: the header is present, so it is not "
        f"the absent case (en), and its value is none of en, fr, es; got {response.status_code}: {response.text}"
    )


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
