# An answer to q03 written independently from the stub alone, for tests/kit/test_similarity.py: it shares 94% of
# its own text with the reference solution, which its author never saw (a short question leaves little room to differ).

from enum import StrEnum

from fastapi import FastAPI

app = FastAPI()


class Category(StrEnum):
    books = "books"
    music = "music"
    games = "games"


@app.get("/items/{item_id}")
def read_item(item_id: int):
    return {"item_id": item_id}


@app.get("/users/me")
def current_user():
    return {"user_id": "the current user"}


@app.get("/users/{user_id}")
def user(user_id: str):
    return {"user_id": user_id}


@app.get("/categories/{category}")
def category(category: Category):
    return {"category": category}


@app.get("/files/{file_path:path}")
def files(file_path: str):
    return {"file_path": file_path}
