"""Hidden tests for q03: path parameters."""

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from grader.judge.fixtures import error_locs


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a parameter's ``schema`` stands for, inline or behind a local ``$ref``.

    FastAPI puts an Enum in ``components.schemas`` and the parameter's schema refers to it with ``$ref`` (a sibling
    key such as ``description`` may sit beside it); an ``allOf`` of one schema is the same thing in older
    generators; a ``Literal`` writes its ``enum`` inline. Every form is accepted.
    """
    for _ in range(10):
        if "$ref" in schema and isinstance(schema["$ref"], str) and schema["$ref"].startswith("#/"):
            node: Any = spec
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            schema = node if isinstance(node, dict) else {}
        elif "enum" not in schema and len(schema.get("allOf", [])) == 1:
            schema = schema["allOf"][0]
        else:
            break
    return schema


@pytest.mark.contract("q03.1")
def test_item_id_is_converted_to_int(client: httpx.Client) -> None:
    response = client.get("/items/42")
    assert response.status_code == 200, f"GET /items/42 should answer 200, got {response.status_code}"
    body = response.json()
    assert body == {"item_id": 42}, f'GET /items/42 should answer {{"item_id": 42}}, got {body}'
    assert isinstance(body["item_id"], int), "item_id should come back as a JSON number, not a string"


@pytest.mark.contract("q03.1")
def test_negative_and_large_item_ids_are_integers_too(client: httpx.Client) -> None:
    for raw, expected in (("-3", -3), ("7309", 7309), ("9007199254740993", 9007199254740993)):
        response = client.get(f"/items/{raw}")
        assert response.status_code == 200, f"GET /items/{raw} should answer 200, got {response.status_code}"
        body = response.json()
        assert body == {"item_id": expected} and isinstance(body["item_id"], int), (
            f'GET /items/{raw} should answer {{"item_id": {expected}}} (a JSON integer), got {response.text}'
        )


@pytest.mark.contract("q03.1")
def test_other_spellings_of_a_whole_number_give_that_number_or_422(client: httpx.Client) -> None:
    # The contract leaves them free: FastAPI's int accepts them, a stricter check may refuse them. What is never
    # right is echoing the text or answering another number.
    assert client.get("/items/42").status_code == 200, "GET /items/42 should answer 200"
    for raw, expected in (("+7", 7), ("4_2", 42), ("007", 7)):
        response = client.get(f"/items/{raw}")
        if response.status_code == 422:
            locs = error_locs(response.json())
            assert ["path", "item_id"] in locs, f"the 422 error for /items/{raw} should name ['path', 'item_id']"
            continue
        assert response.status_code == 200, f"GET /items/{raw} should answer 200 or 422, got {response.status_code}"
        body = response.json()
        assert body == {"item_id": expected} and isinstance(body["item_id"], int), (
            f'GET /items/{raw} may answer 422, or 200 with {{"item_id": {expected}}}; it answered {response.text}'
        )


@pytest.mark.contract("q03.1")
def test_non_integer_item_id_returns_422(client: httpx.Client) -> None:
    for raw in ("abc", "1.5", "½", "٤٢", "4 2", "1e3", "0x1A", "ten"):
        response = client.get(f"/items/{raw}")
        assert response.status_code == 422, f"GET /items/{raw} should answer 422, got {response.status_code}"
        locs = error_locs(response.json())
        assert ["path", "item_id"] in locs, f"the 422 error should name ['path', 'item_id'], got {locs}"


@pytest.mark.contract("q03.2")
def test_users_me_is_not_captured_by_user_id(client: httpx.Client) -> None:
    response = client.get("/users/me")
    assert response.status_code == 200, f"GET /users/me should answer 200, got {response.status_code}"
    assert response.json() == {"user_id": "the current user"}, (
        f"GET /users/me should reach its own route (declare it before /users/{{user_id}}), got {response.json()}"
    )


@pytest.mark.contract("q03.2")
def test_other_user_ids_are_echoed(client: httpx.Client) -> None:
    for user_id in ("alice", "42", "meh", "ME", "Me", "me.", "mé", "u" * 300):
        response = client.get(f"/users/{user_id}")
        assert response.status_code == 200, f"GET /users/{user_id} should answer 200, got {response.status_code}"
        assert response.json() == {"user_id": user_id}, (
            f'GET /users/{user_id} should answer {{"user_id": "{user_id}"}} (any length), got {response.text[:400]}'
        )


@pytest.mark.contract("q03.2")
def test_user_ids_in_any_script_are_echoed_decoded(client: httpx.Client) -> None:
    # httpx percent-encodes these; the answer holds the decoded text, byte for byte.
    for user_id in ("Zoë", "Zoe\u0308", "山田", "🙂", "Ann Lee", " padded ", "a+b", "x%y"):
        response = client.get("/users/" + quote(user_id, safe=""))
        assert response.status_code == 200, f"GET /users/{user_id!r} should answer 200, got {response.status_code}"
        assert response.json() == {"user_id": user_id}, (
            f"GET /users/{user_id!r} should echo the decoded text {user_id!r}, got {response.text}"
        )


@pytest.mark.contract("q03.3")
def test_every_category_is_accepted(client: httpx.Client) -> None:
    for category in ("books", "music", "games"):
        response = client.get(f"/categories/{category}")
        assert response.status_code == 200, f"GET /categories/{category} should answer 200, got {response.status_code}"
        assert response.json() == {"category": category}, (
            f'GET /categories/{category} should answer {{"category": "{category}"}}, got {response.json()}'
        )


@pytest.mark.contract("q03.3")
def test_unknown_category_returns_422(client: httpx.Client) -> None:
    assert client.get("/categories/books").status_code == 200, "GET /categories/books should answer 200"
    for category in ("toys", "Books", "BOOKS", "books%20", "%20books", "bööks", "musics", "game", "本"):
        response = client.get(f"/categories/{category}")
        assert response.status_code == 422, f"GET /categories/{category} should answer 422, got {response.status_code}"
        locs = error_locs(response.json())
        assert ["path", "category"] in locs, f"the 422 error should name ['path', 'category'], got {locs}"


@pytest.mark.contract("q03.3")
def test_categories_are_listed_as_enum_in_schema(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec.get("paths", {}).get("/categories/{category}", {}).get("get")
    assert operation is not None, "/openapi.json should document GET /categories/{category}"
    params = [p for p in operation.get("parameters", []) if p.get("name") == "category" and p.get("in") == "path"]
    assert params, "GET /categories/{category} should document a path parameter named category"
    schema = _resolve(spec, params[0].get("schema", {}))
    assert sorted(schema.get("enum", [])) == ["books", "games", "music"], (
        f"the category parameter's schema should list the enum books, music, games; got {schema}"
    )


@pytest.mark.contract("q03.4")
def test_file_path_keeps_its_slashes(client: httpx.Client) -> None:
    response = client.get("/files/home/alice/notes.txt")
    assert response.status_code == 200, f"GET /files/home/alice/notes.txt should answer 200, got {response.status_code}"
    assert response.json() == {"file_path": "home/alice/notes.txt"}, (
        f"file_path should hold the whole rest of the path, got {response.json()}"
    )


@pytest.mark.contract("q03.4")
def test_file_path_with_one_segment(client: httpx.Client) -> None:
    response = client.get("/files/report.pdf")
    assert response.status_code == 200, f"GET /files/report.pdf should answer 200, got {response.status_code}"
    assert response.json() == {"file_path": "report.pdf"}, (
        f'GET /files/report.pdf should answer {{"file_path": "report.pdf"}}, got {response.json()}'
    )


@pytest.mark.contract("q03.4")
def test_file_path_is_decoded_in_any_script(client: httpx.Client) -> None:
    for file_path in (
        "my notes.txt",
        "Zoë/café menu.pdf",
        "写真/旅行/京都.jpg",
        "🙂/e\u0301.md",
        "a+b/50%.csv",
        "reports/2024/",
        "a//b.txt",
        "/etc/hosts",
    ):
        response = client.get("/files/" + quote(file_path, safe="/"))
        assert response.status_code == 200, f"GET /files/{file_path!r} should answer 200, got {response.status_code}"
        assert response.json() == {"file_path": file_path}, (
            f"file_path should be the decoded rest of the path {file_path!r}, got {response.text}"
        )


@pytest.mark.contract("q03.4")
def test_an_empty_rest_is_an_empty_path(client: httpx.Client) -> None:
    assert client.get("/files/report.pdf").status_code == 200, "GET /files/report.pdf should answer 200"
    response = client.get("/files/", follow_redirects=False)
    assert response.status_code == 200, f"GET /files/ should answer 200 (an empty path), got {response.status_code}"
    assert response.json() == {"file_path": ""}, f'GET /files/ should answer {{"file_path": ""}}, got {response.text}'


@pytest.mark.contract("q03.4")
def test_file_path_keeps_its_whitespace_as_sent(client: httpx.Client) -> None:
    # "The decoded path, as sent": spaces and tabs at either end, inside, or next to a slash are part of the path.
    for file_path in (
        "a ",
        " a",
        "  notes.txt  ",
        "\tnotes.txt",
        "notes.txt\t",
        "my\tnotes .txt",
        " dir / file ",
        "reports/ 2024 /",
        " ",
    ):
        response = client.get("/files/" + quote(file_path, safe="/"))
        assert response.status_code == 200, f"GET /files/{file_path!r} should answer 200, got {response.status_code}"
        assert response.json() == {"file_path": file_path}, (
            f"file_path should be the decoded path as sent, whitespace kept: {file_path!r}, got {response.text}"
        )
