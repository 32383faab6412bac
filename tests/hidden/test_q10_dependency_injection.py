"""Hidden tests for q10: dependency injection."""

import uuid

import httpx
import pytest

from grader.judge.bridge import AppHost

ROUTES = ("/items/", "/users/", "/users/me", "/users/me/items")


def _auth(host: AppHost, user: str | None = None) -> dict[str, str]:
    headers = {"X-Token": host.fact("API_TOKEN")}
    if user is not None:
        headers["X-User"] = user
    return headers


@pytest.mark.contract("q10.1")
def test_module_defines_the_names_the_tests_use(client: httpx.Client, host: AppHost) -> None:
    token = host.fact("API_TOKEN")
    assert isinstance(token, str) and token, f"API_TOKEN should be a non-empty string, got {token!r}"
    r = client.get("/items/", headers={"X-Token": token})
    assert r.status_code == 200, f"GET /items/ with X-Token: API_TOKEN should answer 200, got {r.status_code}: {r.text}"
    assert host.kind("CommonQueryParams") == "class", "the module should define the class CommonQueryParams"
    assert host.kind("FakeSession") == "class", "the module should keep the given class FakeSession"
    for name in ("app", "common_parameters", "verify_token", "get_db", "open_session"):
        kind = host.kind(name)
        assert kind not in (None, "value"), f"the module should define `{name}` (a callable), got {kind!r}"


@pytest.mark.contract("q10.3")
def test_items_answers_common_parameters_defaults(client: httpx.Client, host: AppHost) -> None:
    r = client.get("/items/", headers=_auth(host))
    assert r.status_code == 200, f"GET /items/ with a valid X-Token should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == {"q": None, "skip": 0, "limit": 100}, (
        f"GET /items/ without query parameters should answer the defaults of common_parameters, got {r.json()}"
    )


@pytest.mark.contract("q10.3")
def test_items_reads_query_parameters_through_the_dependency(client: httpx.Client, host: AppHost) -> None:
    r = client.get("/items/", params={"q": "foo", "skip": "5", "limit": "2"}, headers=_auth(host))
    assert r.status_code == 200, f"GET /items/?q=foo&skip=5&limit=2 should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == {"q": "foo", "skip": 5, "limit": 2}, (
        f"GET /items/?q=foo&skip=5&limit=2 should answer the parsed values (integers for skip/limit), got {r.json()}"
    )
    assert host.call("common_parameters", q="x", skip=1, limit=3) == {"q": "x", "skip": 1, "limit": 3}, (
        "common_parameters(q, skip, limit) called directly should return the same dict"
    )
    bad = client.get("/items/", params={"skip": "many"}, headers=_auth(host))
    assert bad.status_code == 422, f"a non-integer skip should answer 422, got {bad.status_code}: {bad.text}"


@pytest.mark.contract("q10.4")
def test_users_list_uses_class_dependency_for_filter_and_paging(client: httpx.Client, host: AppHost) -> None:
    r = client.get("/users/", headers=_auth(host))
    assert r.status_code == 200, f"GET /users/ should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == {"q": None, "skip": 0, "limit": 100, "users": ["alice", "bob", "carol", "dave", "erin"]}, (
        f"GET /users/ without parameters should list every username in the order of USERS, got {r.json()}"
    )
    r = client.get("/users/", params={"q": "a", "skip": "1", "limit": "1"}, headers=_auth(host))
    assert r.status_code == 200, f"GET /users/?q=a&skip=1&limit=1 should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == {"q": "a", "skip": 1, "limit": 1, "users": ["carol"]}, (
        "GET /users/?q=a&skip=1&limit=1 should filter by q first, then skip 1 and keep at most 1 "
        f"(alice, carol, dave -> carol), got {r.json()}"
    )


@pytest.mark.contract("q10.4")
def test_users_filter_is_case_sensitive(client: httpx.Client, host: AppHost) -> None:
    # The usernames of USERS are all lower case: "containing q" is a plain substring test, so an upper-case q
    # matches nothing, and a q whose case differs only in part matches nothing either.
    lower = client.get("/users/", params={"q": "a"}, headers=_auth(host))
    assert lower.status_code == 200, f"GET /users/?q=a should answer 200, got {lower.status_code}: {lower.text}"
    assert lower.json().get("users") == ["alice", "carol", "dave"], (
        f"GET /users/?q=a should list alice, carol, dave, got {lower.json()}"
    )
    for q in ("A", "E", "Al", "aLi", "ERIN", "Bob"):
        r = client.get("/users/", params={"q": q}, headers=_auth(host))
        assert r.status_code == 200, f"GET /users/?q={q} should answer 200, got {r.status_code}: {r.text}"
        assert r.json() == {"q": q, "skip": 0, "limit": 100, "users": []}, (
            f"GET /users/?q={q} should list no one: the usernames are lower case and 'containing q' is "
            f"case-sensitive, got {r.json()}"
        )


@pytest.mark.contract("q10.4")
def test_users_route_takes_its_parameters_from_common_query_params(client: httpx.Client, host: AppHost) -> None:
    plain = client.get("/users/", headers=_auth(host))
    assert plain.status_code == 200, f"GET /users/ should answer 200, got {plain.status_code}: {plain.text}"
    assert host.kind("CommonQueryParams") == "class", "CommonQueryParams should be a class"
    host.helper("q10.override_params", q=None, skip=3, limit=1, by="init")
    try:
        r = client.get("/users/", params={"skip": "0", "limit": "50"}, headers=_auth(host))
    finally:
        host.helper("common.clear_overrides")
    assert r.status_code == 200, f"GET /users/ should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == {"q": None, "skip": 3, "limit": 1, "users": ["dave"]}, (
        "GET /users/ should receive its parameters through Depends(CommonQueryParams): with that dependency "
        "overridden to CommonQueryParams(q=None, skip=3, limit=1) it should list only dave, "
        f"got {r.json()}"
    )


@pytest.mark.contract("q10.4")
def test_users_route_reads_the_attributes_q_skip_limit(client: httpx.Client, host: AppHost) -> None:
    plain = client.get("/users/", headers=_auth(host))
    assert plain.status_code == 200, f"GET /users/ should answer 200, got {plain.status_code}: {plain.text}"
    host.helper("q10.override_params", q="r", skip=1, limit=2, by="attributes")
    try:
        r = client.get("/users/", params={"q": "zzz", "skip": "0", "limit": "50"}, headers=_auth(host))
    finally:
        host.helper("common.clear_overrides")
    assert r.status_code == 200, (
        "with CommonQueryParams overridden by an instance whose attributes q, skip, limit were set to "
        f"'r', 1, 2, GET /users/ should answer 200, got {r.status_code}: {r.text}"
    )
    assert r.json() == {"q": "r", "skip": 1, "limit": 2, "users": ["erin"]}, (
        "CommonQueryParams should keep its values as the attributes q, skip and limit, and GET /users/ should "
        "use them: with an instance whose attributes were set to q='r', skip=1, limit=2 it should list "
        f"(carol, erin -> erin), got {r.json()}"
    )


@pytest.mark.contract("q10.2")
def test_every_route_refuses_a_missing_token(client: httpx.Client, host: AppHost) -> None:
    for path in ROUTES:
        ok = client.get(path, headers=_auth(host, "alice"))
        assert ok.status_code == 200, f"GET {path} with a valid X-Token should answer 200, got {ok.status_code}"
        r = client.get(path, headers={"X-User": "alice"})
        assert r.status_code == 401, f"GET {path} without X-Token should answer 401, got {r.status_code}: {r.text}"
        assert r.json() == {"detail": "Invalid X-Token header"}, (
            f'GET {path} without X-Token should answer {{"detail": "Invalid X-Token header"}}, got {r.json()}'
        )


@pytest.mark.contract("q10.2")
def test_every_route_refuses_a_wrong_token(client: httpx.Client, host: AppHost) -> None:
    for path in ROUTES:
        ok = client.get(path, headers=_auth(host, "alice"))
        assert ok.status_code == 200, f"GET {path} with a valid X-Token should answer 200, got {ok.status_code}"
        r = client.get(path, headers={"X-Token": "not-the-token", "X-User": "alice"})
        assert r.status_code == 401, f"GET {path} with a wrong X-Token should answer 401, got {r.status_code}: {r.text}"
        assert r.json() == {"detail": "Invalid X-Token header"}, (
            f'GET {path} with a wrong X-Token should answer {{"detail": "Invalid X-Token header"}}, got {r.json()}'
        )


@pytest.mark.contract("q10.2")
def test_only_the_exact_token_is_accepted(client: httpx.Client, host: AppHost) -> None:
    token = host.fact("API_TOKEN")
    assert isinstance(token, str) and len(token) > 1, f"API_TOKEN should be a non-empty string, got {token!r}"
    # "equal to API_TOKEN": a longer value that starts with it, a shorter one it starts with, or another case of it
    # is another token.
    near_misses = {
        "API_TOKEN with a suffix": token + "x",
        "API_TOKEN twice": token + token,
        "API_TOKEN without its last character": token[:-1],
        "the first half of API_TOKEN": token[: len(token) // 2],
        "API_TOKEN after a prefix": "x" + token,
        "API_TOKEN in upper case": token.upper(),
        "API_TOKEN with its case swapped": token.swapcase(),
    }
    for path in ROUTES:
        ok = client.get(path, headers=_auth(host, "alice"))
        assert ok.status_code == 200, f"GET {path} with X-Token: API_TOKEN should answer 200, got {ok.status_code}"
        for what, value in near_misses.items():
            if value == token:
                continue  # a token without letters has no other case
            r = client.get(path, headers={"X-Token": value, "X-User": "alice"})
            assert r.status_code == 401, (
                f"GET {path} with X-Token {value!r} ({what}) should answer 401: only a value equal to API_TOKEN "
                f"is accepted, got {r.status_code}: {r.text}"
            )
            assert r.json() == {"detail": "Invalid X-Token header"}, (
                f'GET {path} with X-Token {value!r} ({what}) should answer {{"detail": "Invalid X-Token header"}}, '
                f"got {r.json()}"
            )


@pytest.mark.contract("q10.2")
def test_token_guard_can_be_overridden(client: httpx.Client, host: AppHost) -> None:
    refused = client.get("/items/")
    assert refused.status_code == 401, f"GET /items/ without X-Token should answer 401, got {refused.status_code}"
    host.helper("common.override", dependency="verify_token", value=None)
    try:
        r = client.get("/items/")
        me = client.get("/users/me", headers={"X-User": "alice"})
    finally:
        host.helper("common.clear_overrides")
    assert r.status_code == 200, (
        "with app.dependency_overrides[verify_token] set, GET /items/ without X-Token should answer 200 "
        f"(the guard must be the verify_token dependency), got {r.status_code}: {r.text}"
    )
    assert me.status_code == 200, (
        f"with verify_token overridden, GET /users/me should answer 200, got {me.status_code}: {me.text}"
    )
    again = client.get("/items/")
    assert again.status_code == 401, (
        f"after clearing the overrides the guard should apply again, got {again.status_code}"
    )


@pytest.mark.contract("q10.5", "q10.6")
def test_me_answers_the_user_named_by_the_header(client: httpx.Client, host: AppHost) -> None:
    r = client.get("/users/me", headers=_auth(host, "alice"))
    assert r.status_code == 200, f"GET /users/me as alice should answer 200, got {r.status_code}: {r.text}"
    body = r.json()
    assert body.get("username") == "alice", f"GET /users/me as alice should answer username alice, got {body}"
    assert body.get("full_name") == "Alice Liddell", f"GET /users/me as alice should answer her full_name, got {body}"
    assert body == {"username": "alice", "full_name": "Alice Liddell"}, (
        f"GET /users/me should answer exactly username and full_name, nothing else, got {body}"
    )
    r = client.get("/users/me", headers=_auth(host, "dave"))
    assert r.status_code == 200, f"GET /users/me as dave should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == {"username": "dave", "full_name": "Dave Grohl"}, f"GET /users/me as dave, got {r.json()}"


@pytest.mark.contract("q10.5")
def test_unknown_or_missing_user_is_401(client: httpx.Client, host: AppHost) -> None:
    ok = client.get("/users/me", headers=_auth(host, "alice"))
    assert ok.status_code == 200, f"GET /users/me as alice should answer 200, got {ok.status_code}"
    for headers, what in ((_auth(host, "mallory"), "an unknown X-User"), (_auth(host), "no X-User")):
        for path in ("/users/me", "/users/me/items"):
            r = client.get(path, headers=headers)
            assert r.status_code == 401, f"GET {path} with {what} should answer 401, got {r.status_code}: {r.text}"
            assert r.json() == {"detail": "Unknown user"}, (
                f'GET {path} with {what} should answer {{"detail": "Unknown user"}}, got {r.json()}'
            )


@pytest.mark.contract("q10.5", "q10.6", "q10.7")
def test_disabled_user_is_403(client: httpx.Client, host: AppHost) -> None:
    ok = client.get("/users/me", headers=_auth(host, "alice"))
    assert ok.status_code == 200, f"GET /users/me as alice should answer 200, got {ok.status_code}"
    for path in ("/users/me", "/users/me/items"):
        r = client.get(path, headers=_auth(host, "bob"))
        assert r.status_code == 403, f"GET {path} as the disabled user bob should answer 403, got {r.status_code}"
        assert r.json() == {"detail": "Inactive user"}, (
            f'GET {path} as bob should answer {{"detail": "Inactive user"}}, got {r.json()}'
        )


@pytest.mark.contract("q10.7")
def test_my_items_lists_only_the_users_items(client: httpx.Client, host: AppHost) -> None:
    r = client.get("/users/me/items", headers=_auth(host, "alice"))
    assert r.status_code == 200, f"GET /users/me/items as alice should answer 200, got {r.status_code}: {r.text}"
    assert r.json() == [
        {"name": "Rabbit hole", "owner": "alice"},
        {"name": "Looking glass", "owner": "alice"},
    ], f"GET /users/me/items as alice should list exactly her two items, got {r.json()}"
    r = client.get("/users/me/items", headers=_auth(host, "carol"))
    assert r.status_code == 200, f"GET /users/me/items as carol should answer 200, got {r.status_code}"
    assert r.json() == [], f"carol owns nothing: GET /users/me/items should answer [], got {r.json()}"


@pytest.mark.contract("q10.5", "q10.7")
def test_one_request_opens_one_session(client: httpx.Client, host: AppHost) -> None:
    # open_session is replaced by a fake that forwards each call to the judge, who counts the calls and answers
    # with a user and an item the app cannot guess: a response naming them proves the session is the judge's.
    name, title = f"u{uuid.uuid4().hex[:12]}", f"Item {uuid.uuid4().hex}"
    users = {name: {"username": name, "full_name": f"Full {name}", "disabled": False}}
    items = [{"name": title, "owner": name}, {"name": "Not mine", "owner": "someone-else"}]
    host.serve("q10.open_session", lambda: {"users": users, "items": items})
    host.helper("q10.forward_open_session", service="q10.open_session")
    expected = {
        "/users/me/items": [{"name": title, "owner": name}],
        "/users/me": {"username": name, "full_name": f"Full {name}"},
    }
    for path, body in expected.items():
        before = len(host.service_calls("q10.open_session"))
        r = client.get(path, headers=_auth(host, name))
        assert r.status_code == 200, (
            f"GET {path} as the user of the session open_session() returned should answer 200 "
            f"(users must be looked up through get_db -> open_session()), got {r.status_code}: {r.text}"
        )
        assert r.json() == body, f"GET {path} should answer from the session open_session() returned, got {r.json()}"
        calls = len(host.service_calls("q10.open_session")) - before
        assert calls == 1, (
            f"GET {path} should open exactly one session through get_db -> open_session(); it opened {calls} "
            "(a dependency used twice in one request must be reused, not called again)"
        )


@pytest.mark.contract("q10.5", "q10.8")
def test_overriding_get_db_reaches_the_user_dependencies(client: httpx.Client, host: AppHost) -> None:
    ok = client.get("/users/me", headers=_auth(host, "alice"))
    assert ok.status_code == 200, f"GET /users/me as alice should answer 200, got {ok.status_code}"
    users = {"zed": {"username": "zed", "full_name": "Zed Shaw", "disabled": False}}
    items = [{"name": "Hard way", "owner": "zed"}]
    host.helper("common.override", dependency="get_db", factory="FakeSession", kwargs={"users": users, "items": items})
    try:
        me = client.get("/users/me", headers=_auth(host, "zed"))
        mine = client.get("/users/me/items", headers=_auth(host, "zed"))
        alice = client.get("/users/me", headers=_auth(host, "alice"))
    finally:
        host.helper("common.clear_overrides")
    assert me.status_code == 200 and me.json().get("full_name") == "Zed Shaw", (
        "with get_db overridden by a session that holds user zed, GET /users/me as zed should answer zed "
        f"(get_current_user must look users up through the session from get_db), got {me.status_code}: {me.text}"
    )
    assert mine.status_code == 200 and mine.json() == items, (
        "with get_db overridden, GET /users/me/items as zed should list zed's items, "
        f"got {mine.status_code}: {mine.text}"
    )
    assert alice.status_code == 401, (
        "with get_db overridden by a session without alice, GET /users/me as alice should answer 401, "
        f"got {alice.status_code}"
    )
