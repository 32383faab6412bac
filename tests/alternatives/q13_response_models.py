"""A second answer to q13, written blind from the contract in exercises/q13_response_models.py."""

from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, status
from pydantic import BaseModel


class ItemIn(BaseModel):
    name: str
    price: float
    cost_price: float
    description: str | None = None
    tax: float | None = None


class ItemOut(BaseModel):
    """The public summary of an item."""

    id: int
    name: str


class ItemDetail(BaseModel):
    """The public detail of an item: everything but the cost price."""

    id: int
    name: str
    price: float
    description: str | None = None
    tax: float | None = None


items_db: dict[int, dict[str, Any]] = {}


class Catalogue:
    """Storage rules over ``items_db`` (looked up at call time, so tests can inspect and fill it)."""

    @staticmethod
    def next_id() -> int:
        # 1, 2, 3, ...; never reuses an id already present (tests may insert records of their own).
        return max(items_db, default=0) + 1

    @staticmethod
    def add(item: ItemIn) -> dict[str, Any]:
        item_id = Catalogue.next_id()
        # Only what the client actually sent (explicit nulls included), cost_price too.
        record = {"id": item_id, **item.model_dump(exclude_unset=True)}
        items_db[item_id] = record
        return record

    @staticmethod
    def get(item_id: int) -> dict[str, Any]:
        record = items_db.get(item_id)
        if record is None:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
        return record


router = APIRouter(prefix="/items")

# The raw records (with cost_price) are returned as they are: the declared response models validate
# and filter them on the way out, which is the point of this exercise.


@router.post("/", response_model=ItemOut)
async def create_item(item: ItemIn) -> Any:
    return Catalogue.add(item)


@router.get("/", response_model=list[ItemOut])
async def list_items() -> Any:
    return list(items_db.values())


@router.get("/{item_id}", response_model=ItemDetail, response_model_exclude_unset=True)
async def read_item(item_id: int) -> Any:
    # Validated against ItemDetail: keys absent from the record stay "unset" and are left out;
    # a record without price fails validation -> 500.
    return Catalogue.get(item_id)


app = FastAPI(title="Response models")
app.include_router(router)
