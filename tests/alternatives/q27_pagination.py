"""A second answer to q27, written blind from the contract in exercises/q27_pagination.py."""

from typing import Annotated

from fastapi import FastAPI, Query, Request, Response
from pydantic import BaseModel, Field

# Given: the data set (a real app would run a query with OFFSET/LIMIT and a COUNT).
ITEMS: list[dict[str, int | str]] = [{"id": n, "name": f"Item {n}"} for n in range(1, 101)]

app = FastAPI()


class Pagination(BaseModel):
    """The query parameters, declared once as a model (FastAPI reads each field from the query string)."""

    skip: int = Field(default=0, ge=0, description="How many items to leave out.")
    limit: int = Field(default=10, ge=1, le=50, description="How many items to return at most.")


class Item(BaseModel):
    id: int
    name: str


class Page(BaseModel):
    items: list[Item]
    total: int
    skip: int
    limit: int
    next: str | None
    previous: str | None


@app.get("/items/", response_model=Page, name="list_items")
def list_items(page: Annotated[Pagination, Query()], request: Request, response: Response) -> Page:
    total = len(ITEMS)
    skip, limit = page.skip, page.limit

    def link(to_skip: int) -> str:
        # An absolute link built from the route itself, carrying exactly the two paging parameters.
        return str(request.url_for("list_items").include_query_params(skip=to_skip, limit=limit))

    response.headers["X-Total-Count"] = str(total)
    return Page(
        items=[Item.model_validate(item) for item in ITEMS[skip : skip + limit]],
        total=total,
        skip=skip,
        limit=limit,
        next=link(skip + limit) if skip + limit < total else None,
        previous=link(max(skip - limit, 0)) if skip > 0 else None,
    )
