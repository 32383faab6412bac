"""Q29 · Security schemes (advanced)

Question: what is a security scheme in FastAPI, and how do you protect routes with one?

A security scheme is a dependency that both reads the credentials from the request and documents how to send
them in the OpenAPI schema (``components.securitySchemes`` plus a ``security`` entry on every operation that
uses it), so that ``/docs`` shows an "Authorize" button. Build a small API protected by two schemes: OAuth2
password flow with scopes for users, and an API key header for a machine client.

Contract (the hidden tests check exactly this):

- [q29.1] Demo data (given, do not change): user ``alice`` with password ``wonderland`` may hold the scopes
  ``items:read`` and ``items:write``; user ``bob`` with password ``builder`` may hold only ``items:read``.
  The service API key is ``service-key-123``. The tests see this data only through the API: keep its values; how
  they are held is free (the scopes as lists or tuples instead of the given sets pass too).
- [q29.2] ``oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", ...)`` declares the two scopes ``items:read`` and
  ``items:write`` (with any descriptions).
- [q29.3] ``POST /token`` reads an OAuth2 password **form** (``OAuth2PasswordRequestForm``: form fields ``username``,
  ``password`` and an optional ``scope`` holding space-separated scope names; JSON bodies are not accepted)
  and answers 200 with ``{"access_token": <non-empty string>, "token_type": "bearer"}`` (exactly these two keys).
  Usernames and passwords match exactly and may be any text, non-ASCII included (``wönderland`` is wrong).
  The token is granted the requested scopes that the user may hold; any other requested scope is silently left
  out (no error). Without a ``scope`` field the token has no scopes.
  Unknown user or wrong password → 401 ``{"detail": "Incorrect username or password"}``.
- [q29.4] The token format is yours (an opaque random string or a JWT). The tests only use tokens returned by
  ``POST /token`` and send them as ``Authorization: Bearer <token>``; they also send made-up tokens and tokens
  with one character changed, which must be refused. The changed character is never the last one (its low
  base64 bits carry no data, and JWT libraries differ on whether they check them), and it is replaced by a
  letter (``A``, or ``B`` where it was an ``A``), never by ``+`` or ``/``: python-jose reads those as ``-`` and
  ``_`` and so accepts the changed token, PyJWT refuses it.
- [q29.5] Token-protected routes answer 401 with a ``WWW-Authenticate`` header whose value starts with ``Bearer`` when
  the ``Authorization`` header is missing, is not a Bearer credential (``Bearer`` with nothing after it
  included), or holds a token the server did not issue: every such 401 of ``GET /users/me``, ``GET /items/`` and
  ``POST /items/``. The other answers are free on this point: the 401 of ``POST /token`` or of
  ``/service/status`` and the 403 of a missing scope may carry any ``WWW-Authenticate`` or none.
- [q29.6] A valid token that lacks a required scope → 403 ``{"detail": "Not enough permissions"}``.
- [q29.7] ``GET /users/me`` (valid token, no scope needed) → 200 exactly
  ``{"username": <name>, "scopes": [<granted scopes>]}`` (scope order is free; each granted scope once, even if
  it was requested twice; scope names match exactly, so ``ITEMS:READ`` is an unknown scope, left out).
- [q29.8] ``GET /items/`` (scope ``items:read``) → 200 with a JSON list of ``{"id": int, "name": str}`` (it starts
  with a few demo items).
- [q29.9] ``POST /items/`` (scope ``items:write``) with JSON ``{"name": str}`` (any text, non-ASCII included) →
  201 with exactly ``{"id": int, "name": str}``, a new id never in use; the new item then appears in
  ``GET /items/``. The name is stored and answered unchanged (spaces around it included: nothing is stripped).
- [q29.10] ``GET /service/status`` is protected by an API key scheme reading the header ``X-API-Key``: the right key →
  200 ``{"status": "ok"}``; a missing, empty or wrong key (another case, one character short) → 401.
- [q29.11] ``/openapi.json``: ``components.securitySchemes`` holds an entry
  ``{"type": "oauth2", "flows": {"password": {"tokenUrl": "token", "scopes": {...both scopes...}}}}`` and an
  entry ``{"type": "apiKey", "in": "header", "name": "X-API-Key"}`` (the entry names are free). Each protected
  operation's ``security`` names its scheme, with the required scopes for the OAuth2 scheme: ``["items:read"]``
  on ``GET /items/``, ``["items:write"]`` on ``POST /items/``, ``[]`` on ``GET /users/me`` (declare them with
  ``Security(..., scopes=[...])`` and check them with ``SecurityScopes``).

Run it: ``fastlings serve 29`` then open http://127.0.0.1:8000/docs and click Authorize
"""

import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Security, status
from fastapi.security import (
    APIKeyHeader,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
    SecurityScopes,
)
from pydantic import BaseModel

# Demo data: a real app stores password hashes in a database.
USERS: dict[str, dict[str, str | set[str]]] = {
    "alice": {"password": "wonderland", "scopes": {"items:read", "items:write"}},
    "bob": {"password": "builder", "scopes": {"items:read"}},
}
API_KEY = "service-key-123"
SCOPES = {"items:read": "Read the items.", "items:write": "Create items."}


class Token(BaseModel):
    access_token: str
    token_type: str


class User(BaseModel):
    username: str
    scopes: list[str]


class ItemIn(BaseModel):
    name: str


class Item(ItemIn):
    id: int


app = FastAPI(title="Security schemes")

# TODO: declare the scopes on the OAuth2 scheme.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
# TODO: an API key scheme reading the X-API-Key header.

ITEMS: list[Item] = [Item(id=1, name="hammer"), Item(id=2, name="wrench")]

# TODO: POST /token: check the form's username and password, grant the allowed scopes, return a bearer token.

# TODO: a dependency that turns the bearer token into the current user (401 with WWW-Authenticate: Bearer when
#       the token is unknown) and checks the scopes the route requires (SecurityScopes; 403 when one is missing).

# TODO: a dependency that checks the API key.

# TODO: GET /users/me, GET /items/ (items:read), POST /items/ (items:write, 201), GET /service/status (API key).
