"""Q05 · Automatic documentation (basic)

Question: where does FastAPI publish the documentation it generates, what is it generated from, and how do you
shape it (metadata, hidden routes, deprecated routes, descriptions)?

Write a module that creates a FastAPI application named ``app`` for a small bookshop whose generated documentation
says what the contract below requires. ``Book`` and ``BOOKS`` are given.

Contract (the hidden tests check exactly this):

- [q05.1] Metadata: ``GET /openapi.json`` has ``info.title == "Bookshop API"``, ``info.version == "2.1.0"`` and
  ``info.description == "Browse the books of a small shop."``.
- [q05.2] ``GET /docs`` serves the Swagger UI page and ``GET /redoc`` the ReDoc page (both 200, HTML); each page's title
  (its ``<title>`` element) names the application (``Bookshop API``).
- [q05.3] ``GET /books/`` answers 200 with the list of all books in ``BOOKS``, ordered by id (``BOOKS`` is
  not kept in that order), each exactly ``{"id": ..., "title": ..., "author": ...}``.
- [q05.4] ``GET /books/{book_id}`` (``book_id`` an integer) answers 200 with that book (the same exact keys), or 404
  when there is none (an id between two others, 0 or a negative one alike).
- [q05.5] The three book routes declare ``Book`` as their response model (a return annotation or
  ``response_model=``), so the schema's 200 response of ``GET /books/{book_id}`` refers to
  ``#/components/schemas/Book`` and the ones of ``GET /books/`` and ``GET /v1/books/`` are each an array of it.
  The 404 of ``GET /books/{book_id}`` is documented too: its operation's ``responses`` has a ``"404"`` entry.
- [q05.6] The function serving ``GET /books/{book_id}`` has the docstring ``Return one book by its id.``, which becomes
  the operation's ``description`` in the schema.
- [q05.7] ``GET /v1/books/`` is the old path of the listing: it still answers exactly like ``GET /books/`` (the same
  200 and list, itself, not a redirect), and the schema flags its operation with ``"deprecated": true``. The other
  operations are not deprecated: their ``deprecated`` key is absent (FastAPI's default) or ``false``, both pass.
- [q05.8] ``GET /health`` answers 200 with ``{"status": "ok"}`` but does not appear in the schema's ``paths``.
  ``HEAD /health`` is yours to decide: 405 (what ``@app.get`` gives) or 200 with an empty body both pass.

Run it: ``fastlings serve 5`` then open http://127.0.0.1:8000/docs and
http://127.0.0.1:8000/redoc
"""

# Everything you need is imported already (ruff's unused-import check is silenced until you use it).
from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel

# TODO: give the application its title, description and version.
app = FastAPI()


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

# TODO: serve GET /books/ (all books) and GET /books/{book_id} (one book, 404 when missing), both declaring Book
#       as their response model; document the 404 and give read-one its docstring.

# TODO: serve GET /v1/books/ like GET /books/, flagged as deprecated in the schema.

# TODO: serve GET /health, kept out of the schema.
