"""A second answer to q16, written blind from the contract in exercises/q16_jwt_auth.py."""

import os
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import jwt as jose_jwt
from pydantic import BaseModel

# An empty JWT_SECRET_KEY is treated like an unset one: an empty HMAC key would sign nothing worth trusting.
SECRET_KEY: str = os.environ.get("JWT_SECRET_KEY") or secrets.token_urlsafe(48)
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30

DEMO_USERS = {"alice": "wonderland"}  # a demo only: real code stores password hashes

app = FastAPI()
router = APIRouter()


class LoginRequest(BaseModel):
    username: str
    password: str


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class User(BaseModel):
    username: str


bearer_scheme = HTTPBearer(description="Paste the access_token returned by POST /token.")


class TokenService:
    """Issues and checks access tokens (python-jose under the hood)."""

    _decode_options: ClassVar[dict[str, bool]] = {
        "verify_signature": True,
        "verify_exp": True,
        "verify_sub": True,
        "require_exp": True,
        "require_sub": True,
    }

    def issue(self, subject: str) -> str:
        expires_at = datetime.now(UTC) + timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES)
        claims = {"sub": subject, "exp": expires_at}
        return jose_jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)

    def subject_of(self, token: str) -> str | None:
        """The token's subject if it is valid, otherwise None (never raises)."""
        try:
            claims: Any = jose_jwt.decode(
                token,
                SECRET_KEY,
                algorithms=[ALGORITHM],
                options=dict(self._decode_options),
            )
        except Exception:
            return None
        if not isinstance(claims, dict):
            return None
        exp = claims.get("exp")
        if isinstance(exp, bool) or not isinstance(exp, (int, float)):
            return None  # NumericDate only; python-jose alone would accept e.g. "exp": "9999999999"
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            return None
        return subject


tokens = TokenService()

INVALID_TOKEN = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="Invalid token",
    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
)


def current_subject(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer_scheme)]) -> str:
    subject = tokens.subject_of(credentials.credentials)
    if subject is None:
        raise INVALID_TOKEN
    return subject


@router.post("/token", response_model=Token)
def login(form: LoginRequest) -> Token:
    expected = DEMO_USERS.get(form.username)
    if expected is None or not secrets.compare_digest(expected.encode(), form.password.encode()):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Token(access_token=tokens.issue(form.username))


@router.get("/users/me", response_model=User)
def read_me(subject: Annotated[str, Depends(current_subject)]) -> User:
    return User(username=subject)


app.include_router(router)
