"""Q05 · Automatic documentation (basic)

Question: where does FastAPI publish the documentation it generates, what is it generated from, and how do you
shape it (metadata, hidden routes, deprecated routes, descriptions)?

Write a module that creates a FastAPI application named ``app`` for a small bookshop whose generated documentation
says what the contract below requires. ``Book`` and ``BOOKS`` are given.

Contract (the hidden tests check exactly this):

- [q05.1] Metadata: ``GET /openapi.json`` has ``info.title == "Bookshop API"``, ``info.version == "2.1.0"`` and
  ``info.description == "Browse the books of a small shop."``.
- [q05.2] ``GET /docs`` serves the Swagger UI page and ``GET /redoc`` the ReDoc page (both 200, HTML); each page's title
  names the application (``Bookshop API``).
- [q05.3] ``GET /books/`` answers 200 with the list of all books in ``BOOKS`` (ordered by id), each
  ``{"id": ..., "title": ..., "author": ...}``.
- [q05.4] ``GET /books/{book_id}`` (``book_id`` an integer) answers 200 with that book, or 404 when there is none.
- [q05.5] Both routes declare ``Book`` as their response model (a return annotation or ``response_model=``), so the
  schema's 200 response of ``GET /books/{book_id}`` refers to ``#/components/schemas/Book`` and the one of
  ``GET /books/`` is an array of it. The 404 of ``GET /books/{book_id}`` is documented too: its operation's
  ``responses`` has a ``"404"`` entry.
- [q05.6] The function serving ``GET /books/{book_id}`` has the docstring ``Return one book by its id.``, which becomes
  the operation's ``description`` in the schema.
- [q05.7] ``GET /v1/books/`` is the old path of the listing: it still answers exactly like ``GET /books/`` (the same
  200 and list, itself, not a redirect), and the schema flags its operation with ``"deprecated": true`` (the other
  operations are not deprecated).
- [q05.8] ``GET /health`` answers 200 with ``{"status": "ok"}`` but does not appear in the schema's ``paths``.

Run it: ``uvicorn q05_automatic_docs:app --reload`` then open http://127.0.0.1:8000/docs and
http://127.0.0.1:8000/redoc
"""

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel

app = FastAPI(
    title="Bookshop API",
    description="Browse the books of a small shop.",
    version="2.1.0",
)


class Book(BaseModel):
    id: int
    title: str
    author: str


BOOKS = {
    1: Book(id=1, title="Dune", author="Frank Herbert"),
    2: Book(id=2, title="Emma", author="Jane Austen"),
    3: Book(id=3, title="Ubik", author="Philip K. Dick"),
}


@app.get("/books/")
def list_books() -> list[Book]:
    """List every book of the shop."""
    return [BOOKS[book_id] for book_id in sorted(BOOKS)]


@app.get("/books/{book_id}", responses={status.HTTP_404_NOT_FOUND: {"description": "No book has this id"}})
def read_book(book_id: int) -> Book:
    """Return one book by its id."""
    if book_id not in BOOKS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Book not found")
    return BOOKS[book_id]


@app.get("/v1/books/", deprecated=True)
def list_books_v1() -> list[Book]:
    """Old path of the listing: use GET /books/ instead."""
    return list_books()


@app.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}
