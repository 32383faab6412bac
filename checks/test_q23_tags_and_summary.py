"""Public checks for q23: tags, summaries and descriptions, read from /openapi.json.

`fastlings check 23` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, including that the routes keep answering as given.
"""

from typing import Any

from fastapi.testclient import TestClient


def openapi(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json should answer 200, got {response.status_code}"
    return response.json()


def operation(schema: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    found = schema.get("paths", {}).get(path, {}).get(method)
    assert found is not None, f"the schema should document {method.upper()} {path}"
    return found


def test_tag_metadata_describes_users_then_items(client: TestClient) -> None:
    expected = [
        {"name": "users", "description": "Operations with users."},
        {
            "name": "items",
            "description": "Manage items. Every item belongs to a user.",
            "externalDocs": {"description": "How items work", "url": "https://example.com/docs/items"},
        },
    ]
    tags = openapi(client).get("tags")
    assert tags == expected, f"the schema's top-level tags should be {expected}, got {tags}"


def test_user_list_and_creation_are_tagged_summarised_and_described(client: TestClient) -> None:
    schema = openapi(client)

    read_users = operation(schema, "/users/", "get")
    assert read_users.get("tags") == ["users"], f"GET /users/ should be tagged ['users'], got {read_users.get('tags')}"
    assert read_users.get("summary") == "Read all users", (
        f"GET /users/ should have the summary 'Read all users', got {read_users.get('summary')!r}"
    )
    ok_description = read_users.get("responses", {}).get("200", {}).get("description")
    assert ok_description == "The list of users", (
        f"GET /users/'s 200 response should be described 'The list of users', got {ok_description!r}"
    )

    create = operation(schema, "/users/", "post")
    assert create.get("tags") == ["users"], f"POST /users/ should be tagged ['users'], got {create.get('tags')}"
    assert create.get("summary") == "Create a user", (
        f"POST /users/ should have the summary 'Create a user', got {create.get('summary')!r}"
    )
    created_description = create.get("responses", {}).get("201", {}).get("description")
    assert created_description == "The created user", (
        f"POST /users/'s 201 response should be described 'The created user', got {created_description!r}"
    )
    expected = "Create a user from a JSON body with a `username`.\n\nThe new user gets the next free id."
    assert create.get("description") == expected, (
        f"POST /users/'s description should be the two paragraphs {expected!r}, got {create.get('description')!r}"
    )


def test_read_one_user_documents_its_404(client: TestClient) -> None:
    read_user = operation(openapi(client), "/users/{user_id}", "get")
    assert read_user.get("tags") == ["users"], (
        f"GET /users/{{user_id}} should be tagged ['users'], got {read_user.get('tags')}"
    )
    assert read_user.get("summary") == "Read one user", (
        f"GET /users/{{user_id}} should have the summary 'Read one user', got {read_user.get('summary')!r}"
    )
    not_found = read_user.get("responses", {}).get("404", {}).get("description")
    assert not_found == "User not found", (
        f"GET /users/{{user_id}} should document a 404 described 'User not found', got {not_found!r}"
    )


def test_item_operations_are_tagged_and_described(client: TestClient) -> None:
    schema = openapi(client)

    read_items = operation(schema, "/items/", "get")
    assert read_items.get("tags") == ["items"], f"GET /items/ should be tagged ['items'], got {read_items.get('tags')}"
    assert read_items.get("summary") == "Read Items", (
        f"GET /items/ should keep FastAPI's generated summary 'Read Items', got {read_items.get('summary')!r}"
    )
    assert read_items.get("description") == "List every item with the id of its owner.", (
        f"GET /items/ should be described 'List every item with the id of its owner.', "
        f"got {read_items.get('description')!r}"
    )

    owner = operation(schema, "/items/{item_id}/owner", "get")
    assert owner.get("tags") == ["items", "users"], (
        f"GET /items/{{item_id}}/owner should be tagged ['items', 'users'] in that order, got {owner.get('tags')}"
    )
    assert owner.get("summary") == "Read the owner of an item", (
        f"GET /items/{{item_id}}/owner should have the summary 'Read the owner of an item', "
        f"got {owner.get('summary')!r}"
    )
