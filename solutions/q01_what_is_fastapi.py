"""Q01 · What FastAPI is: a feature tour (basic)

Question: what is FastAPI, and which of its features would you show in a first small app?

Build one small application named ``app`` that demonstrates the headline features: metadata in the generated
schema, a request body validated by a Pydantic model, an ``async`` endpoint and a dependency read from a header.

Contract (the hidden tests check exactly this):

- [q01.1] The application's title is ``Feature Tour`` and its version ``1.0.0``: ``GET /openapi.json`` shows them under
  ``info.title`` and ``info.version``, and its ``paths`` list ``/items/``, ``/ping`` and ``/greeting``.
- [q01.2] ``POST /items/`` takes a JSON body validated by a Pydantic model named ``Item`` (it appears under that name in
  the schema's ``components.schemas``) with the fields:
  ``name`` (string, required), ``price`` (number, required, strictly greater than 0) and
  ``tags`` (list of strings, optional, default ``[]``).
  A valid body answers 201 with the validated item: ``{"name": ..., "price": ..., "tags": [...]}``.
  A body that does not fit (missing field, wrong type, ``price <= 0``) answers 422, and the error's ``loc``
  names the field, e.g. ``["body", "price"]``.
- [q01.3] ``GET /ping`` answers 200 with ``{"ping": "pong"}``; the function that serves it is declared with ``async
  def``. The tests read that declaration in the source: the function under a route decorator with the literal
  path (``@app.get("/ping")``, or an ``APIRouter``'s ``.get``), or given to ``add_api_route("/ping", ...)``.
- [q01.4] A dependency function named ``get_language`` reads the request header ``X-Language`` and returns the
  language code: ``en`` when the header is absent, the header's value when it is ``en``, ``fr`` or ``es``;
  any other value (e.g. ``de``) answers 400.
- [q01.5] ``GET /greeting`` gets the language through ``Depends(get_language)`` and answers 200 with
  ``{"language": <code>, "message": GREETINGS[<code>]}`` (``GREETINGS`` is given below).
  The tests also replace the dependency with ``app.dependency_overrides[get_language]``, and the route must
  then use the replacement's value.

Run it: ``fastlings serve 1`` then open http://127.0.0.1:8000/docs
"""

from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, status
from pydantic import BaseModel, Field

GREETINGS = {"en": "Hello", "fr": "Bonjour", "es": "Hola"}

app = FastAPI(title="Feature Tour", version="1.0.0")


class Item(BaseModel):
    name: str
    price: float = Field(gt=0)
    tags: list[str] = []


@app.post("/items/", status_code=status.HTTP_201_CREATED)
def create_item(item: Item) -> Item:
    return item


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}


def get_language(x_language: Annotated[str | None, Header()] = None) -> str:
    if x_language is None:
        return "en"
    if x_language not in GREETINGS:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"Unsupported language: {x_language}")
    return x_language


@app.get("/greeting")
def greeting(language: Annotated[str, Depends(get_language)]) -> dict[str, str]:
    return {"language": language, "message": GREETINGS[language]}
