"""Public checks for q05: the bookshop's generated documentation, as tests you can read and run.

`fastlings check 5` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from fastapi.testclient import TestClient


def test_metadata_and_doc_pages_name_the_bookshop(client: TestClient) -> None:
    info = client.get("/openapi.json").json()["info"]
    assert info.get("title") == "Bookshop API", f"info.title should be 'Bookshop API', got {info}"
    assert info.get("version") == "2.1.0", f"info.version should be '2.1.0', got {info}"
    assert info.get("description") == "Browse the books of a small shop.", f"info.description is wrong, got {info}"
    for page in ("/docs", "/redoc"):
        response = client.get(page)
        assert response.status_code == 200, f"GET {page} should answer 200, got {response.status_code}"
        assert "Bookshop API" in response.text, f"the page at {page} should name 'Bookshop API' in its title"


def test_books_are_listed_and_read_one_by_one(client: TestClient) -> None:
    listing = client.get("/books/")
    assert listing.status_code == 200, f"GET /books/ should answer 200, got {listing.status_code}: {listing.text}"
    assert [book["id"] for book in listing.json()] == [3, 8, 17, 42], (
        f"GET /books/ should answer all four books ordered by id, got {listing.json()}"
    )

    dune = client.get("/books/17")
    assert dune.status_code == 200, f"GET /books/17 should answer 200, got {dune.status_code}: {dune.text}"
    assert dune.json() == {"id": 17, "title": "Dune", "author": "Frank Herbert"}, (
        f"GET /books/17 should answer Dune, got {dune.json()}"
    )

    missing = client.get("/books/99")
    assert missing.status_code == 404, f"GET /books/99 should answer 404, got {missing.status_code}: {missing.text}"


def test_old_listing_path_still_works_and_is_deprecated(client: TestClient) -> None:
    old = client.get("/v1/books/")
    assert old.status_code == 200, f"GET /v1/books/ should answer 200, got {old.status_code}: {old.text}"
    assert old.json() == client.get("/books/").json(), "GET /v1/books/ should answer exactly like GET /books/"
    operation = client.get("/openapi.json").json()["paths"].get("/v1/books/", {}).get("get", {})
    assert operation.get("deprecated") is True, (
        f"the schema should flag GET /v1/books/ with deprecated: true, got {operation}"
    )


def test_health_answers_ok_but_is_hidden_from_the_schema(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200, f"GET /health should answer 200, got {response.status_code}: {response.text}"
    assert response.json() == {"status": "ok"}, f"GET /health should answer {{'status': 'ok'}}, got {response.json()}"
    paths = client.get("/openapi.json").json()["paths"]
    assert "/health" not in paths, f"/health should not appear in the schema's paths, got {sorted(paths)}"
