"""Public checks for q01: a first tour of the feature app, as tests you can read and run.

`fastlings check 1` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from fastapi.testclient import TestClient

from grader.judge.fixtures import error_locs


def test_schema_shows_title_version_and_paths(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json should answer 200, got {response.status_code}"
    schema = response.json()
    assert schema["info"]["title"] == "Feature Tour", f"info.title should be 'Feature Tour', got {schema['info']}"
    assert schema["info"]["version"] == "1.0.0", f"info.version should be '1.0.0', got {schema['info']}"
    for path in ("/items/", "/ping", "/greeting"):
        assert path in schema["paths"], f"the schema's paths should list {path}, got {sorted(schema['paths'])}"


def test_valid_item_is_created_with_201(client: TestClient) -> None:
    response = client.post("/items/", json={"name": "pen", "price": 1.5})
    assert response.status_code == 201, f"POST /items/ should answer 201, got {response.status_code}: {response.text}"
    assert response.json() == {"name": "pen", "price": 1.5, "tags": []}, (
        f"POST /items/ should answer the validated item with tags defaulting to [], got {response.json()}"
    )


def test_item_with_price_zero_is_refused_naming_price(client: TestClient) -> None:
    response = client.post("/items/", json={"name": "pen", "price": 0})
    assert response.status_code == 422, (
        f"POST /items/ with price 0 should answer 422, got {response.status_code}: {response.text}"
    )
    assert ["body", "price"] in error_locs(response.json()), (
        f"the 422 should have an error at loc ['body', 'price'], got {response.json()}"
    )


def test_greeting_follows_the_x_language_header(client: TestClient) -> None:
    default = client.get("/greeting")
    assert default.status_code == 200, f"GET /greeting should answer 200, got {default.status_code}: {default.text}"
    assert default.json() == {"language": "en", "message": "Hello"}, (
        f"without X-Language, GET /greeting should greet in English, got {default.json()}"
    )

    french = client.get("/greeting", headers={"X-Language": "fr"})
    assert french.status_code == 200, f"GET /greeting in fr should answer 200, got {french.status_code}: {french.text}"
    assert french.json() == {"language": "fr", "message": "Bonjour"}, (
        f"with X-Language: fr, GET /greeting should answer Bonjour, got {french.json()}"
    )

    german = client.get("/greeting", headers={"X-Language": "de"})
    assert german.status_code == 400, (
        f"GET /greeting with X-Language: de should answer 400, got {german.status_code}: {german.text}"
    )
