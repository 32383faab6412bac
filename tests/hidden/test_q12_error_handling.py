"""Hidden tests for q12: errors and HTTPException.

That the out-of-stock handler is registered on the app is a declaration: it is read here, from the graded file's
source (``host.source``, parsed, never run). What the handler answers is behaviour, seen in the responses.
"""

import ast
import random
from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost


def _error(r: httpx.Response, status: int, detail: str, what: str) -> dict[str, Any]:
    """Check the stable error shape: at least {"detail": <detail>, "status": <status>}."""
    assert r.status_code == status, f"{what} should answer {status}, got {r.status_code}: {r.text}"
    body = r.json()
    assert isinstance(body, dict), f"{what} should answer a JSON object, got {body!r}"
    assert body.get("detail") == detail, f'{what} should answer "detail": "{detail}", got {body}'
    assert body.get("status") == status, (
        f'{what} should answer "status": {status} (every error body carries its status code), got {body}'
    )
    return body


@pytest.mark.contract("q12.4")
def test_existing_item_is_returned(client: httpx.Client) -> None:
    r = client.get("/items/1")
    assert r.status_code == 200, f"GET /items/1 should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == {"name": "Hammer", "stock": 3}, f"GET /items/1 should answer the stored item, got {r.json()}"


@pytest.mark.contract("q12.2", "q12.4")
def test_missing_item_is_404_item_not_found(client: httpx.Client) -> None:
    assert client.get("/items/1").status_code == 200, "GET /items/1 should answer 200 before 404s are checked"
    _error(client.get("/items/999"), 404, "Item not found", "GET /items/999 (unknown id)")


@pytest.mark.contract("q12.5")
def test_reserve_takes_from_the_stock(client: httpx.Client) -> None:
    r = client.post("/items/2/reserve", json={"quantity": 4})
    assert r.status_code == 200, f"POST /items/2/reserve should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == {"item_id": 2, "reserved": 4, "stock": 6}, (
        f"reserving 4 of item 2 (stock 10) should answer item_id, reserved and stock left, got {r.json()}"
    )
    after = client.get("/items/2").json()
    assert after.get("stock") == 6, f"GET /items/2 after reserving 4 of 10 should show stock 6, got {after}"
    everything = client.post("/items/1/reserve", json={"quantity": 3})
    assert everything.status_code == 200, (
        f"reserving the whole stock (3 of 3) is enough stock and should answer 200, got {everything.status_code}"
    )
    assert everything.json() == {"item_id": 1, "reserved": 3, "stock": 0}, f"got {everything.json()}"


@pytest.mark.contract("q12.2", "q12.5")
def test_reserve_unknown_item_is_404(client: httpx.Client) -> None:
    assert client.post("/items/2/reserve", json={"quantity": 1}).status_code == 200, (
        "POST /items/2/reserve should work before unknown items are checked"
    )
    _error(client.post("/items/999/reserve", json={"quantity": 1}), 404, "Item not found", "POST /items/999/reserve")


@pytest.mark.contract("q12.6")
def test_not_enough_stock_is_409_and_keeps_the_stock(client: httpx.Client) -> None:
    r = client.post("/items/1/reserve", json={"quantity": 5})
    body = _error(r, 409, "Not enough stock", "reserving 5 of item 1 (stock 3)")
    extra = {key: body.get(key) for key in ("item_id", "requested", "available")}
    assert extra == {"item_id": 1, "requested": 5, "available": 3}, (
        f"the out-of-stock body should carry item_id, requested and available, got {body}"
    )
    after = client.get("/items/1").json()
    assert after.get("stock") == 3, f"a refused reservation must leave the stock at 3, got {after}"


def _names_out_of_stock(node: ast.expr | None) -> bool:
    return (isinstance(node, ast.Name) and node.id == "OutOfStockError") or (
        isinstance(node, ast.Attribute) and node.attr == "OutOfStockError"
    )


def _registers_out_of_stock_handler(source: bytes) -> bool:
    """Whether the source registers an exception handler for ``OutOfStockError`` on an app.

    ``@app.exception_handler(OutOfStockError)``, ``app.add_exception_handler(OutOfStockError, ...)`` or
    ``FastAPI(..., exception_handlers={OutOfStockError: ...})``.
    """
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("exception_handler", "add_exception_handler") and node.args and _names_out_of_stock(node.args[0]):
            return True
        for keyword in node.keywords:
            handlers = keyword.value if keyword.arg == "exception_handlers" else None
            if isinstance(handlers, ast.Dict) and any(_names_out_of_stock(key) for key in handlers.keys):
                return True
    return False


@pytest.mark.contract("q12.1", "q12.6")
def test_out_of_stock_handler_is_registered_on_the_app(client: httpx.Client, host: AppHost) -> None:
    requested = random.randint(11, 10**6)
    r = client.post("/items/2/reserve", json={"quantity": requested})
    body = _error(r, 409, "Not enough stock", f"reserving {requested} of item 2 (stock 10)")
    extra = {key: body.get(key) for key in ("item_id", "requested", "available")}
    assert extra == {"item_id": 2, "requested": requested, "available": 10}, (
        f"the out-of-stock body should be built from the exception's item_id, requested and available, got {body}"
    )
    assert _registers_out_of_stock_handler(host.source), (
        "the 409 should come from an exception handler registered on the app for OutOfStockError, so that it "
        "applies to every route: the source registers none (@app.exception_handler(OutOfStockError), "
        "app.add_exception_handler(OutOfStockError, ...) or FastAPI(exception_handlers={OutOfStockError: ...}))"
    )


@pytest.mark.contract("q12.1", "q12.2", "q12.7")
def test_maintenance_is_503_with_retry_after(client: httpx.Client, host: AppHost) -> None:
    assert client.post("/items/2/reserve", json={"quantity": 1}).status_code == 200, (
        "POST /items/2/reserve should work before maintenance mode is switched on"
    )
    host.helper("common.set", name="MAINTENANCE", value=True)
    r = client.post("/items/2/reserve", json={"quantity": 1})
    _error(r, 503, "Store under maintenance", "POST /items/2/reserve while MAINTENANCE is True")
    assert r.headers.get("retry-after") == "120", (
        f"the 503 should carry the header Retry-After: 120, got headers {dict(r.headers)}"
    )
    read = client.get("/items/2")
    assert read.status_code == 200 and read.json().get("stock") == 9, (
        f"GET /items/2 should still work during maintenance (stock 9), got {read.status_code}: {read.text}"
    )


@pytest.mark.contract("q12.2")
def test_unknown_path_uses_the_error_shape(client: httpx.Client) -> None:
    assert client.get("/items/1").status_code == 200, "GET /items/1 should answer 200 before unknown paths are checked"
    _error(client.get("/no/such/path"), 404, "Not Found", "GET /no/such/path (no route)")


@pytest.mark.contract("q12.2")
def test_wrong_method_uses_the_error_shape_and_keeps_allow(client: httpx.Client) -> None:
    assert client.get("/items/1").status_code == 200, "GET /items/1 should answer 200 before methods are checked"
    r = client.delete("/items/1")
    _error(r, 405, "Method Not Allowed", "DELETE /items/1")
    assert "GET" in r.headers.get("allow", ""), (
        f"the 405 should keep the Allow header that lists GET, got headers {dict(r.headers)}"
    )


@pytest.mark.contract("q12.3", "q12.5")
def test_validation_errors_keep_the_default_422_body(client: httpx.Client) -> None:
    assert client.post("/items/2/reserve", json={"quantity": 1}).status_code == 200, (
        "POST /items/2/reserve should work before validation errors are checked"
    )
    for payload in ({"quantity": 0}, {}):
        r = client.post("/items/2/reserve", json=payload)
        assert r.status_code == 422, f"POST /items/2/reserve with {payload} should answer 422, got {r.status_code}"
        body = r.json()
        detail = body.get("detail")
        assert isinstance(detail, list) and detail, (
            f"a 422 should keep FastAPI's default body (a list of errors under detail), got {body}"
        )
        assert list(body) == ["detail"], (
            'a 422 should keep FastAPI\'s default body, exactly {"detail": [...errors...]} with no other key '
            f'(the common error shape with its "status" is for the other errors), got keys {list(body)}'
        )
        assert any("quantity" in error.get("loc", []) for error in detail), (
            f"the 422 errors should name the field quantity, got {detail}"
        )
