"""A second answer to q08, written blind from the contract in exercises/q08_status_codes.py."""

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Response, status
from pydantic import BaseModel


class ItemIn(BaseModel):
    name: str
    price: float


class Item(ItemIn):
    id: int


class Created(BaseModel):
    message: str
    id: int


items: dict[int, Item] = {}


def get_item_or_404(item_id: int) -> Item:
    if item_id not in items:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return items[item_id]


def _free_id() -> int:
    """The smallest positive integer above every stored id (PUT may have taken any id already)."""
    return max([0, *items]) + 1


router = APIRouter(prefix="/items")


@router.post("/", status_code=status.HTTP_201_CREATED, response_model=Created)
def create_item(item: ItemIn, response: Response) -> Created:
    new_id = _free_id()
    items[new_id] = Item(id=new_id, **item.model_dump())
    response.headers["Location"] = router.url_path_for("read_item", item_id=str(new_id))
    return Created(message="Item created", id=new_id)


@router.get("/{item_id}", response_model=Item, responses={404: {"description": "Item not found"}})
def read_item(item: Annotated[Item, Depends(get_item_or_404)]) -> Item:
    return item


@router.put(
    "/{item_id}",
    response_model=Item,
    status_code=status.HTTP_200_OK,
    responses={201: {"model": Item, "description": "Created"}},
)
def upsert_item(item_id: int, item: ItemIn, response: Response) -> Item:
    if item_id not in items:
        response.status_code = status.HTTP_201_CREATED
    stored = Item(id=item_id, **item.model_dump())
    items[item_id] = stored
    return stored


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={404: {"description": "Item not found"}},
)
def delete_item(item: Annotated[Item, Depends(get_item_or_404)]) -> None:
    del items[item.id]


app = FastAPI()
app.include_router(router)
