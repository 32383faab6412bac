"""Hidden tests for q16: JWT authentication with HTTPBearer (the tests mint their own tokens with PyJWT)."""

import base64
import hashlib
import hmac
import json
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest

from grader.judge.bridge import AppHost
from grader.judge.fixtures import StartHost

Mint = Callable[..., str]


def encode(claims: dict[str, Any], key: str | None, algorithm: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns about short HMAC keys; the key is the module's choice
        return jwt.encode(claims, key, algorithm=algorithm)


@pytest.fixture
def safe_client(host: AppHost) -> Iterator[httpx.Client]:
    """Server errors come back as 500 responses, so a crash on a bad token reads as a failed assertion."""
    with host.client(raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def mint(host: AppHost) -> Mint:
    """Sign claims with the module's SECRET_KEY and ALGORITHM; ``exp`` defaults to ten minutes from now."""

    def make(sub: str | None = "alice", exp_in: int | None = 600, **overrides: Any) -> str:
        claims: dict[str, Any] = {}
        if sub is not None:
            claims["sub"] = sub
        if exp_in is not None:
            claims["exp"] = int(time.time()) + exp_in
        key = overrides.pop("key") if "key" in overrides else host.fact("SECRET_KEY")
        algorithm = overrides.pop("algorithm") if "algorithm" in overrides else host.fact("ALGORITHM")
        return encode(claims, key, algorithm)

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_accepted(client: httpx.Client, token: str, subject: str, what: str) -> None:
    response = client.get("/users/me", headers=bearer(token))
    assert response.status_code == 200, (
        f"GET /users/me with {what} should answer 200, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"username": subject}, (
        f'GET /users/me should answer {{"username": "{subject}"}}, got {response.text}'
    )


def assert_invalid_token(client: httpx.Client, token: str, what: str) -> None:
    response = client.get("/users/me", headers=bearer(token))
    assert response.status_code == 401, (
        f"GET /users/me with {what} should answer 401, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"detail": "Invalid token"}, (
        f'{what} should give {{"detail": "Invalid token"}}, got {response.text}'
    )
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.lower().startswith("bearer"), (
        f"the 401 for {what} should send a WWW-Authenticate header starting with Bearer, got {challenge!r}"
    )


def hs256_with_empty_key(claims: dict[str, Any]) -> str:
    """A token HMAC-signed with the empty key (PyJWT refuses to make one, so it is built by hand)."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = part(b'{"alg":"HS256","typ":"JWT"}') + "." + part(json.dumps(claims).encode())
    signature = hmac.new(b"", signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{part(signature)}"


@pytest.mark.contract("q16.1", "q16.3")
def test_token_route_issues_a_signed_token_for_the_demo_user(client: httpx.Client, host: AppHost) -> None:
    algorithm = host.fact("ALGORITHM")
    assert algorithm == "HS256", f'ALGORITHM should be "HS256", got {algorithm!r}'
    before = int(time.time())
    response = client.post("/token", json={"username": "alice", "password": "wonderland"})
    assert response.status_code == 200, (
        f"POST /token with the demo credentials should answer 200, got {response.status_code}: {response.text}"
    )
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"access_token", "token_type"}, (
        f"POST /token should answer exactly the keys access_token and token_type, got {response.text}"
    )
    assert body.get("token_type") == "bearer", f'token_type should be "bearer", got {response.text}'
    token = body.get("access_token")
    assert isinstance(token, str) and token, f"access_token should be a JWT string, got {response.text}"
    try:
        claims = jwt.decode(token, host.fact("SECRET_KEY"), algorithms=[host.fact("ALGORITHM")])
    except jwt.InvalidTokenError as exc:
        pytest.fail(f"the issued token should be a valid JWT signed with SECRET_KEY and ALGORITHM: {exc}")
    assert claims.get("sub") == "alice", f'the token\'s sub claim should be "alice", got {claims.get("sub")!r}'
    exp = claims.get("exp")
    assert isinstance(exp, int | float), f"the token should carry a numeric exp claim, got {exp!r}"
    lifetime = exp - before
    assert 29 * 60 <= lifetime <= 31 * 60, f"the token should expire 30 minutes after issue, it expires in {lifetime} s"


@pytest.mark.contract("q16.3")
def test_wrong_credentials_are_refused(safe_client: httpx.Client) -> None:
    near_misses = (
        {"username": "alice", "password": "wrong"},
        {"username": "mallory", "password": "wonderland"},
        {"username": "Alice", "password": "wonderland"},
        {"username": "alice", "password": "Wonderland"},
        {"username": "alice ", "password": "wonderland"},
        {"username": "alice", "password": "wonderland "},
        {"username": "alice", "password": "w\u00f6nderland"},
        {"username": "alice", "password": "wonderland\u0301"},
        {"username": "alice", "password": "\U0001f407 \u5154\u5b50"},
        {"username": "al\u00efce", "password": "wonderland"},
        {"username": "\u7231\u4e3d\u4e1d", "password": "\u4ed9\u5883"},
        {"username": "alice", "password": ""},
    )
    for body in near_misses:
        response = safe_client.post("/token", json=body)
        assert response.status_code == 401, (
            f"POST /token with {body} should answer 401, got {response.status_code}: {response.text}"
        )
        assert response.json() == {"detail": "Incorrect username or password"}, (
            f"unexpected body for bad credentials: {response.text}"
        )


@pytest.mark.contract("q16.3")
def test_compatibility_forms_of_the_credentials_are_refused(safe_client: httpx.Client) -> None:
    # Each one turns into "alice" or "wonderland" under NFKC (fullwidth, mathematical, circled, modifier and
    # roman-numeral letters, the script l); matching exactly means none of them logs in. No compatibility
    # ligature expands into a part of "alice" or "wonderland", and NFC cannot map anything else onto ASCII
    # letters, so these cover the normalisation shortcuts.
    good = safe_client.post("/token", json={"username": "alice", "password": "wonderland"})
    assert good.status_code == 200, f"POST /token with the demo credentials should answer 200, got {good.status_code}"
    near_misses = (
        {"username": "\uff41\uff4c\uff49\uff43\uff45", "password": "wonderland"},
        {"username": "\uff41lice", "password": "wonderland"},
        {"username": "al\u2170ce", "password": "wonderland"},
        {"username": "a\u2113ice", "password": "wonderland"},
        {"username": "\U0001d41alice", "password": "wonderland"},
        {"username": "alice", "password": "\uff57\uff4f\uff4e\uff44\uff45\uff52\uff4c\uff41\uff4e\uff44"},
        {"username": "alice", "password": "wonderl\uff41nd"},
        {"username": "alice", "password": "\u02b7onderland"},
        {"username": "alice", "password": "\u24e6onderland"},
        {"username": "alice", "password": "wonderlan\U0001d41d"},
        {"username": "\uff41lice", "password": "\uff57onderland"},
    )
    for body in near_misses:
        response = safe_client.post("/token", json=body)
        assert response.status_code == 401, (
            f"POST /token with {body} should answer 401 (credentials match exactly, no Unicode normalisation), "
            f"got {response.status_code}: {response.text}"
        )
        assert response.json() == {"detail": "Incorrect username or password"}, (
            f"unexpected body for bad credentials: {response.text}"
        )


@pytest.mark.contract("q16.3")
def test_token_body_without_password_is_422(client: httpx.Client) -> None:
    good = client.post("/token", json={"username": "alice", "password": "wonderland"})
    assert good.status_code == 200, f"POST /token with the demo credentials should answer 200, got {good.status_code}"
    for body in ({"username": "alice"}, {"password": "wonderland"}, {}):
        response = client.post("/token", json=body)
        assert response.status_code == 422, f"POST /token with {body} should answer 422, got {response.status_code}"


@pytest.mark.contract("q16.3", "q16.4")
def test_issued_token_opens_the_protected_route(client: httpx.Client) -> None:
    response = client.post("/token", json={"username": "alice", "password": "wonderland"})
    assert response.status_code == 200, f"POST /token should answer 200, got {response.status_code}: {response.text}"
    assert_accepted(client, response.json()["access_token"], "alice", "the token from POST /token")


@pytest.mark.contract("q16.1", "q16.4")
def test_protected_route_returns_the_subject_of_any_valid_token(client: httpx.Client, mint: Mint) -> None:
    assert_accepted(client, mint(sub="bob"), "bob", "a valid token for sub 'bob'")
    subject = "Zo\u00eb e\u0301 \u674e\u96f7 \U0001f407"
    assert_accepted(client, mint(sub=subject), subject, f"a valid token for the non-ASCII sub {subject!r}")


@pytest.mark.contract("q16.5")
def test_missing_credentials_are_401_not_authenticated(client: httpx.Client) -> None:
    cases = (
        ({}, "without credentials"),
        ({"Authorization": "Basic YWxpY2U6d29uZGVybGFuZA=="}, "with a Basic scheme"),
        ({"Authorization": "Bearer"}, "with the Bearer scheme but no token"),
    )
    for headers, what in cases:
        response = client.get("/users/me", headers=headers)
        assert response.status_code == 401, (
            f"GET /users/me {what} should answer 401, got {response.status_code}: {response.text}"
        )
        assert response.json() == {"detail": "Not authenticated"}, f"unexpected body {what}: {response.text}"
        challenge = response.headers.get("www-authenticate", "")
        assert challenge.lower().startswith("bearer"), (
            f"GET /users/me {what} should send WWW-Authenticate: Bearer, got {challenge!r}"
        )


@pytest.mark.contract("q16.6")
def test_invalid_token_response_carries_www_authenticate(safe_client: httpx.Client) -> None:
    response = safe_client.get("/users/me", headers=bearer("not-a-jwt"))
    assert response.status_code == 401, (
        f"a malformed token should answer 401, got {response.status_code}: {response.text}"
    )
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.lower().startswith("bearer"), (
        f"a 401 for an invalid token should send WWW-Authenticate: Bearer, got {challenge!r}"
    )


@pytest.mark.contract("q16.6")
def test_malformed_token_is_invalid(safe_client: httpx.Client, mint: Mint) -> None:
    assert_accepted(safe_client, mint(), "alice", "a valid token")
    assert_invalid_token(safe_client, "not-a-jwt", "the token 'not-a-jwt'")
    assert_invalid_token(safe_client, "a.b.c", "the token 'a.b.c'")


@pytest.mark.contract("q16.6")
def test_token_signed_with_another_key_is_invalid(safe_client: httpx.Client, mint: Mint) -> None:
    assert_accepted(safe_client, mint(), "alice", "a valid token")
    forged = mint(key="an-attacker-secret-that-is-long-enough-for-hs256-0123456789")
    assert_invalid_token(safe_client, forged, "a token signed with another key")


@pytest.mark.contract("q16.6")
def test_expired_token_is_invalid(safe_client: httpx.Client, mint: Mint) -> None:
    assert_accepted(safe_client, mint(), "alice", "a valid token")
    assert_invalid_token(safe_client, mint(exp_in=-3600), "a token that expired an hour ago")


@pytest.mark.contract("q16.6")
def test_expiry_has_no_leeway(safe_client: httpx.Client, mint: Mint) -> None:
    # Four seconds either side of exp: far from the second where PyJWT and python-jose differ, and no leeway.
    assert_accepted(safe_client, mint(exp_in=4), "alice", "a token that expires in about four seconds")
    assert_invalid_token(safe_client, mint(exp_in=-4), "a token that expired about four seconds ago")
    assert_invalid_token(safe_client, mint(exp_in=-61), "a token that expired a minute ago")


@pytest.mark.contract("q16.6")
def test_a_token_expired_just_over_a_second_ago_is_refused(safe_client: httpx.Client, host: AppHost) -> None:
    # exp is the whole second before the current one, so the token is already 1 to 2 s past its exp when
    # minted: outside the second where PyJWT and python-jose differ, and refused by both without leeway
    # however slow the machine (time only makes it older). A leeway of 2 s or more accepts it, unless the
    # request takes over a second to arrive. The accepting side keeps seconds of margin (exp 4 s and 60 s
    # ahead), so no test depends on the machine's speed.
    key, algorithm = host.fact("SECRET_KEY"), host.fact("ALGORITHM")
    assert_accepted(
        safe_client,
        encode({"sub": "alice", "exp": int(time.time()) + 60}, key, algorithm),
        "alice",
        "a token that expires in a minute",
    )
    assert_accepted(
        safe_client,
        encode({"sub": "alice", "exp": int(time.time()) + 4}, key, algorithm),
        "alice",
        "a token that expires in about four seconds",
    )
    expired = encode({"sub": "alice", "exp": int(time.time()) - 1}, key, algorithm)
    assert_invalid_token(safe_client, expired, "a token that expired one to two seconds ago (no leeway)")
    expired = encode({"sub": "alice", "exp": time.time() - 1.0}, key, algorithm)
    assert_invalid_token(safe_client, expired, "a token whose fractional exp is one second in the past (no leeway)")


@pytest.mark.contract("q16.4", "q16.6")
def test_a_fractional_exp_is_a_valid_number(safe_client: httpx.Client, host: AppHost) -> None:
    key, algorithm = host.fact("SECRET_KEY"), host.fact("ALGORITHM")
    token = encode({"sub": "alice", "exp": time.time() + 600.375}, key, algorithm)
    assert_accepted(safe_client, token, "alice", "a token whose exp is a fraction ten minutes ahead")
    expired = encode({"sub": "alice", "exp": time.time() - 30.625}, key, algorithm)
    assert_invalid_token(safe_client, expired, "a token whose exp is a fraction 30 s in the past")


@pytest.mark.contract("q16.6")
def test_token_with_a_non_finite_exp_is_invalid(safe_client: httpx.Client, host: AppHost, mint: Mint) -> None:
    assert_accepted(safe_client, mint(), "alice", "a valid token")
    key, algorithm = host.fact("SECRET_KEY"), host.fact("ALGORITHM")
    for exp in (float("inf"), float("nan"), float("-inf")):
        token = encode({"sub": "alice", "exp": exp}, key, algorithm)  # the JSON says Infinity / NaN
        assert_invalid_token(safe_client, token, f"a token whose exp is {exp!r} (exp must be a finite number)")


@pytest.mark.contract("q16.6")
def test_unsigned_alg_none_token_is_invalid(safe_client: httpx.Client, mint: Mint) -> None:
    assert_accepted(safe_client, mint(), "alice", "a valid token")
    assert_invalid_token(safe_client, mint(key=None, algorithm="none"), "an unsigned (alg none) token")


@pytest.mark.contract("q16.6")
def test_token_with_another_algorithm_is_invalid(safe_client: httpx.Client, mint: Mint) -> None:
    assert_accepted(safe_client, mint(), "alice", "a valid token")
    assert_invalid_token(safe_client, mint(algorithm="HS512"), "a token signed with HS512 instead of ALGORITHM")


@pytest.mark.contract("q16.6")
def test_token_without_exp_is_invalid(safe_client: httpx.Client, mint: Mint) -> None:
    assert_accepted(safe_client, mint(), "alice", "a valid token")
    assert_invalid_token(safe_client, mint(exp_in=None), "a token without an exp claim")


@pytest.mark.contract("q16.6")
def test_token_with_a_non_numeric_exp_is_invalid(safe_client: httpx.Client, host: AppHost, mint: Mint) -> None:
    assert_accepted(safe_client, mint(), "alice", "a valid token")
    key, algorithm = host.fact("SECRET_KEY"), host.fact("ALGORITHM")
    # A digit string ("9999999999") is left out on purpose: PyJWT and python-jose both read it as a number.
    for exp in ("soon", None, [1]):
        token = encode({"sub": "alice", "exp": exp}, key, algorithm)
        assert_invalid_token(safe_client, token, f"a token whose exp is {exp!r} (exp must be a number)")


@pytest.mark.contract("q16.6")
def test_token_with_a_changed_payload_is_invalid(safe_client: httpx.Client, mint: Mint) -> None:
    # The payload is swapped and the signature kept. (Never tamper with the signature's last character:
    # it may change only base64 padding bits, which python-jose ignores and PyJWT refuses.)
    assert_accepted(safe_client, mint(), "alice", "a valid token")
    header, _payload, signature = mint(sub="alice").split(".")
    _header, other_payload, _signature = mint(sub="admin").split(".")
    assert_invalid_token(safe_client, f"{header}.{other_payload}.{signature}", "a token whose payload was changed")


@pytest.mark.contract("q16.6")
def test_token_without_sub_is_invalid(safe_client: httpx.Client, mint: Mint) -> None:
    assert_accepted(safe_client, mint(), "alice", "a valid token")
    assert_invalid_token(safe_client, mint(sub=None), "a token without a sub claim")


@pytest.mark.contract("q16.2")
def test_secret_key_is_read_from_the_environment(start_host: StartHost) -> None:
    secret = "secret-from-the-environment-0123456789-abcdefghijklmnopqrstuvwxyz"
    configured_host = start_host(env={"JWT_SECRET_KEY": secret})
    configured = configured_host.fact("SECRET_KEY")
    assert configured == secret, (
        f"SECRET_KEY should come from the JWT_SECRET_KEY environment variable ({secret!r}), got {configured!r}"
    )
    token = encode({"sub": "carol", "exp": int(time.time()) + 600}, secret, configured_host.fact("ALGORITHM"))
    with configured_host.client() as test_client:
        assert_accepted(test_client, token, "carol", "a token signed with the JWT_SECRET_KEY secret")


@pytest.mark.contract("q16.2")
def test_an_empty_secret_in_the_environment_counts_as_unset(start_host: StartHost) -> None:
    configured_host = start_host(env={"JWT_SECRET_KEY": ""})
    configured = configured_host.fact("SECRET_KEY")
    assert isinstance(configured, str) and configured, (
        f"with JWT_SECRET_KEY set to the empty string, SECRET_KEY should be a non-empty secret, got {configured!r}"
    )
    with configured_host.client(raise_server_exceptions=False) as test_client:
        login = test_client.post("/token", json={"username": "alice", "password": "wonderland"})
        assert login.status_code == 200, (
            f"with an empty JWT_SECRET_KEY, POST /token should still answer 200, got {login.status_code}: {login.text}"
        )
        assert_accepted(test_client, login.json()["access_token"], "alice", "the token from POST /token")
        forged = hs256_with_empty_key({"sub": "mallory", "exp": int(time.time()) + 600})
        assert_invalid_token(test_client, forged, "a token signed with the empty key")
