"""A second answer to q09, written blind from the contract in exercises/q09_pydantic_models.py."""

import re
from typing import Annotated

from fastapi import FastAPI, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

# Exactly one "@", something before it, and a domain "X.Y" with X and Y non-empty; no whitespace anywhere.
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _normalise_email(value: str) -> str:
    if not _EMAIL_RE.fullmatch(value):
        raise ValueError("invalid email address")
    return value.lower()


Username = Annotated[str, Field(min_length=3, max_length=20, pattern=r"^[A-Za-z0-9_]+$")]
Email = Annotated[str, AfterValidator(_normalise_email)]
Password = Annotated[str, Field(min_length=8)]


class UserSignup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    email: Email
    password: Password
    password_confirm: str
    age: int | None = Field(default=None, ge=18)

    @field_validator("password")
    @classmethod
    def _letter_and_digit(cls, value: str) -> str:
        if not (any(ch.isalpha() for ch in value) and any(ch.isdecimal() for ch in value)):
            raise ValueError("password must contain a letter and a digit")
        return value

    @model_validator(mode="after")
    def _passwords_match(self) -> "UserSignup":
        if self.password != self.password_confirm:
            raise ValueError("passwords do not match")
        return self


class UserOut(BaseModel):
    username: str
    email: str
    age: int | None = None


app = FastAPI()


@app.post("/signup", status_code=status.HTTP_201_CREATED, response_model=UserOut)
async def signup(user: UserSignup) -> UserOut:
    # Build the public model explicitly: only these three fields can ever leave the server.
    return UserOut(username=user.username, email=user.email, age=user.age)
