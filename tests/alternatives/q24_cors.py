"""A second answer to q24, written blind from the contract in exercises/q24_cors.py."""

from fastapi import FastAPI, HTTPException, Response, status
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel
from starlette.middleware import Middleware

# Exact origins (scheme, host and port), never "*": credentials are allowed.
FRONT_END_ORIGINS = ("https://app.example.com", "http://localhost:3000")

cors = Middleware(
    CORSMiddleware,
    allow_origins=list(FRONT_END_ORIGINS),
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["Authorization", "Content-Type"],
    expose_headers=["X-Total-Count"],
    max_age=3600,
)

app = FastAPI(middleware=[cors])


class ItemIn(BaseModel):
    name: str


class Item(BaseModel):
    id: int
    name: str


items: dict[int, Item] = {1: Item(id=1, name="Hammer"), 2: Item(id=2, name="Saw")}


@app.get("/items")
def list_items(response: Response) -> list[Item]:
    response.headers["X-Total-Count"] = str(len(items))
    return list(items.values())


@app.post("/items", status_code=status.HTTP_201_CREATED)
def create_item(item: ItemIn) -> Item:
    new_item = Item(id=max(items, default=0) + 1, name=item.name)
    items[new_item.id] = new_item
    return new_item


@app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: int) -> None:
    if items.pop(item_id, None) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
