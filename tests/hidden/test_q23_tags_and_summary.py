"""Hidden tests for q23: tags, summaries and descriptions in the OpenAPI schema."""

from typing import Any

import httpx
import pytest

USERS_TAG = {"name": "users", "description": "Operations with users."}
ITEMS_TAG = {
    "name": "items",
    "description": "Manage items. Every item belongs to a user.",
    "externalDocs": {"description": "How items work", "url": "https://example.com/docs/items"},
}
USERS = [{"id": 1, "username": "alice"}, {"id": 2, "username": "bob"}]
ITEMS = [{"id": 1, "name": "Hammer", "owner_id": 1}, {"id": 2, "name": "Saw", "owner_id": 2}]
ZOE = "Zo\u00eb e\u0301 \u674e \U0001f407"
PADDED_USERNAMES = (" Zo\u00eb ", "\tcarol\n", "dave  ", "  ")
CREATE_USER_DESCRIPTION = "Create a user from a JSON body with a `username`.\n\nThe new user gets the next free id."


def _schema(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json should answer 200, got {response.status_code}"
    return response.json()


def _operation(client: httpx.Client, method: str, path: str) -> dict[str, Any]:
    operation = _schema(client).get("paths", {}).get(path, {}).get(method)
    assert operation is not None, f"{method.upper()} {path} should be in /openapi.json"
    return operation


@pytest.mark.contract("q23.1")
def test_tag_metadata_lists_users_then_items(client: httpx.Client) -> None:
    tags = _schema(client).get("tags")
    assert tags is not None, "the schema should have a top-level `tags` list (openapi_tags)"
    described = [(tag.get("name"), tag.get("description")) for tag in tags]
    expected = [(tag["name"], tag["description"]) for tag in (USERS_TAG, ITEMS_TAG)]
    assert described == expected, (
        f"the top-level tags should be {expected} (name, description) in order, got {described}"
    )


@pytest.mark.contract("q23.1")
def test_items_tag_links_external_docs(client: httpx.Client) -> None:
    tags = {tag.get("name"): tag for tag in _schema(client).get("tags", [])}
    assert "items" in tags, "the top-level tags should describe the `items` tag"
    assert tags["items"].get("externalDocs") == ITEMS_TAG["externalDocs"], (
        f"the items tag should carry externalDocs {ITEMS_TAG['externalDocs']}, got {tags['items'].get('externalDocs')}"
    )
    assert tags == {"users": USERS_TAG, "items": ITEMS_TAG}, (
        f"the tag metadata should be exactly the contract's: {tags}"
    )


@pytest.mark.contract("q23.2", "q23.7")
def test_read_all_users_has_tag_and_summary(client: httpx.Client) -> None:
    operation = _operation(client, "get", "/users/")
    assert operation.get("tags") == ["users"], f"GET /users/ should be tagged ['users'], got {operation.get('tags')}"
    assert operation.get("summary") == "Read all users", (
        f"GET /users/ should have the summary 'Read all users', got {operation.get('summary')!r}"
    )
    response = client.get("/users/")
    assert response.status_code == 200, f"GET /users/ should still answer 200, got {response.status_code}"
    assert response.json() == USERS, f"GET /users/ should answer exactly {USERS}, got {response.json()}"


@pytest.mark.contract("q23.2")
def test_read_all_users_describes_its_response(client: httpx.Client) -> None:
    operation = _operation(client, "get", "/users/")
    description = operation.get("responses", {}).get("200", {}).get("description")
    assert description == "The list of users", (
        f"the 200 response of GET /users/ should be described as 'The list of users', got {description!r}"
    )


@pytest.mark.contract("q23.3", "q23.7")
def test_create_user_has_summary_and_two_paragraph_description(client: httpx.Client) -> None:
    operation = _operation(client, "post", "/users/")
    assert operation.get("tags") == ["users"], f"POST /users/ should be tagged ['users'], got {operation.get('tags')}"
    assert operation.get("summary") == "Create a user", (
        f"POST /users/ should have the summary 'Create a user', got {operation.get('summary')!r}"
    )
    description = (operation.get("description") or "").strip()
    assert description == CREATE_USER_DESCRIPTION, (
        f"POST /users/ should be described by the contract's two paragraphs, got {description!r}"
    )
    response = client.post("/users/", json={"username": "carol"})
    assert response.status_code == 201, f"POST /users/ should still answer 201, got {response.status_code}"
    assert response.json() == {"id": 3, "username": "carol"}, f"unexpected POST /users/ body: {response.json()}"
    response = client.post("/users/", json={"username": ZOE})
    assert response.status_code == 201, f"POST /users/ with {ZOE!r} should answer 201, got {response.status_code}"
    assert response.json() == {"id": 4, "username": ZOE}, (
        f"POST /users/ should answer id 4 and {ZOE!r}: {response.text}"
    )
    everyone = [*USERS, {"id": 3, "username": "carol"}, {"id": 4, "username": ZOE}]
    listed = client.get("/users/").json()
    assert sorted(listed, key=lambda user: user["id"]) == everyone, f"GET /users/ should list {everyone}, got {listed}"
    assert client.get("/users/4").json() == {"id": 4, "username": ZOE}, f"GET /users/4 should answer {ZOE!r}"
    for username in PADDED_USERNAMES:
        response = client.post("/users/", json={"username": username})
        assert response.status_code == 201, (
            f"POST /users/ with {username!r} should answer 201, got {response.status_code}"
        )
        created = response.json()
        assert created.get("username") == username, (
            f"POST /users/ should answer the username {username!r} unchanged (no stripping), got {response.text}"
        )
        stored = client.get(f"/users/{created['id']}").json()
        assert stored == {"id": created["id"], "username": username}, (
            f"GET /users/{created['id']} should answer {username!r} unchanged, got {stored}"
        )


@pytest.mark.contract("q23.3")
def test_create_user_describes_its_201_response(client: httpx.Client) -> None:
    responses = _operation(client, "post", "/users/").get("responses", {})
    assert "201" in responses, f"POST /users/ should document a 201 response, got {sorted(responses)}"
    description = responses["201"].get("description")
    assert description == "The created user", (
        f"the 201 response of POST /users/ should be described as 'The created user', got {description!r}"
    )


@pytest.mark.contract("q23.4", "q23.7")
def test_read_one_user_documents_its_404(client: httpx.Client) -> None:
    operation = _operation(client, "get", "/users/{user_id}")
    assert operation.get("tags") == ["users"], (
        f"GET /users/{{user_id}} should be tagged ['users'], got {operation.get('tags')}"
    )
    assert operation.get("summary") == "Read one user", (
        f"GET /users/{{user_id}} should have the summary 'Read one user', got {operation.get('summary')!r}"
    )
    responses = operation.get("responses", {})
    assert "200" in responses, "GET /users/{user_id} should still document its 200 response"
    assert responses.get("404", {}).get("description") == "User not found", (
        f"GET /users/{{user_id}} should document a 404 described as 'User not found', got {responses.get('404')}"
    )
    assert client.get("/users/1").json() == {"id": 1, "username": "alice"}, "GET /users/1 should answer alice"
    missing = client.get("/users/99")
    assert missing.status_code == 404, f"an unknown user should answer 404, got {missing.status_code}"
    assert missing.json() == {"detail": "User not found"}, f"unexpected 404 body: {missing.json()}"


@pytest.mark.contract("q23.5", "q23.7")
def test_read_items_keeps_the_generated_summary_and_has_a_description(client: httpx.Client) -> None:
    operation = _operation(client, "get", "/items/")
    assert operation.get("tags") == ["items"], f"GET /items/ should be tagged ['items'], got {operation.get('tags')}"
    assert (operation.get("description") or "").strip() == "List every item with the id of its owner.", (
        f"GET /items/ should have the contract's description, got {operation.get('description')!r}"
    )
    assert operation.get("summary") == "Read Items", (
        f"GET /items/ should keep the summary FastAPI generates from read_items, got {operation.get('summary')!r}"
    )
    response = client.get("/items/")
    assert response.status_code == 200, f"GET /items/ should still answer 200, got {response.status_code}"
    assert response.json() == ITEMS, f"GET /items/ should answer exactly {ITEMS}, got {response.json()}"


@pytest.mark.contract("q23.6", "q23.7")
def test_item_owner_has_two_tags_in_order(client: httpx.Client) -> None:
    operation = _operation(client, "get", "/items/{item_id}/owner")
    assert operation.get("tags") == ["items", "users"], (
        f"GET /items/{{item_id}}/owner should be tagged ['items', 'users'] in that order, got {operation.get('tags')}"
    )
    assert operation.get("summary") == "Read the owner of an item", (
        f"GET /items/{{item_id}}/owner should have the summary 'Read the owner of an item', "
        f"got {operation.get('summary')!r}"
    )
    assert client.get("/items/2/owner").json() == {"id": 2, "username": "bob"}, "the owner of item 2 is bob"
    missing = client.get("/items/99/owner")
    assert missing.status_code == 404, f"an unknown item should answer 404, got {missing.status_code}"
    assert missing.json() == {"detail": "Item not found"}, f"unexpected 404 body: {missing.json()}"
