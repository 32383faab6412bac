"""Hidden tests for q09: Pydantic validation.

The model is validated outside any request with ``host.call("UserSignup", **fields)``: the module's own class,
called with the judge's data, answers its fields or raises, as plain data. No kit code in the host judges it.
"""

from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost, CandidateError

PASSWORD = "s3cretPass"
VALID = {
    "username": "alice_01",
    "email": "alice@example.com",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
}


def _signup(client: httpx.Client, **changes: Any) -> Any:
    body = {**VALID, **changes}
    return client.post("/signup", json=body)


def _errors(response: Any) -> list[dict[str, Any]]:
    body = response.json()
    detail = body.get("detail") if isinstance(body, dict) else None
    assert isinstance(detail, list), f"a 422 answer should carry FastAPI's error list under 'detail', got {body!r}"
    return [error for error in detail if isinstance(error, dict)]


def _locs(response: Any) -> list[list[Any]]:
    return [list(error.get("loc", [])) for error in _errors(response)]


def _assert_valid_signup_works(client: httpx.Client) -> None:
    response = _signup(client)
    assert response.status_code == 201, f"a valid signup should answer 201, got {response.status_code}: {response.text}"


def _assert_rejected(client: httpx.Client, field: str, **changes: Any) -> list[dict[str, Any]]:
    response = _signup(client, **changes)
    assert response.status_code == 422, f"{changes} should answer 422, got {response.status_code}: {response.text}"
    locs = _locs(response)
    assert ["body", field] in locs, f"{changes} should give an error at loc ['body', {field!r}], got locs {locs}"
    return [error for error in _errors(response) if list(error.get("loc", [])) == ["body", field]]


def _build(host: AppHost, data: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """``UserSignup(**data)`` in the host: (its fields, None), or (None, the fault it raised: type and message)."""
    try:
        return host.call("UserSignup", **data), None
    except CandidateError as error:
        return None, error.fault


def _outcome(fields: dict[str, Any] | None, fault: dict[str, Any] | None) -> str:
    """What ``UserSignup(**data)`` did, in words: no exception, or the exception's type and message."""
    if fault is None:
        return f"no exception (it holds {fields})"
    return f"{fault.get('type')}: {fault.get('message')}"


@pytest.mark.contract("q09.2")
def test_valid_signup_answers_201_with_public_fields(client: httpx.Client) -> None:
    response = _signup(client, age=30)
    assert response.status_code == 201, f"a valid signup should answer 201, got {response.status_code}: {response.text}"
    expected = {"username": "alice_01", "email": "alice@example.com", "age": 30}
    assert response.json() == expected, f"POST /signup should answer exactly {expected}, got {response.json()}"


@pytest.mark.contract("q09.2")
def test_age_is_optional_and_answered_as_null(client: httpx.Client) -> None:
    response = _signup(client)
    assert response.status_code == 201, f"a signup without age should answer 201, got {response.status_code}"
    body = response.json()
    assert "age" in body, f"the answer should include age even when it was not sent, got {body}"
    assert body["age"] is None, f"age should default to null, got {body['age']!r}"


@pytest.mark.contract("q09.2")
def test_response_never_contains_the_password(client: httpx.Client) -> None:
    response = _signup(client)
    assert response.status_code == 201, f"a valid signup should answer 201, got {response.status_code}: {response.text}"
    body = response.json()
    leaked = [key for key in body if "password" in key.lower()]
    assert not leaked, f"the signup answer must not carry password fields, got keys {sorted(body)}"
    assert PASSWORD not in response.text, "the signup answer must not contain the password's value anywhere"


@pytest.mark.contract("q09.2")
def test_email_is_lowercased(client: httpx.Client) -> None:
    response = _signup(client, email="Alice.Smith@Example.COM")
    assert response.status_code == 201, f"a mixed-case email is valid, got {response.status_code}: {response.text}"
    email = response.json().get("email")
    assert email == "alice.smith@example.com", f"the email should be answered lowercased, got {email!r}"


@pytest.mark.contract("q09.3")
def test_invalid_emails_are_422_naming_email(client: httpx.Client) -> None:
    _assert_valid_signup_works(client)
    emails = ("not-an-email", "@example.com", "alice@example", "alice@x@example.com", "alice smith@example.com")
    # The dot after the @ needs a character on each side.
    for email in (*emails, "alice@example.", "alice@.com"):
        _assert_rejected(client, "email", email=email)


@pytest.mark.contract("q09.3")
def test_username_constraints_are_422_naming_username(client: httpx.Client) -> None:
    _assert_valid_signup_works(client)
    assert _signup(client, username="Bob_" + "x" * 16).status_code == 201, "a 20-character username should be accepted"
    for username in ("ab", "a" * 21, "alice-01", "alice 01", "al!ce", "álice", "aliße"):  # ASCII only
        _assert_rejected(client, "username", username=username)


@pytest.mark.contract("q09.3")
def test_usernames_with_whitespace_anywhere_are_422_naming_username(client: httpx.Client) -> None:
    # Whitespace is none of ASCII letters, digits and underscores, at either end too: a trailing newline
    # slips past a pattern whose $ also matches before a final newline (Python's re), so it is tested here.
    _assert_valid_signup_works(client)
    for username in (
        "alice\n",
        "\nalice",
        "alice\r\n",
        "alice ",
        " alice",
        "alice\t",
        "\talice",
        "ali\nce",
        "alice\u00a0",
        "\u3000alice",
    ):
        _assert_rejected(client, "username", username=username)


@pytest.mark.contract("q09.3")
def test_emails_with_whitespace_anywhere_are_422_naming_email(client: httpx.Client) -> None:
    # "No whitespace anywhere": tabs, line breaks and Unicode spaces (no-break, em, ideographic, ...) as much as
    # the plain space, at either end, next to the @ or inside either part.
    _assert_valid_signup_works(client)
    for space in ("\t", "\n", "\r", "\x0b", "\x0c", "\u00a0", "\u2003", "\u202f", "\u2028", "\u3000"):
        for email in (
            f"{space}alice@example.com",
            f"alice@example.com{space}",
            f"alice{space}@example.com",
            f"alice@{space}example.com",
            f"ali{space}ce@example.com",
            f"alice@exam{space}ple.com",
        ):
            _assert_rejected(client, "email", email=email)


@pytest.mark.contract("q09.3")
def test_short_password_is_422_naming_password(client: httpx.Client) -> None:
    _assert_valid_signup_works(client)
    _assert_rejected(client, "password", password="abc123", password_confirm="abc123")


@pytest.mark.contract("q09.3", "q09.4")
def test_password_needs_a_letter_and_a_digit(client: httpx.Client) -> None:
    _assert_valid_signup_works(client)
    for password in ("onlyletters", "1234567890"):
        errors = _assert_rejected(client, "password", password=password, password_confirm=password)
        messages = [str(error.get("msg", "")) for error in errors]
        assert any("password must contain a letter and a digit" in msg for msg in messages), (
            f"the error at ['body', 'password'] for {password!r} should say "
            f"'password must contain a letter and a digit', got {messages}"
        )


@pytest.mark.contract("q09.5")
def test_password_mismatch_is_422_with_message(client: httpx.Client) -> None:
    _assert_valid_signup_works(client)
    response = _signup(client, password_confirm="different123")
    assert response.status_code == 422, f"different passwords should answer 422, got {response.status_code}"
    messages = [str(error.get("msg", "")) for error in _errors(response)]
    assert any("passwords do not match" in msg for msg in messages), (
        f"the 422 errors should include one saying 'passwords do not match', got {messages}"
    )


@pytest.mark.contract("q09.5")
def test_passwords_differing_only_in_case_do_not_match(client: httpx.Client) -> None:
    _assert_valid_signup_works(client)
    response = _signup(client, password="Secret123", password_confirm="secret123")
    assert response.status_code == 422, (
        "password_confirm must equal password exactly: 'Secret123' / 'secret123' should answer 422, "
        f"got {response.status_code}: {response.text}"
    )
    messages = [str(error.get("msg", "")) for error in _errors(response)]
    assert any("passwords do not match" in msg for msg in messages), (
        f"the 422 errors should include one saying 'passwords do not match', got {messages}"
    )


@pytest.mark.contract("q09.3")
def test_unknown_field_is_rejected(client: httpx.Client) -> None:
    _assert_valid_signup_works(client)
    _assert_rejected(client, "is_admin", is_admin=True)


@pytest.mark.contract("q09.3")
def test_age_below_18_is_422_naming_age(client: httpx.Client) -> None:
    assert _signup(client, age=18).status_code == 201, "age 18 should be accepted"
    _assert_rejected(client, "age", age=17)


@pytest.mark.contract("q09.3")
def test_every_failing_field_is_reported_at_once(client: httpx.Client) -> None:
    _assert_valid_signup_works(client)
    response = _signup(client, username="x", email="nope", age=5, is_admin=True)
    assert response.status_code == 422, f"a body with several bad fields should answer 422, got {response.status_code}"
    locs = _locs(response)
    for field in ("username", "email", "age", "is_admin"):
        assert ["body", field] in locs, (
            f"every failing field should be reported in one answer: missing {field!r} in {locs}"
        )


@pytest.mark.contract("q09.7")
def test_constraints_appear_in_the_openapi_schema(client: httpx.Client) -> None:
    _assert_valid_signup_works(client)
    spec = client.get("/openapi.json").json()
    try:
        schema = spec["paths"]["/signup"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    except KeyError:
        pytest.fail("the OpenAPI schema should describe a JSON request body for POST /signup", pytrace=False)
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    properties = schema.get("properties", {})
    username = properties.get("username", {})
    assert username.get("minLength") == 3, f"username should declare minLength 3 in the schema, got {username}"
    assert username.get("maxLength") == 20, f"username should declare maxLength 20 in the schema, got {username}"
    assert username.get("pattern"), f"username should declare a pattern in the schema, got {username}"
    password = properties.get("password", {})
    assert password.get("minLength") == 8, f"password should declare minLength 8 in the schema, got {password}"
    age = properties.get("age", {})
    minimums = [age.get("minimum")] + [option.get("minimum") for option in age.get("anyOf", [])]
    assert 18 in minimums, f"age should declare minimum 18 in the schema, got {age}"
    assert schema.get("additionalProperties") is False, (
        f"the signup body schema should say additionalProperties: false (unknown fields refused), got {schema}"
    )


@pytest.mark.contract("q09.1", "q09.5")
def test_model_validates_on_its_own(host: AppHost) -> None:
    assert host.kind("UserSignup") == "class", "the module should define the model UserSignup"
    user, fault = _build(host, {**VALID, "email": "Alice@Example.com"})
    assert fault is None and isinstance(user, dict), (
        f"UserSignup(**fields) should accept a valid signup, got {_outcome(user, fault)}"
    )
    email = user.get("email")
    assert email == "alice@example.com", f"UserSignup should hold the email lowercased, got {email!r}"
    user, mismatch = _build(host, {**VALID, "password_confirm": "different123"})
    assert mismatch is not None and mismatch.get("type") == "ValidationError", (
        "UserSignup(**fields) with different passwords should raise pydantic.ValidationError, "
        f"got {_outcome(user, mismatch)}"
    )
    assert "passwords do not match" in str(mismatch.get("message")), (
        "UserSignup's ValidationError for different passwords should say 'passwords do not match': "
        f"{mismatch.get('message')}"
    )
    user, extra = _build(host, {**VALID, "is_admin": True})
    assert extra is not None and extra.get("type") == "ValidationError", (
        f"UserSignup(**fields) with an unknown field should raise pydantic.ValidationError, got {_outcome(user, extra)}"
    )


@pytest.mark.contract("q09.6")
def test_rules_are_refused_with_value_errors(client: httpx.Client) -> None:
    _assert_valid_signup_works(client)
    errors = _assert_rejected(client, "password", password="onlyletters", password_confirm="onlyletters")
    types = [error.get("type") for error in errors]
    assert "value_error" in types, (
        f"the letter-and-digit rule should raise ValueError, giving an error of type 'value_error'; got types {types}"
    )
    response = _signup(client, password_confirm="different123")
    assert response.status_code == 422, f"different passwords should answer 422, got {response.status_code}"
    mismatch = [error for error in _errors(response) if "passwords do not match" in str(error.get("msg", ""))]
    assert mismatch, f"the 422 errors should include one saying 'passwords do not match', got {_errors(response)}"
    assert mismatch[0].get("type") == "value_error", (
        "the passwords-match rule should raise ValueError, giving an error of type 'value_error'; "
        f"got {mismatch[0].get('type')!r}"
    )
