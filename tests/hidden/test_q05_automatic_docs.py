"""Hidden tests for q05: automatic documentation."""

import re
from typing import Any

import httpx
import pytest

# BOOKS as the stub gives it, ordered by id; the stub's dict holds them in another order (17, 42, 3, 8), which is
# neither the order of their titles, nor of their authors, nor of their ids read as text.
EXPECTED_BOOKS = [
    {"id": 3, "title": "Ubik", "author": "Philip K. Dick"},
    {"id": 8, "title": "Cien años de soledad", "author": "Gabriel García Márquez"},
    {"id": 17, "title": "Dune", "author": "Frank Herbert"},
    {"id": 42, "title": "ノルウェイの森", "author": "村上春樹"},
]
MISSING_IDS = (99, 4, 16, 18, 41, 43, 0, -3, 1)
BOOK_REF = "#/components/schemas/Book"


def _schema(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json should answer 200, got {response.status_code}"
    return response.json()


def _operation(spec: dict[str, Any], path: str) -> dict[str, Any]:
    operation = spec.get("paths", {}).get(path, {}).get("get")
    assert operation is not None, f"/openapi.json should document GET {path}, it lists {sorted(spec.get('paths', {}))}"
    return operation


def _title(html: str) -> str:
    match = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    return match.group(1).strip() if match else ""


def _ok_schema(operation: dict[str, Any]) -> dict[str, Any]:
    return (
        operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
    )


@pytest.mark.contract("q05.1")
def test_schema_info_has_title_description_and_version(client: httpx.Client) -> None:
    info = _schema(client)["info"]
    expected = {"title": "Bookshop API", "version": "2.1.0", "description": "Browse the books of a small shop."}
    for key, value in expected.items():
        assert info.get(key) == value, f"info.{key} should be {value!r}, got {info.get(key)!r}"


@pytest.mark.contract("q05.2")
def test_swagger_ui_is_served_at_docs(client: httpx.Client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200, f"GET /docs should answer 200, got {response.status_code}"
    assert response.headers["content-type"].startswith("text/html"), "GET /docs should answer an HTML page"
    assert "swagger-ui" in response.text.lower(), "GET /docs should serve the Swagger UI page"
    assert "Bookshop API" in _title(response.text), (
        f"the Swagger UI page's <title> should name the application (Bookshop API), got {_title(response.text)!r}"
    )


@pytest.mark.contract("q05.2")
def test_redoc_is_served_at_redoc(client: httpx.Client) -> None:
    response = client.get("/redoc")
    assert response.status_code == 200, f"GET /redoc should answer 200, got {response.status_code}"
    assert response.headers["content-type"].startswith("text/html"), "GET /redoc should answer an HTML page"
    assert "redoc" in response.text.lower(), "GET /redoc should serve the ReDoc page"
    assert "Bookshop API" in _title(response.text), (
        f"the ReDoc page's <title> should name the application (Bookshop API), got {_title(response.text)!r}"
    )


@pytest.mark.contract("q05.3")
def test_books_are_listed(client: httpx.Client) -> None:
    response = client.get("/books/")
    assert response.status_code == 200, f"GET /books/ should answer 200, got {response.status_code}"
    assert response.json() == EXPECTED_BOOKS, (
        f"GET /books/ should list every book of BOOKS ordered by id, each with exactly id, title and author; "
        f"got {response.text}"
    )


@pytest.mark.contract("q05.4")
def test_book_is_read_by_id_and_missing_one_is_404(client: httpx.Client) -> None:
    response = client.get("/books/17")
    assert response.status_code == 200, f"GET /books/17 should answer 200, got {response.status_code}"
    assert response.json() == EXPECTED_BOOKS[2], f"GET /books/17 should answer book 17, got {response.json()}"
    missing = client.get("/books/99")
    assert missing.status_code == 404, f"GET /books/99 should answer 404, got {missing.status_code}"


@pytest.mark.contract("q05.4")
def test_every_book_is_read_by_its_id_with_exact_keys(client: httpx.Client) -> None:
    for book in EXPECTED_BOOKS:
        response = client.get(f"/books/{book['id']}")
        assert response.status_code == 200, f"GET /books/{book['id']} should answer 200, got {response.status_code}"
        assert response.json() == book, f"GET /books/{book['id']} should answer exactly {book}, got {response.text}"


@pytest.mark.contract("q05.4")
def test_every_id_without_a_book_is_404(client: httpx.Client) -> None:
    assert client.get("/books/3").status_code == 200, "GET /books/3 should answer 200 before missing ids are checked"
    for book_id in MISSING_IDS:
        response = client.get(f"/books/{book_id}")
        assert response.status_code == 404, (
            f"no book has the id {book_id}: GET /books/{book_id} should answer 404, got {response.status_code}"
        )


@pytest.mark.contract("q05.5")
def test_book_model_is_the_documented_response(client: httpx.Client) -> None:
    spec = _schema(client)
    book = spec.get("components", {}).get("schemas", {}).get("Book")
    assert book is not None, "the schema should hold the Book model under components.schemas"
    assert {"id", "title", "author"} <= set(book.get("properties", {})), f"Book should have id, title, author: {book}"
    one = _ok_schema(_operation(spec, "/books/{book_id}"))
    assert one.get("$ref") == BOOK_REF, f"the 200 response of GET /books/{{book_id}} should refer to Book, got {one}"
    for path in ("/books/", "/v1/books/"):
        many = _ok_schema(_operation(spec, path))
        assert many.get("type") == "array", f"the 200 response of GET {path} should be an array, got {many}"
        assert many.get("items", {}).get("$ref") == BOOK_REF, f"GET {path} should document an array of Book, got {many}"


@pytest.mark.contract("q05.5")
def test_missing_book_response_is_documented(client: httpx.Client) -> None:
    assert client.get("/books/99").status_code == 404, "GET /books/99 should answer 404"
    responses = _operation(_schema(client), "/books/{book_id}").get("responses", {})
    assert "404" in responses, f"GET /books/{{book_id}} should document its 404 response, got {sorted(responses)}"


@pytest.mark.contract("q05.6")
def test_docstring_becomes_the_description(client: httpx.Client) -> None:
    description = _operation(_schema(client), "/books/{book_id}").get("description")
    assert description == "Return one book by its id.", (
        f"the description of GET /books/{{book_id}} should come from its docstring, got {description!r}"
    )


@pytest.mark.contract("q05.7")
def test_old_listing_works_and_is_deprecated(client: httpx.Client) -> None:
    # "Answers exactly like GET /books/": the same 200 and list, not a redirect to the new path.
    response = client.get("/v1/books/", follow_redirects=False)
    assert response.status_code == 200, (
        f"GET /v1/books/ should answer 200 itself (not redirect), got {response.status_code}"
    )
    assert response.json() == EXPECTED_BOOKS, f"GET /v1/books/ should answer like GET /books/, got {response.json()}"
    operation = _operation(_schema(client), "/v1/books/")
    assert operation.get("deprecated") is True, "GET /v1/books/ should be flagged deprecated in the schema"


@pytest.mark.contract("q05.7")
def test_current_routes_are_not_deprecated(client: httpx.Client) -> None:
    spec = _schema(client)
    assert _operation(spec, "/v1/books/").get("deprecated") is True, "GET /v1/books/ should be flagged deprecated"
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if path == "/v1/books/" or not isinstance(operation, dict):
                continue
            # Absent or false both say "not deprecated".
            assert operation.get("deprecated", False) is False, (
                f"{method.upper()} {path} should not be flagged deprecated (absent or false), "
                f"got {operation.get('deprecated')!r}"
            )


@pytest.mark.contract("q05.8")
def test_health_works_but_is_hidden_from_schema(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200, f"GET /health should answer 200, got {response.status_code}"
    assert response.json() == {"status": "ok"}, f'GET /health should answer {{"status": "ok"}}, got {response.json()}'
    paths = _schema(client).get("paths", {})
    assert "/health" not in paths, "GET /health should work but stay out of the schema's paths"


@pytest.mark.contract("q05.8")
def test_health_answers_head_with_405_or_an_empty_200(client: httpx.Client) -> None:
    # The contract leaves HEAD /health free: 405 (@app.get) or 200 without a body both pass.
    assert client.get("/health").status_code == 200, "GET /health should answer 200"
    response = client.head("/health")
    assert response.status_code in (200, 405), f"HEAD /health should answer 405 or 200, got {response.status_code}"
    if response.status_code == 200:
        assert response.content == b"", "HEAD /health may answer 200, but with no body"
    assert "/health" not in _schema(client).get("paths", {}), "/health should stay out of the schema's paths"
