"""Helpers for q09's hidden tests: the signup model validated on its own, outside any request."""

from __future__ import annotations

from typing import Any

from grader.host.helpers import helper
from grader.protocol import json_safe


@helper("q09.validate_signup")
def validate_signup(session: Any, data: dict[str, Any]) -> dict[str, Any]:
    """``UserSignup.model_validate(data)``: what it raised (type, message, is it a ValidationError), else its email."""
    import pydantic

    try:
        user = session.module.UserSignup.model_validate(data)
    except Exception as exc:  # reported, not judged: the test decides what should have been raised
        try:
            message = str(exc)
        except Exception:
            message = "<the exception's message could not be read>"
        return {
            "raised": type(exc).__name__,
            "validation_error": isinstance(exc, pydantic.ValidationError),
            "message": message,
        }
    email = getattr(user, "email", None)
    return {"raised": None, "email": email if json_safe(email) else repr(email)}
