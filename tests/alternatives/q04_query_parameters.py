"""A second answer to q04, written blind from the contract in exercises/q04_query_parameters.py."""

from typing import Annotated, Any

from fastapi import FastAPI, Query
from pydantic import BaseModel, Field

app = FastAPI()


class ItemsQuery(BaseModel):
    """The query string of GET /items/, read as one Pydantic model."""

    skip: int = Field(default=0, ge=0)
    limit: int = Field(default=10, ge=1, le=100)
    q: str | None = None


@app.get("/items/")
def list_items(params: Annotated[ItemsQuery, Query()]) -> dict[str, Any]:
    return params.model_dump()


@app.get("/items/{item_id}")
def read_item(item_id: int, short: bool = False) -> dict[str, Any]:
    return {"item_id": item_id, "short": short}


@app.get("/search/")
def search(
    q: Annotated[str, Query()],
    tags: Annotated[list[str], Query(alias="tag")] = [],  # noqa: B006 - FastAPI copies defaults
) -> dict[str, Any]:
    return {"q": q, "tags": tags}
