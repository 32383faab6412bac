"""Hidden tests for q13: response models.

``items_db`` is read and written on this side of the wall: a fake put in its place forwards every mapping operation
to ``Store``, which keeps the records here. What the module stored is this process's own data, and records the
tests insert or change are answered by the app only if its routes read ``items_db``.
"""

import threading
import uuid
from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost

HAMMER = {"name": "Hammer", "price": 12.5, "cost_price": 7.25}
SAW = {"name": "Saw", "price": 20.0, "cost_price": 11.0, "description": "Cuts wood", "tax": 4.0}


class Store:
    """``items_db`` as the judge keeps it: the host's fake calls ``keys``, ``get``, ``set`` and ``del`` here."""

    def __init__(self) -> None:
        self.records: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, op: str, *args: Any) -> Any:
        with self._lock:
            if op == "keys":
                return list(self.records)
            if op == "get":
                return {"found": args[0] in self.records, "value": self.records.get(args[0])}
            if op == "set":
                self.records[args[0]] = args[1]
                return None
            if op == "del":
                return self.records.pop(args[0], None) is not None
        raise ValueError(f"unknown operation {op!r}")


def _judge_store(host: AppHost) -> Store:
    """Put a store kept here in place of the module's ``items_db``."""
    store = Store()
    host.serve("q13.items_db", store)
    host.helper("q13.judge_store", service="q13.items_db")
    return store


def _create(client: httpx.Client, payload: dict[str, Any]) -> httpx.Response:
    r = client.post("/items/", json=payload)
    assert r.status_code == 200, f"POST /items/ with {payload} should answer 200, got {r.status_code}: {r.text}"
    return r


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Follow a $ref to (model name, schema)."""
    ref = schema.get("$ref", "")
    assert ref.startswith("#/components/schemas/"), f"expected a reference to a model schema, got {schema}"
    name = ref.rsplit("/", 1)[-1]
    return name, spec["components"]["schemas"][name]


def _types(prop: dict[str, Any]) -> set[str]:
    """The JSON types a property allows: its ``type``, or those of its ``anyOf`` alternatives."""
    if "type" in prop:
        return set(prop["type"]) if isinstance(prop["type"], list) else {prop["type"]}
    return {t for alternative in prop.get("anyOf", []) for t in _types(alternative)}


def _ok_schema(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    try:
        return spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    except KeyError:
        raise AssertionError(f"the schema should document a JSON 200 response for {method.upper()} {path}") from None


@pytest.mark.contract("q13.3")
def test_create_answers_only_id_and_name(client: httpx.Client) -> None:
    r = _create(client, SAW)
    assert r.json() == {"id": 1, "name": "Saw"}, (
        f'POST /items/ should answer exactly {{"id": 1, "name": "Saw"}} (filtered through ItemOut), got {r.json()}'
    )


@pytest.mark.contract("q13.3")
def test_ids_follow_creation_order(client: httpx.Client) -> None:
    ids = [_create(client, payload).json().get("id") for payload in (HAMMER, SAW, HAMMER)]
    assert ids == [1, 2, 3], f"three POST /items/ in a row should get ids 1, 2, 3, got {ids}"


@pytest.mark.contract("q13.1")
def test_store_keeps_what_the_client_sent(client: httpx.Client, host: AppHost) -> None:
    store = _judge_store(host)
    _create(client, HAMMER)
    _create(client, {"name": "Saw", "price": 20.0, "cost_price": 11.0, "tax": None})
    expected = {1: {"id": 1, **HAMMER}, 2: {"id": 2, "name": "Saw", "price": 20.0, "cost_price": 11.0, "tax": None}}
    assert store.records == expected, (
        "items_db should hold, under each id, the id plus every field the client sent (cost_price and a field "
        f"sent as null included) and no field the client left out; expected {expected}, got {store.records}"
    )


@pytest.mark.contract("q13.1", "q13.4", "q13.5", "q13.6")
def test_routes_answer_the_records_in_items_db(client: httpx.Client, host: AppHost) -> None:
    store = _judge_store(host)
    _create(client, HAMMER)
    renamed, inserted = f"Renamed {uuid.uuid4().hex}", f"Inserted {uuid.uuid4().hex}"
    store.records[1] = {**store.records.get(1, {"id": 1, **HAMMER}), "name": renamed}
    store.records[2] = {"id": 2, "name": inserted, "price": 3.5, "cost_price": 9.75, "description": "Own"}
    listed = client.get("/items/")
    assert listed.status_code == 200, f"GET /items/ should answer 200, got {listed.status_code}: {listed.text}"
    assert listed.json() == [{"id": 1, "name": renamed}, {"id": 2, "name": inserted}], (
        "GET /items/ should answer the records of items_db as they are now (the tests renamed item 1 and "
        f"inserted item 2), got {listed.json()}"
    )
    detail = client.get("/items/2")
    assert detail.status_code == 200, f"GET /items/2 should answer 200, got {detail.status_code}: {detail.text}"
    assert detail.json() == {"id": 2, "name": inserted, "price": 3.5, "description": "Own"}, (
        f"GET /items/2 should answer the inserted record as ItemDetail, without cost_price, got {detail.json()}"
    )
    for r in (listed, detail):
        assert "cost_price" not in r.text and "9.75" not in r.text, (
            f"{r.request.method} {r.request.url.path} leaked the private cost_price: {r.text}"
        )


@pytest.mark.contract("q13.6")
def test_cost_price_never_leaves_the_api(client: httpx.Client) -> None:
    responses = [_create(client, HAMMER), _create(client, SAW)]
    for path in ("/items/", "/items/1", "/items/2"):
        r = client.get(path)
        assert r.status_code == 200, f"GET {path} should answer 200, got {r.status_code}: {r.text}"
        responses.append(r)
    for r in responses:
        assert "cost_price" not in r.text and "7.25" not in r.text, (
            f"{r.request.method} {r.request.url.path} leaked the private cost_price: {r.text}"
        )


@pytest.mark.contract("q13.4")
def test_list_answers_items_as_id_and_name(client: httpx.Client) -> None:
    _create(client, HAMMER)
    _create(client, SAW)
    r = client.get("/items/")
    assert r.status_code == 200, f"GET /items/ should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == [{"id": 1, "name": "Hammer"}, {"id": 2, "name": "Saw"}], (
        f"GET /items/ should list every item in creation order as {{id, name}} only, got {r.json()}"
    )


@pytest.mark.contract("q13.5")
def test_detail_answers_the_public_fields(client: httpx.Client) -> None:
    _create(client, SAW)
    r = client.get("/items/1")
    assert r.status_code == 200, f"GET /items/1 should answer 200, got {r.status_code}: {r.text}"
    expected = {"id": 1, "name": "Saw", "price": 20.0, "description": "Cuts wood", "tax": 4.0}
    assert r.json() == expected, f"GET /items/1 should answer the ItemDetail fields {expected}, got {r.json()}"


@pytest.mark.contract("q13.1", "q13.5")
def test_detail_omits_fields_never_set(client: httpx.Client) -> None:
    _create(client, HAMMER)
    r = client.get("/items/1")
    assert r.status_code == 200, f"GET /items/1 should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == {"id": 1, "name": "Hammer", "price": 12.5}, (
        "an item created without description and tax should answer only id, name and price "
        f"(fields never set are left out, not sent as null), got {r.json()}"
    )


@pytest.mark.contract("q13.1", "q13.5")
def test_detail_keeps_a_field_sent_as_null(client: httpx.Client) -> None:
    _create(client, {**HAMMER, "tax": None})
    r = client.get("/items/1")
    assert r.status_code == 200, f"GET /items/1 should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == {"id": 1, "name": "Hammer", "price": 12.5, "tax": None}, (
        'an item created with "tax": null should answer "tax": null (it was set) and no description '
        f"(never set), got {r.json()}"
    )


@pytest.mark.contract("q13.5")
def test_unknown_item_is_404(client: httpx.Client) -> None:
    _create(client, HAMMER)
    assert client.get("/items/1").status_code == 200, "GET /items/1 should answer 200 before 404s are checked"
    r = client.get("/items/42")
    assert r.status_code == 404, f"GET /items/42 (unknown) should answer 404, got {r.status_code}: {r.text}"
    assert r.json() == {"detail": "Item not found"}, f'GET /items/42 should answer "Item not found", got {r.json()}'


@pytest.mark.contract("q13.1", "q13.6", "q13.7")
def test_record_violating_the_response_model_is_a_server_error(host: AppHost) -> None:
    # As the contract says: the unhandled ResponseValidationError becomes a 500 through this lenient client
    # (a default client would re-raise it instead); a candidate's own handler answering 500 passes as well.
    store = _judge_store(host)
    with host.client(raise_server_exceptions=False) as client:
        _create(client, HAMMER)
        good = client.get("/items/1")
        assert good.status_code == 200, f"GET /items/1 should answer 200, got {good.status_code}: {good.text}"
        store.records[99] = {"id": 99, "name": "Broken", "cost_price": 1.5}
        r = client.get("/items/99")
    assert r.status_code == 500, (
        "GET /items/99 on a stored record without price should fail with 500: the return value must be "
        f"validated against ItemDetail, not sent as it is; got {r.status_code}: {r.text}"
    )
    assert "cost_price" not in r.text, f"the 500 should not leak the private cost_price: {r.text}"


@pytest.mark.contract("q13.2", "q13.8")
def test_schema_documents_the_response_models(client: httpx.Client) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200, f"GET /openapi.json should answer 200, got {r.status_code}"
    spec = r.json()
    out_name, out = _resolve(spec, _ok_schema(spec, "/items/", "post"))
    assert out_name.startswith("ItemOut"), f"POST /items/ should document ItemOut as its response, got {out_name}"
    assert set(out.get("properties", {})) == {"id", "name"}, (
        f"ItemOut should have exactly the fields id and name, got {sorted(out.get('properties', {}))}"
    )
    listed = _ok_schema(spec, "/items/", "get")
    assert listed.get("type") == "array", f"GET /items/ should document a list response, got {listed}"
    item_name, _ = _resolve(spec, listed.get("items", {}))
    assert item_name.startswith("ItemOut"), f"GET /items/ should document a list of ItemOut, got a list of {item_name}"
    detail_name, detail = _resolve(spec, _ok_schema(spec, "/items/{item_id}", "get"))
    assert detail_name.startswith("ItemDetail"), f"GET /items/{{item_id}} should document ItemDetail, got {detail_name}"
    assert set(detail.get("properties", {})) == {"id", "name", "price", "description", "tax"}, (
        f"ItemDetail should have the fields id, name, price, description, tax, got {sorted(detail['properties'])}"
    )
    expected_types = {
        ("ItemOut", "id"): {"integer"},
        ("ItemOut", "name"): {"string"},
        ("ItemDetail", "id"): {"integer"},
        ("ItemDetail", "name"): {"string"},
        ("ItemDetail", "price"): {"number"},
        ("ItemDetail", "description"): {"string", "null"},
        ("ItemDetail", "tax"): {"number", "null"},
    }
    for (model, field), types in expected_types.items():
        found = _types((out if model == "ItemOut" else detail)["properties"][field])
        assert found == types, f"{model}.{field} should have the JSON types {sorted(types)}, got {sorted(found)}"
    for model, schema, required in (("ItemOut", out, {"id", "name"}), ("ItemDetail", detail, {"id", "name", "price"})):
        assert set(schema.get("required", [])) == required, (
            f"{model} should require exactly {sorted(required)} (the other fields default to None), "
            f"got {sorted(schema.get('required', []))}"
        )
