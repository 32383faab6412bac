"""Q22 · Database sessions (advanced)

Question: how do you give each request its own SQLAlchemy session through a dependency, and make sure the
session is always closed and a failed write leaves nothing behind?

Build a small users API on SQLAlchemy 2.x and SQLite. The engine, ``SessionLocal``, ``Base``, the ``User``
table and the Pydantic models are given; write ``get_db``, create the tables, and write the routes.

Contract (the hidden tests check exactly this):

- [q22.1] The database URL comes from the environment variable ``DATABASE_URL``, read when the module is imported
  (default ``sqlite:///./users.db``). The tests set it to a fresh SQLite file in a temporary folder, then
  import the module. The data must really live there: a second import with the same URL sees it, an import
  with another URL does not.
- [q22.2] The tables exist once the app has started (create them at import or in the lifespan; the tests always
  start the app with ``with TestClient(app)``).
- [q22.3] ``get_db`` is the dependency every route gets its session from. It obtains the session by calling the
  module-level ``SessionLocal()`` at request time, yields it, and closes it when the request ends, whether the
  request succeeded, answered 4xx, or failed with an unexpected exception. The tests also replace ``get_db``
  through ``app.dependency_overrides`` and expect every route to use the override. The tests check this by
  behaviour: the sessions they hand out (through their own ``SessionLocal`` or the override) are on a SQLite
  file of theirs with the same ``users`` table, so what a route reads and writes shows where its session came
  from; each of those sessions takes the file's write lock as soon as it begins and keeps it until it is
  closed (or its transaction ends), and after every response the file must be free again. Every session the
  tests hand out is fresh, with no transaction begun, so a route may write with ``db.commit()`` or inside
  ``with db.begin():``, as it likes.
- [q22.4] ``POST /users/`` with ``{"email": str, "name": str}`` answers 201 with ``{"id": int, "email": ...,
  "name": ...}``. An email that is already stored answers 409 with
  ``{"detail": "Email already registered"}`` and stores nothing. A missing field answers 422.
- [q22.5] ``POST /users/batch`` with a JSON list of such objects creates them all in one transaction and answers
  201 with the list of created users (same shape, same order). If any email is already stored or appears
  twice in the list, it answers 409 with ``{"detail": "Email already registered"}`` and stores none of
  them: the failed transaction is rolled back.
- [q22.6] ``GET /users/`` answers 200 with the list of users in creation order (ascending ``id``).
- [q22.7] ``GET /users/{user_id}`` answers 200 with the user, or 404 with ``{"detail": "User not found"}``.
- [q22.8] An unexpected error while writing answers 500 and still closes the session and stores nothing. The tests
  trigger it by making the database refuse the commit: the rows are sent, then the commit raises
  ``RuntimeError`` (an engine ``commit`` event listener), so it happens whether you call ``db.commit()`` or use
  ``with db.begin():``. After the 500 the tests' file holds none of the rows and is free (see q22.3). Closing the
  session is enough for that: when a closed session gives its connection back, the tests' engine ends whatever
  transaction the refused commit left open, so ``get_db`` needs no rollback of its own (one does no harm).

Run it: ``DATABASE_URL=sqlite:///./demo.db fastlings serve 22`` then open
http://127.0.0.1:8000/docs
"""

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, create_engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///./users.db")

# SQLAlchemy 2.x already lets file-based SQLite connections cross threads (no check_same_thread needed).
engine = create_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class UserCreate(BaseModel):
    email: str
    name: str


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


DbSession = Annotated[Session, Depends(get_db)]


def commit_or_409(db: Session) -> None:
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Email already registered") from None


@app.post("/users/", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(user: UserCreate, db: DbSession) -> User:
    db_user = User(**user.model_dump())
    db.add(db_user)
    commit_or_409(db)
    return db_user


@app.post("/users/batch", response_model=list[UserOut], status_code=status.HTTP_201_CREATED)
def create_users(users: list[UserCreate], db: DbSession) -> list[User]:
    db_users = [User(**user.model_dump()) for user in users]
    db.add_all(db_users)
    commit_or_409(db)
    return db_users


@app.get("/users/", response_model=list[UserOut])
def read_users(db: DbSession) -> list[User]:
    return list(db.scalars(select(User).order_by(User.id)))


@app.get("/users/{user_id}", response_model=UserOut)
def read_user(user_id: int, db: DbSession) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return user
