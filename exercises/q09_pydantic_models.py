"""Q09 · Pydantic validation (intermediate)

Question: what is Pydantic, and how does FastAPI use it to validate requests and shape responses?

Write a signup endpoint whose rules all live in Pydantic models: declarative constraints on the fields, a
field validator, a model validator for a rule across two fields, unknown fields refused, and an output model
that keeps the password out of every response. Write a module with an application named ``app``.

The signup body is a JSON object with these fields:

- ``username``: string, required, 3 to 20 characters, only ASCII letters, digits and underscores.
- ``email``: string, required. It must contain exactly one ``@`` with at least one character before it, and
  the part after the ``@`` must contain a ``.`` with at least one character on each side; no whitespace
  anywhere. It is stored and answered **lowercased** (``Alice@Example.COM`` → ``alice@example.com``).
  (``pydantic.EmailStr`` needs the ``email-validator`` package, which is not installed: write the check.)
- ``password``: string, required, at least 8 characters, and it must contain at least one letter and at
  least one digit.
- ``password_confirm``: string, required, must equal ``password``.
- ``age``: integer or null, optional, default ``null``; when given, at least 18.
- No other field is allowed.

Contract (the hidden tests check exactly this):

- [q09.1] The module defines the Pydantic model ``UserSignup`` for that body. The tests build ``UserSignup(**<dict>)``
  directly (the same validation as ``UserSignup.model_validate(<dict>)``): every rule above lives in the model,
  so a bad dict raises ``pydantic.ValidationError`` there too, not only in the endpoint.
- [q09.2] ``POST /signup`` with a valid body answers 201 with exactly ``{"username": ..., "email": ..., "age": ...}``
  (email lowercased, ``age`` null when not sent). No successful answer carries ``password`` or
  ``password_confirm``, nor the password's value. (The 422 answers are FastAPI's own: the tests do not
  check whether their ``input`` entries repeat what the client sent.)
- [q09.3] A body that breaks any rule answers 422 with FastAPI's usual error list (``{"detail": [...]}``), in which
  each failing field has an error whose ``loc`` is ``["body", "<field name>"]``, for example
  ``["body", "username"]`` or, for a field that is not allowed, ``["body", "is_admin"]``. Every failing field
  is reported in the same answer (a body with a bad username and a bad email names both).
- [q09.4] A password without a letter or without a digit: the error at ``["body", "password"]`` has a ``msg`` that
  contains ``password must contain a letter and a digit``.
- [q09.5] ``password_confirm`` different from ``password`` (when every field is valid on its own): the list holds an
  error whose ``msg`` contains ``passwords do not match`` (its ``loc`` is not checked). The same text
  appears in the ``ValidationError`` that ``UserSignup(**<dict>)`` raises.
- [q09.6] The validators of q09.4 and q09.5 refuse a value by raising ``ValueError`` (not with ``assert``, which
  ``python -O`` strips), so both errors have ``"type": "value_error"``. Pydantic puts ``Value error, `` in front of
  the text in ``msg``; the tests look for the texts above inside ``msg``, so that prefix is fine.
- [q09.7] The constraints are declared on the fields so that the OpenAPI schema of the ``POST /signup`` request
  body shows them: ``username`` has ``minLength`` 3, ``maxLength`` 20 and a ``pattern``; ``password`` has
  ``minLength`` 8; ``age`` has ``minimum`` 18; and the body schema has ``additionalProperties: false``.

Run it: ``fastlings serve 9`` then open http://127.0.0.1:8000/docs
"""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class UserSignup(BaseModel):
    # TODO: the signup fields with their constraints, a field validator for the email, a field validator for
    # the password's letter-and-digit rule, a model validator for password_confirm, and unknown fields refused.
    pass


class UserOut(BaseModel):
    # TODO: the public fields only (what POST /signup answers).
    pass


# TODO: POST /signup answering 201 with the public fields of the new user, never the password.
