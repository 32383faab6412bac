"""Q16 · JWT authentication (advanced)

Question: how do you protect FastAPI routes with bearer tokens (JWT), and which tokens must you refuse?

Write a token route that logs the demo user in, and a route that only a valid token opens.

Contract (the hidden tests check exactly this):

- [q16.1] Module names the tests read: ``SECRET_KEY`` (str) and ``ALGORITHM`` (``"HS256"``). The tests mint their
  own tokens with PyJWT, ``jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)``, so any JWT library that
  produces standard tokens works (PyJWT or python-jose).
- [q16.2] ``SECRET_KEY`` is read from the environment variable ``JWT_SECRET_KEY`` when it is set and not empty (the
  tests set it and then load the module); otherwise it is any non-empty secret of your choice (a random one per
  process is fine). An empty ``JWT_SECRET_KEY`` counts as unset: never sign or check tokens with an empty key.
- [q16.3] ``POST /token`` takes the JSON body ``{"username": ..., "password": ...}``. The only account is the fixed
  demo user ``alice`` with password ``wonderland``. Right credentials → 200
  ``{"access_token": <JWT>, "token_type": "bearer"}`` (exactly these two keys); the token is signed with
  ``SECRET_KEY`` and ``ALGORITHM``, its ``sub`` claim is ``"alice"`` and its ``exp`` claim is 30 minutes after
  issue (``ACCESS_TOKEN_EXPIRE_MINUTES``). Wrong password or unknown user → 401
  ``{"detail": "Incorrect username or password"}``: both must match exactly (case, spaces and accents count),
  and either may be any text, non-ASCII included (``wönderland``, ``🐇``). A body without both fields → 422.
- [q16.4] ``GET /users/me`` reads the token with ``HTTPBearer`` (``Authorization: Bearer <token>``) and answers 200
  ``{"username": <the token's sub>}`` for ANY valid token, whatever its subject (no user lookup).
- [q16.5] No credentials at all (no header, or ``Bearer`` with no token after it), or a scheme other than Bearer →
  401 ``{"detail": "Not authenticated"}`` with ``WWW-Authenticate: Bearer`` (what ``HTTPBearer()`` itself answers
  in FastAPI >= 0.122).
- [q16.6] A token that is present but not valid → 401 ``{"detail": "Invalid token"}`` with a ``WWW-Authenticate``
  header starting with ``Bearer``. Not valid means any of: not a JWT at all; signed with another key, or its
  payload changed after signing; expired, with no leeway (a token that expired a few seconds ago is refused, one
  that expires in a few seconds opens the route; the tests never send a token within a second of its ``exp``,
  where PyJWT refuses and python-jose accepts); unsigned (``alg: none``) or signed with any algorithm other than
  ``ALGORITHM``; without an ``exp`` claim (tokens that never expire are refused) or with an ``exp`` that is no
  number at all (``"soon"``, ``null``, a list: python-jose raises ``TypeError`` on the last two, catch it too; a
  digit string such as ``"9999999999"`` is free, both libraries read it as a number) or no finite number
  (``Infinity``, ``NaN``: python-jose raises ``OverflowError`` on ``Infinity``); without a ``sub`` claim. Any
  finite number is a valid ``exp``, fractions included (``1767225600.5``). No error is a 500.

Run it: ``fastlings serve 16``, then ``POST /token`` and use the token in /docs (Authorize).
"""

import os
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

SECRET_KEY = os.environ.get("JWT_SECRET_KEY") or secrets.token_urlsafe(64)
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30

DEMO_USERS = {"alice": "wonderland"}  # a demo only: real code stores password hashes

app = FastAPI()
security = HTTPBearer()


class LoginRequest(BaseModel):
    username: str
    password: str


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class User(BaseModel):
    username: str


def create_access_token(subject: str) -> str:
    expire = datetime.now(UTC) + timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES)
    return jwt.encode({"sub": subject, "exp": expire}, SECRET_KEY, algorithm=ALGORITHM)


async def get_current_user(credentials: Annotated[HTTPAuthorizationCredentials, Depends(security)]) -> str:
    try:
        payload = jwt.decode(
            credentials.credentials, SECRET_KEY, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.InvalidTokenError:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid token",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None
    return payload["sub"]


@app.post("/token")
async def login(body: LoginRequest) -> Token:
    expected = DEMO_USERS.get(body.username)
    if expected is None or not secrets.compare_digest(body.password.encode(), expected.encode()):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect username or password")
    return Token(access_token=create_access_token(body.username))


@app.get("/users/me")
async def read_me(username: Annotated[str, Depends(get_current_user)]) -> User:
    return User(username=username)
