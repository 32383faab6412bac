"""A second answer to q06, written blind from the contract in exercises/q06_request_body.py."""

from typing import Annotated

from fastapi import APIRouter, Body, FastAPI, Path, Query
from pydantic import BaseModel, Field


class Image(BaseModel):
    url: str
    name: str


class Item(BaseModel):
    name: str
    price: float
    description: str | None = None
    tax: float | None = None
    tags: list[str] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)

    def price_with_tax(self) -> float:
        return self.price if self.tax is None else self.price + self.tax


router = APIRouter(prefix="/items", tags=["items"])


@router.post("/")
async def create_item(item: Annotated[Item, Body()]) -> dict:
    """Echo the validated item with every default filled in, plus its price with tax."""
    payload = item.model_dump()
    payload["price_with_tax"] = item.price_with_tax()
    return payload


@router.put("/{item_id}")
async def update_item(
    item_id: Annotated[int, Path()],
    item: Annotated[Item, Body()],
    q: Annotated[str | None, Query()] = None,
) -> dict:
    """Path, body and query parameters in one operation; the body is the item itself (not embedded)."""
    return {"item_id": item_id, "item": item.model_dump(), "q": q}


app = FastAPI()
app.include_router(router)
