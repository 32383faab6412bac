"""Hidden tests for q17: APIRouter (prefixes, tags, a router-level dependency, router responses)."""

from typing import Any

import httpx
import pytest

TOKEN = {"X-Token": "fake-super-secret-token"}
ALL_ITEMS = [
    {"id": 1, "name": "Hammer"},
    {"id": 2, "name": "Screwdriver"},
    {"id": 3, "name": "Wrench"},
]


def _sorted_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item["id"])


def _operation(client: httpx.Client, path: str, method: str) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json should answer 200, got {response.status_code}"
    paths = response.json().get("paths", {})
    assert path in paths, f"{path} should be in /openapi.json; found {sorted(paths)}"
    assert method in paths[path], f"{method.upper()} {path} should be in /openapi.json"
    return paths[path][method]


@pytest.mark.contract("q17.1", "q17.2")
def test_items_are_listed_under_the_versioned_prefix(client: httpx.Client) -> None:
    response = client.get("/api/v1/items/")
    assert response.status_code == 200, f"GET /api/v1/items/ should answer 200, got {response.status_code}"
    assert _sorted_items(response.json()) == ALL_ITEMS, "GET /api/v1/items/ should list the three items of ITEMS"


@pytest.mark.contract("q17.1", "q17.2")
def test_one_item_and_missing_item(client: httpx.Client) -> None:
    response = client.get("/api/v1/items/2")
    assert response.status_code == 200, f"GET /api/v1/items/2 should answer 200, got {response.status_code}"
    assert response.json() == {"id": 2, "name": "Screwdriver"}, f"GET /api/v1/items/2 gave {response.json()}"
    missing = client.get("/api/v1/items/99")
    assert missing.status_code == 404, f"GET /api/v1/items/99 should answer 404, got {missing.status_code}"
    assert missing.json() == {"detail": "Item not found"}, f"a missing item should say Item not found: {missing.text}"


@pytest.mark.contract("q17.1", "q17.3", "q17.4")
def test_users_are_listed_without_a_token(client: httpx.Client) -> None:
    response = client.get("/api/v1/users/")
    assert response.status_code == 200, f"GET /api/v1/users/ should answer 200, got {response.status_code}"
    assert response.json() == [{"username": "ada"}, {"username": "linus"}], f"wrong users: {response.json()}"


API_CALLS = (
    ("GET", "/items/"),
    ("GET", "/items/1"),
    ("GET", "/users/"),
    ("GET", "/admin/stats"),
    ("DELETE", "/admin/items/1"),
)


@pytest.mark.contract("q17.6")
def test_routes_are_not_served_without_the_version_prefix(client: httpx.Client) -> None:
    assert client.get("/api/v1/items/").status_code == 200, "GET /api/v1/items/ should work before this check"
    assert client.get("/api/v1/admin/stats", headers=TOKEN).status_code == 200, (
        "GET /api/v1/admin/stats with the token should work before this check"
    )
    for prefix in ("", "/v1", "/api", "/api/v2", "/api/latest", "/latest", "/api/current", "/api/v1/api/v1"):
        for method, path in API_CALLS:
            response = client.request(method, prefix + path, headers=TOKEN)
            assert response.status_code == 404, (
                f"{method} {prefix + path} (not under /api/v1) should answer 404, got {response.status_code}"
            )
    assert client.get("/api/v1/items/1").status_code == 200, "a DELETE outside /api/v1 must not remove item 1"


@pytest.mark.contract("q17.6")
def test_the_schema_lists_no_path_outside_the_version_prefix(client: httpx.Client) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json should answer 200, got {response.status_code}"
    paths = sorted(response.json().get("paths", {}))
    assert "/api/v1/items/" in paths, f"/api/v1/items/ should be in /openapi.json; found {paths}"
    outside = [path for path in paths if not path.startswith("/api/v1/")]
    assert not outside, f"/openapi.json should list only paths under /api/v1/, it also lists {outside}"


@pytest.mark.contract("q17.1", "q17.4")
def test_admin_stats_with_the_token(client: httpx.Client) -> None:
    response = client.get("/api/v1/admin/stats", headers=TOKEN)
    assert response.status_code == 200, f"GET /api/v1/admin/stats with the token should answer 200, got {response.text}"
    assert response.json() == {"items": 3, "users": 2}, f"wrong stats: {response.json()}"


BAD_TOKENS = (
    ({}, "without X-Token"),
    ({"X-Token": "wrong"}, "with a wrong X-Token"),
    ({"X-Token": ""}, "with an empty X-Token"),
    ({"X-Token": "Fake-Super-Secret-Token"}, "with the token in other letter case"),
    ({"X-Token": "fake-super-secret"}, "with the start of the token only"),
    ({"X-Token": "fake-super-secret-token2"}, "with the token plus a character"),
    ({"x-token-2": "fake-super-secret-token"}, "with the token under another header name"),
)


def assert_refused(response: httpx.Response, what: str) -> None:
    assert response.status_code == 403, f"{what} should answer 403, got {response.status_code}: {response.text}"
    assert response.json() == {"detail": "Invalid X-Token header"}, f"wrong 403 body for {what}: {response.text}"


@pytest.mark.contract("q17.4")
def test_admin_stats_refuses_a_missing_or_wrong_token(client: httpx.Client) -> None:
    assert client.get("/api/v1/admin/stats", headers=TOKEN).status_code == 200, (
        "GET /api/v1/admin/stats with the right token should answer 200"
    )
    for headers, what in BAD_TOKENS:
        assert_refused(client.get("/api/v1/admin/stats", headers=headers), f"GET /api/v1/admin/stats {what}")


@pytest.mark.contract("q17.4")
def test_every_admin_route_refuses_every_bad_token_before_anything_else(client: httpx.Client) -> None:
    for headers, what in BAD_TOKENS:
        for item_id in (2, 99):
            path = f"/api/v1/admin/items/{item_id}"
            assert_refused(client.delete(path, headers=headers), f"DELETE {path} {what}")
    assert client.get("/api/v1/items/2").status_code == 200, "a refused DELETE must not remove the item"


@pytest.mark.contract("q17.4")
def test_the_dependency_guards_every_admin_route(client: httpx.Client) -> None:
    refused = client.delete("/api/v1/admin/items/1")
    assert refused.status_code == 403, (
        f"DELETE /api/v1/admin/items/1 without X-Token should answer 403, got {refused.status_code}"
    )
    assert refused.json() == {"detail": "Invalid X-Token header"}, f"wrong 403 body: {refused.text}"
    assert client.get("/api/v1/items/1").status_code == 200, "a refused DELETE must not remove the item"

    deleted = client.delete("/api/v1/admin/items/1", headers=TOKEN)
    assert deleted.status_code == 204, f"DELETE with the token should answer 204, got {deleted.status_code}"
    assert deleted.content == b"", "a 204 answer should have an empty body"
    assert client.get("/api/v1/items/1").status_code == 404, "a deleted item should answer 404 afterwards"
    stats = client.get("/api/v1/admin/stats", headers=TOKEN).json()
    assert stats == {"items": 2, "users": 2}, f"stats after a delete should count 2 items: {stats}"
    again = client.delete("/api/v1/admin/items/1", headers=TOKEN)
    assert again.status_code == 404, f"deleting a missing item should answer 404, got {again.status_code}"
    assert again.json() == {"detail": "Item not found"}, f"wrong 404 body: {again.text}"


@pytest.mark.contract("q17.2", "q17.4")
def test_deleting_the_middle_item_leaves_its_neighbours(client: httpx.Client) -> None:
    deleted = client.delete("/api/v1/admin/items/2", headers=TOKEN)
    assert deleted.status_code == 204, f"DELETE /api/v1/admin/items/2 should answer 204, got {deleted.status_code}"
    listed = client.get("/api/v1/items/").json()
    assert _sorted_items(listed) == [ALL_ITEMS[0], ALL_ITEMS[2]], (
        f"after deleting item 2, GET /api/v1/items/ should list items 1 and 3, got {listed}"
    )
    for item in (ALL_ITEMS[0], ALL_ITEMS[2]):
        response = client.get(f"/api/v1/items/{item['id']}")
        assert response.status_code == 200 and response.json() == item, (
            f"after deleting item 2, GET /api/v1/items/{item['id']} should still answer {item}, got {response.text}"
        )
    for item_id in (2, 0, -1, 4):
        for method, path in (("GET", f"/api/v1/items/{item_id}"), ("DELETE", f"/api/v1/admin/items/{item_id}")):
            response = client.request(method, path, headers=TOKEN)
            assert response.status_code == 404, f"{method} {path} should answer 404, got {response.status_code}"
            assert response.json() == {"detail": "Item not found"}, (
                f"wrong 404 body for {method} {path}: {response.text}"
            )
    stats = client.get("/api/v1/admin/stats", headers=TOKEN).json()
    assert stats == {"items": 2, "users": 2}, f"stats after deleting item 2 should count 2 items: {stats}"


@pytest.mark.contract("q17.2", "q17.3", "q17.4", "q17.5")
def test_operation_tags_merge_the_version_tag_and_the_router_tag(client: httpx.Client) -> None:
    expected = {
        ("/api/v1/items/", "get"): "items",
        ("/api/v1/items/{item_id}", "get"): "items",
        ("/api/v1/users/", "get"): "users",
        ("/api/v1/admin/stats", "get"): "admin",
        ("/api/v1/admin/items/{item_id}", "delete"): "admin",
    }
    for (path, method), tag in expected.items():
        tags = _operation(client, path, method).get("tags", [])
        assert sorted(tags) == sorted(["v1", tag]), (
            f"{method.upper()} {path} should carry exactly the tags v1 and {tag}, each once, in /openapi.json,"
            f" got {tags}"
        )


@pytest.mark.contract("q17.2")
def test_items_router_documents_404_on_every_operation(client: httpx.Client) -> None:
    for path in ("/api/v1/items/", "/api/v1/items/{item_id}"):
        responses = _operation(client, path, "get").get("responses", {})
        assert "404" in responses, f"GET {path} should document a 404 response, got {sorted(responses)}"
        assert responses["404"].get("description") == "Item not found", (
            f"the 404 of GET {path} should be described as 'Item not found', got {responses['404']}"
        )


@pytest.mark.contract("q17.4")
def test_admin_router_documents_403_on_every_operation(client: httpx.Client) -> None:
    for path, method in (("/api/v1/admin/stats", "get"), ("/api/v1/admin/items/{item_id}", "delete")):
        responses = _operation(client, path, method).get("responses", {})
        assert "403" in responses, f"{method.upper()} {path} should document a 403 response, got {sorted(responses)}"
        assert responses["403"].get("description") == "Invalid X-Token header", (
            f"the 403 of {method.upper()} {path} should be described as 'Invalid X-Token header': {responses['403']}"
        )
