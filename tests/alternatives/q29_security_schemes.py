"""A second answer to q29, written blind from the contract in exercises/q29_security_schemes.py."""

import base64
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Security, status
from fastapi.security import (
    APIKeyHeader,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
    SecurityScopes,
)
from jose import JWTError, jwt
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

# Tokens are JWTs signed with a key generated at start of the process (a real app reads it from its settings).
SECRET_KEY = secrets.token_hex(32)
ALGORITHM = "HS256"
TOKEN_LIFETIME = timedelta(minutes=30)

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes=SCOPES, scheme_name="UserPassword")
api_key_scheme = APIKeyHeader(name="X-API-Key", scheme_name="ServiceKey", auto_error=False)

ITEMS: list[Item] = [Item(id=1, name="hammer"), Item(id=2, name="wrench")]


def _is_canonical_base64url(segment: str) -> bool:
    """A JWT segment whose last character differs only in its unused padding bits decodes to the same bytes;
    refusing non-canonical segments makes every one-character change of a token invalid."""
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except ValueError:
        return False
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") == segment


def create_access_token(username: str, scopes: list[str]) -> str:
    now = datetime.now(UTC)
    claims = {"sub": username, "scopes": scopes, "iat": now, "exp": now + TOKEN_LIFETIME, "jti": secrets.token_hex(8)}
    return jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)


def decode_access_token(token: str) -> User | None:
    segments = token.split(".")
    if len(segments) != 3 or not all(_is_canonical_base64url(part) for part in segments):
        return None
    try:
        claims = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
    except JWTError:
        return None
    username, scopes = claims.get("sub"), claims.get("scopes", [])
    if not isinstance(username, str) or username not in USERS or not isinstance(scopes, list):
        return None
    return User(username=username, scopes=[str(scope) for scope in scopes])


@app.post("/token", response_model=Token)
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    record = USERS.get(form.username)
    password = str(record["password"]) if record else ""
    # compare_digest on both branches, so an unknown user and a wrong password take about the same time
    password_ok = secrets.compare_digest(password.encode(), form.password.encode())
    if record is None or not password_ok:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Incorrect username or password")
    allowed = record["scopes"]
    assert isinstance(allowed, set)
    granted = sorted({scope for scope in form.scopes if scope in allowed})
    return Token(access_token=create_access_token(form.username, granted), token_type="bearer")


async def get_current_user(security_scopes: SecurityScopes, token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    authenticate = f'Bearer scope="{security_scopes.scope_str}"' if security_scopes.scopes else "Bearer"
    user = decode_access_token(token)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Could not validate credentials",
            headers={"WWW-Authenticate": authenticate},
        )
    if any(scope not in user.scopes for scope in security_scopes.scopes):
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail="Not enough permissions",
            headers={"WWW-Authenticate": authenticate},
        )
    return user


def require_api_key(api_key: Annotated[str | None, Security(api_key_scheme)]) -> None:
    if api_key is None or not secrets.compare_digest(api_key.encode(), API_KEY.encode()):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid or missing API key",
            headers={"WWW-Authenticate": "APIKey"},
        )


@app.get("/users/me", response_model=User)
async def read_me(user: Annotated[User, Security(get_current_user)]) -> User:
    return user


@app.get("/items/", response_model=list[Item])
async def list_items(_user: Annotated[User, Security(get_current_user, scopes=["items:read"])]) -> list[Item]:
    return ITEMS


@app.post("/items/", response_model=Item, status_code=status.HTTP_201_CREATED)
async def create_item(
    payload: ItemIn, _user: Annotated[User, Security(get_current_user, scopes=["items:write"])]
) -> Item:
    item = Item(id=max((existing.id for existing in ITEMS), default=0) + 1, name=payload.name)
    ITEMS.append(item)
    return item


@app.get("/service/status", dependencies=[Depends(require_api_key)])
async def service_status() -> dict[str, str]:
    return {"status": "ok"}
