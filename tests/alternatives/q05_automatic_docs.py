"""A second answer to q05, written blind from the contract in exercises/q05_automatic_docs.py."""

from fastapi import APIRouter, FastAPI, HTTPException, status
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
    17: Book(id=17, title="Dune", author="Frank Herbert"),
    42: Book(id=42, title="ノルウェイの森", author="村上春樹"),
    3: Book(id=3, title="Ubik", author="Philip K. Dick"),
    8: Book(id=8, title="Cien años de soledad", author="Gabriel García Márquez"),
}


class Message(BaseModel):
    detail: str


books = APIRouter(prefix="/books")


def _all_books() -> list[Book]:
    return [BOOKS[key] for key in sorted(BOOKS)]


@books.get("/")
async def list_books() -> list[Book]:
    """List every book of the shop, ordered by id."""
    return _all_books()


@books.get("/{book_id}", responses={status.HTTP_404_NOT_FOUND: {"model": Message, "description": "No such book"}})
async def read_book(book_id: int) -> Book:
    """Return one book by its id."""
    book = BOOKS.get(book_id)
    if book is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=f"Book {book_id} not found")
    return book


app.include_router(books)


@app.get("/v1/books/", deprecated=True, response_model=list[Book])
async def list_books_v1():
    """Old path of the listing; use GET /books/ instead."""
    return _all_books()


# HEAD is answered too (200, no body): the contract leaves HEAD /health free, and the solution takes the 405.
@app.api_route("/health", methods=["GET", "HEAD"], include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}
