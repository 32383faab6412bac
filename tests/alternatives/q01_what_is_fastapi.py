"""A second answer to q01, written blind from the contract in exercises/q01_what_is_fastapi.py."""

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, status
from pydantic import BaseModel, Field

GREETINGS = {"en": "Hello", "fr": "Bonjour", "es": "Hola"}

app = FastAPI(title="Feature Tour", version="1.0.0")
router = APIRouter()


class Item(BaseModel):
    name: str
    price: float = Field(gt=0)
    tags: list[str] = Field(default_factory=list)


@router.post("/items/", status_code=status.HTTP_201_CREATED)
def create_item(item: Item) -> Item:
    return item


@router.get("/ping")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}


def get_language(language: str | None = Header(default=None, alias="X-Language")) -> str:
    if language is None:
        return "en"
    if language not in GREETINGS:
        raise HTTPException(
            status_code=status.HTTP_400_BAD_REQUEST,
            detail=f"Unsupported language {language!r}; choose one of {sorted(GREETINGS)}",
        )
    return language


@router.get("/greeting")
def greeting(language: Annotated[str, Depends(get_language)]) -> dict[str, str]:
    return {"language": language, "message": GREETINGS[language]}


app.include_router(router)
