"""Hidden tests for q29: security schemes (OAuth2 password flow with scopes, and an API key header)."""

from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost

ALICE = {"username": "alice", "password": "wonderland"}
BOB = {"username": "bob", "password": "builder"}
API_KEY = "service-key-123"


def get_token(client: httpx.Client, credentials: dict[str, str], scope: str | None = None) -> str:
    form = dict(credentials)
    if scope is not None:
        form["scope"] = scope
    response = client.post("/token", data=form)
    assert response.status_code == 200, (
        f"POST /token with the form fields of {credentials['username']!r} should answer 200, "
        f"got {response.status_code}: {response.text}"
    )
    token = response.json().get("access_token")
    assert isinstance(token, str) and token, f"POST /token should return a non-empty access_token, got {response.text}"
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_bearer_challenge(response: Any, what: str) -> None:
    assert response.status_code == 401, f"{what} should answer 401, got {response.status_code}: {response.text}"
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.startswith("Bearer"), (
        f"{what} should send a WWW-Authenticate header starting with 'Bearer', got {challenge!r}"
    )


def security_schemes(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json should answer 200, got {response.status_code}"
    return response.json().get("components", {}).get("securitySchemes", {})


@pytest.mark.contract("q29.1", "q29.3")
def test_token_route_issues_bearer_token_for_form_credentials(client: httpx.Client) -> None:
    response = client.post("/token", data=ALICE)
    assert response.status_code == 200, (
        f"POST /token with form fields username/password should answer 200, got {response.status_code}: {response.text}"
    )
    body = response.json()
    assert body.get("token_type") == "bearer", f'the token response should hold "token_type": "bearer", got {body}'
    assert isinstance(body.get("access_token"), str) and body["access_token"], (
        f"the token response should hold a non-empty string access_token, got {body}"
    )
    me = client.get("/users/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200, f"the issued token should open GET /users/me, got {me.status_code}: {me.text}"
    assert me.json().get("username") == "alice", f"GET /users/me should name the token's user, got {me.json()}"


@pytest.mark.contract("q29.3")
def test_token_route_reads_a_form_not_json(client: httpx.Client) -> None:
    get_token(client, ALICE)
    response = client.post("/token", json=ALICE)
    assert 400 <= response.status_code < 500, (
        f"POST /token reads a form: a JSON body should be refused with a 4xx status, got {response.status_code}"
    )
    assert "access_token" not in response.text, f"a JSON body should get no token, got {response.text}"


@pytest.mark.contract("q29.1", "q29.3")
def test_wrong_password_or_unknown_user_is_refused(client: httpx.Client) -> None:
    get_token(client, ALICE)
    for form in ({"username": "alice", "password": "builder"}, {"username": "mallory", "password": "wonderland"}):
        response = client.post("/token", data=form)
        assert response.status_code == 401, (
            f"POST /token with username={form['username']!r} and a wrong password should answer 401, "
            f"got {response.status_code}: {response.text}"
        )
        assert response.json() == {"detail": "Incorrect username or password"}, (
            f'a refused login should answer {{"detail": "Incorrect username or password"}}, got {response.text}'
        )


@pytest.mark.contract("q29.5")
def test_missing_or_non_bearer_credentials_get_401_with_bearer_challenge(client: httpx.Client) -> None:
    token = get_token(client, ALICE)
    assert client.get("/users/me", headers=bearer(token)).status_code == 200, "a valid token should open GET /users/me"
    assert_bearer_challenge(client.get("/users/me"), "GET /users/me without an Authorization header")
    assert_bearer_challenge(
        client.get("/users/me", headers={"Authorization": "Basic YWxpY2U6d29uZGVybGFuZA=="}),
        "GET /users/me with Basic credentials instead of a Bearer token",
    )


@pytest.mark.contract("q29.4", "q29.5")
def test_made_up_token_gets_401_with_bearer_challenge(client: httpx.Client) -> None:
    token = get_token(client, ALICE, "items:read")
    assert client.get("/items/", headers=bearer(token)).status_code == 200, "a valid items:read token should list items"
    # "alice" is the token of FastAPI's simplest tutorial (the username itself): neither random nor signed.
    for fake in ("not-a-real-token", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl", "alice"):
        assert_bearer_challenge(client.get("/users/me", headers=bearer(fake)), f"GET /users/me with token {fake!r}")
        assert_bearer_challenge(client.get("/items/", headers=bearer(fake)), f"GET /items/ with token {fake!r}")


@pytest.mark.contract("q29.4", "q29.5")
def test_tampered_token_is_refused(client: httpx.Client) -> None:
    token = get_token(client, ALICE, "items:read items:write")
    assert client.get("/users/me", headers=bearer(token)).status_code == 200, "the untouched token should work"
    # Once in the first third (a JWT's claims) and once near the end (a JWT's signature); never the very last
    # character, whose low bits base64 may ignore: python-jose accepts such a change, PyJWT refuses it, and the
    # contract promises that the tests never make it. Every other single change is refused by both libraries.
    for index in (len(token) // 3, len(token) - 6):
        while token[index] == ".":
            index += 1
        tampered = token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]
        assert_bearer_challenge(
            client.get("/users/me", headers=bearer(tampered)),
            f"GET /users/me with a token whose character {index} of {len(token)} was changed",
        )


@pytest.mark.contract("q29.3", "q29.7")
def test_users_me_reports_the_granted_scopes(client: httpx.Client) -> None:
    cases = [(ALICE, None, []), (ALICE, "items:read", ["items:read"]), (ALICE, "items:write items:read", None)]
    for credentials, scope, expected in cases:
        response = client.get("/users/me", headers=bearer(get_token(client, credentials, scope)))
        assert response.status_code == 200, f"GET /users/me should answer 200, got {response.status_code}"
        body = response.json()
        want = sorted(expected if expected is not None else ["items:read", "items:write"])
        assert body.get("username") == "alice", f"GET /users/me should report username 'alice', got {body}"
        assert sorted(body.get("scopes", [])) == want, (
            f"a token requested with scope={scope!r} should carry the scopes {want}, got {body.get('scopes')}"
        )


@pytest.mark.contract("q29.1", "q29.3", "q29.6")
def test_scopes_the_user_may_not_hold_are_not_granted(client: httpx.Client) -> None:
    token = get_token(client, BOB, "items:read items:write")
    me = client.get("/users/me", headers=bearer(token))
    assert me.status_code == 200, f"bob's token should open GET /users/me, got {me.status_code}: {me.text}"
    assert me.json().get("scopes") == ["items:read"], (
        f"bob may hold only items:read: asking for items:write too should grant ['items:read'], got {me.json()}"
    )
    assert client.get("/items/", headers=bearer(token)).status_code == 200, "bob's items:read token should list items"
    response = client.post("/items/", json={"name": "crowbar"}, headers=bearer(token))
    assert response.status_code == 403, (
        f"bob asked for items:write but may not hold it: POST /items/ should answer 403, got {response.status_code}"
    )


@pytest.mark.contract("q29.6", "q29.8")
def test_token_without_required_scope_gets_403(client: httpx.Client) -> None:
    read_only = get_token(client, ALICE, "items:read")
    no_scope = get_token(client, ALICE)
    assert client.get("/items/", headers=bearer(read_only)).status_code == 200, "items:read should allow GET /items/"
    for token, method, what in (
        (read_only, "POST", "POST /items/ with an items:read token"),
        (no_scope, "GET", "GET /items/ with a token without scopes"),
    ):
        response = client.request(
            method, "/items/", json={"name": "saw"} if method == "POST" else None, headers=bearer(token)
        )
        assert response.status_code == 403, f"{what} should answer 403, got {response.status_code}: {response.text}"
        assert response.json() == {"detail": "Not enough permissions"}, (
            f'{what} should answer {{"detail": "Not enough permissions"}}, got {response.text}'
        )


@pytest.mark.contract("q29.8")
def test_read_scope_lists_the_demo_items(client: httpx.Client) -> None:
    token = get_token(client, BOB, "items:read")
    response = client.get("/items/", headers=bearer(token))
    assert response.status_code == 200, f"GET /items/ with items:read should answer 200, got {response.status_code}"
    items = response.json()
    assert isinstance(items, list) and items, f"GET /items/ should answer a non-empty list of demo items, got {items}"
    for item in items:
        assert isinstance(item, dict) and set(item) == {"id", "name"}, f'each item should be {{"id", "name"}}: {item}'
        assert isinstance(item["id"], int) and isinstance(item["name"], str), f"id is an int, name a string: {item}"


@pytest.mark.contract("q29.8", "q29.9")
def test_write_scope_creates_an_item_that_is_then_listed(client: httpx.Client) -> None:
    token = get_token(client, ALICE, "items:read items:write")
    response = client.post("/items/", json={"name": "screwdriver"}, headers=bearer(token))
    assert response.status_code == 201, f"POST /items/ with items:write should answer 201, got {response.status_code}"
    created = response.json()
    assert created.get("name") == "screwdriver" and isinstance(created.get("id"), int), (
        f'POST /items/ should answer {{"id": int, "name": "screwdriver"}}, got {created}'
    )
    listing = client.get("/items/", headers=bearer(token))
    assert listing.status_code == 200, f"GET /items/ should answer 200, got {listing.status_code}"
    assert created in listing.json(), f"the created item {created} should appear in GET /items/, got {listing.json()}"


@pytest.mark.contract("q29.1", "q29.10")
def test_api_key_header_protects_the_service_route(client: httpx.Client) -> None:
    response = client.get("/service/status", headers={"X-API-Key": API_KEY})
    assert response.status_code == 200, (
        f"GET /service/status with the right X-API-Key should answer 200, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"status": "ok"}, (
        f'GET /service/status should answer {{"status": "ok"}}, got {response.text}'
    )
    for headers, what in (({}, "without X-API-Key"), ({"X-API-Key": "wrong-key"}, "with a wrong X-API-Key")):
        refused = client.get("/service/status", headers=headers)
        assert refused.status_code == 401, f"GET /service/status {what} should answer 401, got {refused.status_code}"
    token = get_token(client, ALICE, "items:read items:write")
    refused = client.get("/service/status", headers=bearer(token))
    assert refused.status_code == 401, (
        f"GET /service/status needs the API key, a bearer token is not enough: expected 401, got {refused.status_code}"
    )


@pytest.mark.contract("q29.2", "q29.11")
def test_openapi_declares_the_oauth2_password_scheme_with_scopes(client: httpx.Client, host: AppHost) -> None:
    assert host.has("oauth2_scheme"), "the module should define `oauth2_scheme`, the OAuth2PasswordBearer"
    schemes = security_schemes(client)
    oauth2 = [s for s in schemes.values() if s.get("type") == "oauth2"]
    assert len(oauth2) == 1, f"components.securitySchemes should hold one oauth2 scheme, got {schemes}"
    password = oauth2[0].get("flows", {}).get("password", {})
    assert password.get("tokenUrl") == "token", f"the password flow's tokenUrl should be 'token', got {oauth2[0]}"
    assert {"items:read", "items:write"} <= set(password.get("scopes", {})), (
        f"the password flow should declare the scopes items:read and items:write, got {password.get('scopes')}"
    )


@pytest.mark.contract("q29.11")
def test_openapi_declares_the_api_key_scheme(client: httpx.Client) -> None:
    schemes = security_schemes(client)
    api_keys = [s for s in schemes.values() if s.get("type") == "apiKey"]
    assert {"type": "apiKey", "in": "header", "name": "X-API-Key"} in api_keys, (
        f"components.securitySchemes should hold an apiKey scheme in the header X-API-Key, got {schemes}"
    )


@pytest.mark.contract("q29.11")
def test_openapi_operations_name_their_scheme_and_scopes(client: httpx.Client) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json should answer 200, got {response.status_code}"
    spec = response.json()
    schemes = spec.get("components", {}).get("securitySchemes", {})
    oauth2_names = [name for name, s in schemes.items() if s.get("type") == "oauth2"]
    api_key_names = [name for name, s in schemes.items() if s.get("type") == "apiKey"]
    assert oauth2_names and api_key_names, f"both an oauth2 and an apiKey scheme should be declared, got {schemes}"
    paths = spec.get("paths", {})
    expected = [
        ("/users/me", "get", oauth2_names[0], []),
        ("/items/", "get", oauth2_names[0], ["items:read"]),
        ("/items/", "post", oauth2_names[0], ["items:write"]),
        ("/service/status", "get", api_key_names[0], []),
    ]
    for path, method, scheme, scopes in expected:
        operation = paths.get(path, {}).get(method)
        assert operation is not None, f"{method.upper()} {path} should be in the schema"
        requirements = operation.get("security", [])
        found = [sorted(req[scheme]) for req in requirements if scheme in req]
        assert found == [scopes], (
            f"{method.upper()} {path} should list the security requirement {{{scheme!r}: {scopes}}}, got {requirements}"
        )


TOKEN_ROUTES = (("GET", "/users/me", None), ("GET", "/items/", None), ("POST", "/items/", {"name": "saw"}))


def changed_at(token: str, index: int) -> str:
    """The token with the character at ``index`` replaced by a letter (A, or B where it was an A)."""
    while token[index] == ".":
        index += 1
    return token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]


@pytest.mark.contract("q29.4", "q29.5")
def test_every_401_of_every_token_route_carries_the_bearer_challenge(client: httpx.Client) -> None:
    token = get_token(client, ALICE, "items:read items:write")
    for method, path, body in TOKEN_ROUTES:
        response = client.request(method, path, json=body, headers=bearer(token))
        assert response.status_code in (200, 201), f"{method} {path} with a valid token should succeed"
    bad: list[tuple[dict[str, str], str]] = [
        ({}, "without an Authorization header"),
        ({"Authorization": "Basic YWxpY2U6d29uZGVybGFuZA=="}, "with Basic credentials"),
        ({"Authorization": f"Token {token}"}, "with the valid token under the scheme Token"),
        ({"Authorization": "Bearer"}, "with Bearer and no token"),
        (bearer("alice"), "with the made-up token 'alice'"),
        (bearer("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"), "with a made-up JWT"),
    ]
    for index in (1, len(token) // 2, len(token) - 2):
        bad.append((bearer(changed_at(token, index)), f"with the token's character {index} of {len(token)} changed"))
    for method, path, body in TOKEN_ROUTES:
        for headers, what in bad:
            assert_bearer_challenge(client.request(method, path, json=body, headers=headers), f"{method} {path} {what}")


@pytest.mark.contract("q29.1", "q29.3")
def test_near_miss_and_non_ascii_credentials_are_refused(host: AppHost) -> None:
    with host.client(raise_server_exceptions=False) as client:
        get_token(client, ALICE)
        for form in (
            {"username": "alice", "password": "w\u00f6nderland"},
            {"username": "alice", "password": "wonderland\u0301"},
            {"username": "alice", "password": "\U0001f407"},
            {"username": "alice", "password": "Wonderland"},
            {"username": "Alice", "password": "wonderland"},
            {"username": "\u00e5lice", "password": "wonderland"},
            {"username": "bob", "password": "wonderland"},
        ):
            response = client.post("/token", data=form)
            assert response.status_code == 401, (
                f"POST /token with {form} should answer 401, got {response.status_code}: {response.text}"
            )
            assert response.json() == {"detail": "Incorrect username or password"}, (
                f'POST /token with {form} should answer {{"detail": "Incorrect username or password"}}: {response.text}'
            )


@pytest.mark.contract("q29.3")
def test_compatibility_forms_of_the_credentials_are_refused(host: AppHost) -> None:
    # Each one turns into alice/wonderland or bob/builder under NFKC (fullwidth, mathematical, circled,
    # modifier and roman-numeral letters, the script l). Exact matching refuses them all. No compatibility
    # ligature expands into a part of these names, and NFC maps nothing else onto ASCII letters.
    with host.client(raise_server_exceptions=False) as client:
        get_token(client, ALICE)
        get_token(client, BOB)
        for form in (
            {"username": "\uff41\uff4c\uff49\uff43\uff45", "password": "wonderland"},
            {"username": "\uff41lice", "password": "wonderland"},
            {"username": "al\u2170ce", "password": "wonderland"},
            {"username": "a\u2113ice", "password": "wonderland"},
            {"username": "\U0001d41alice", "password": "wonderland"},
            {"username": "alice", "password": "\uff57\uff4f\uff4e\uff44\uff45\uff52\uff4c\uff41\uff4e\uff44"},
            {"username": "alice", "password": "\u02b7onderland"},
            {"username": "alice", "password": "\u24e6onderland"},
            {"username": "alice", "password": "wonderlan\U0001d41d"},
            {"username": "\uff42\uff4f\uff42", "password": "builder"},
            {"username": "bob", "password": "bu\u2170lder"},
            {"username": "bob", "password": "\uff42\uff55\uff49\uff4c\uff44\uff45\uff52"},
        ):
            response = client.post("/token", data=form)
            assert response.status_code == 401, (
                f"POST /token with {form} should answer 401 (credentials match exactly, no Unicode normalisation), "
                f"got {response.status_code}: {response.text}"
            )
            assert response.json() == {"detail": "Incorrect username or password"}, (
                f'POST /token with {form} should answer {{"detail": "Incorrect username or password"}}: {response.text}'
            )


@pytest.mark.contract("q29.3")
def test_token_response_has_exactly_two_keys(client: httpx.Client) -> None:
    for credentials, scope in ((ALICE, "items:read"), (BOB, None)):
        form = dict(credentials) if scope is None else {**credentials, "scope": scope}
        response = client.post("/token", data=form)
        assert response.status_code == 200, f"POST /token should answer 200, got {response.status_code}"
        body = response.json()
        assert isinstance(body, dict) and set(body) == {"access_token", "token_type"}, (
            f"POST /token should answer exactly the keys access_token and token_type, got {response.text}"
        )
        assert body["token_type"] == "bearer", f'token_type should be "bearer", got {response.text}'


@pytest.mark.contract("q29.3", "q29.7")
def test_requested_scopes_are_matched_exactly_and_granted_once(client: httpx.Client) -> None:
    cases = (
        (ALICE, "items:read items:read", ["items:read"]),
        (ALICE, "ITEMS:READ items:write", ["items:write"]),
        (ALICE, "items:read admin items:delete", ["items:read"]),
        (ALICE, "", []),
        (ALICE, "  items:write   items:read ", ["items:read", "items:write"]),
        (BOB, "items:write", []),
        (BOB, "items:write items:read items:read", ["items:read"]),
    )
    for credentials, scope, expected in cases:
        response = client.get("/users/me", headers=bearer(get_token(client, credentials, scope)))
        assert response.status_code == 200, f"GET /users/me should answer 200, got {response.status_code}"
        body = response.json()
        who = credentials["username"]
        assert isinstance(body, dict) and set(body) == {"username", "scopes"}, (
            f"GET /users/me should answer exactly the keys username and scopes, got {body}"
        )
        assert body["username"] == who, f"GET /users/me with {who}'s token should name {who}, got {body}"
        assert sorted(body["scopes"]) == expected, (
            f"{who}'s token requested with scope={scope!r} should carry exactly {expected} (each once), got {body}"
        )


@pytest.mark.contract("q29.9")
def test_created_items_get_new_ids_and_keep_their_names(client: httpx.Client) -> None:
    token = get_token(client, ALICE, "items:write items:read")
    for name in ("tournevis \u00e0 cliquet \U0001f527", "\u87ba\u4e1d\u5200", "cle\u0301", " x ", "\tpadded\n", "  "):
        used = {item["id"] for item in client.get("/items/", headers=bearer(token)).json()}
        response = client.post("/items/", json={"name": name}, headers=bearer(token))
        assert response.status_code == 201, f"POST /items/ {name!r} should answer 201, got {response.status_code}"
        created = response.json()
        assert isinstance(created, dict) and set(created) == {"id", "name"} and created["name"] == name, (
            f"POST /items/ should answer exactly {{'id': <new id>, 'name': {name!r}}}, got {response.text}"
        )
        assert isinstance(created["id"], int) and created["id"] not in used, (
            f"POST /items/ should give a new id, not one of {sorted(used)}, got {created['id']!r}"
        )
        assert created in client.get("/items/", headers=bearer(token)).json(), f"{created} should then be listed"


@pytest.mark.contract("q29.10")
def test_every_bad_api_key_is_401(client: httpx.Client) -> None:
    assert client.get("/service/status", headers={"X-API-Key": API_KEY}).status_code == 200, "the key should work"
    for key in ("", "Service-Key-123", "SERVICE-KEY-123", "service-key-12", "service-key-1234", "service_key_123"):
        response = client.get("/service/status", headers={"X-API-Key": key})
        assert response.status_code == 401, f"GET /service/status with X-API-Key {key!r} should answer 401"
    response = client.get("/service/status", headers={"X-Api-Key-2": API_KEY})
    assert response.status_code == 401, "the key under another header name should answer 401"
