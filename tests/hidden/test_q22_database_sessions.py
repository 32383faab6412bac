"""Hidden tests for q22: database sessions."""

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from grader.bridge import AppHost
from grader.fixtures import StartHost

ALICE = {"email": "alice@example.com", "name": "Alice"}
BOB = {"email": "bob@example.com", "name": "Bob"}
CAROL = {"email": "carol@example.com", "name": "Carol"}


# The module runs in the host's scratch folder (its working directory): relative SQLite paths land there.
# Not the module's default file name, so a module that ignores DATABASE_URL writes somewhere else.
DB_FILE = "test_users.sqlite"
OTHER_DB_FILE = "other_users.sqlite"


def _url(path: str) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def host(start_host: StartHost) -> AppHost:
    """The module, imported with DATABASE_URL pointing at a fresh SQLite file."""
    return start_host(env={"DATABASE_URL": _url(DB_FILE)})


@pytest.fixture
def api(host: AppHost) -> Iterator[httpx.Client]:
    with host.client() as test_client:
        yield test_client


def _create(api: httpx.Client, user: dict[str, str]) -> dict[str, Any]:
    response = api.post("/users/", json=user)
    assert response.status_code == 201, f"POST /users/ should answer 201, got {response.status_code}: {response.text}"
    return response.json()


def _emails(api: httpx.Client) -> list[str]:
    response = api.get("/users/")
    assert response.status_code == 200, f"GET /users/ should answer 200, got {response.status_code}: {response.text}"
    return [user["email"] for user in response.json()]


@pytest.mark.contract("q22.2")
def test_tables_exist_before_anything_is_written(api: httpx.Client) -> None:
    response = api.get("/users/")
    assert response.status_code == 200, (
        f"GET /users/ on a fresh database should answer 200 (the tables exist once the app has started), "
        f"got {response.status_code}: {response.text}"
    )
    assert response.json() == [], f"a fresh database should list no users, got {response.json()}"
    missing = api.get("/users/1")
    assert missing.status_code == 404, f"GET /users/1 on a fresh database should answer 404, got {missing.status_code}"


@pytest.mark.contract("q22.4")
def test_create_user_answers_201_with_id(api: httpx.Client) -> None:
    body = _create(api, ALICE)
    assert isinstance(body.get("id"), int), f"the created user should carry an integer id, got {body}"
    assert body == {"id": body["id"], **ALICE}, f"POST /users/ should answer {{id, email, name}}, got {body}"


@pytest.mark.contract("q22.4")
def test_missing_field_returns_422(api: httpx.Client) -> None:
    _create(api, ALICE)
    response = api.post("/users/", json={"email": "no-name@example.com"})
    assert response.status_code == 422, f"a user without a name should answer 422, got {response.status_code}"


@pytest.mark.contract("q22.7")
def test_read_user_by_id_and_unknown_id_is_404(api: httpx.Client) -> None:
    created = _create(api, ALICE)
    response = api.get(f"/users/{created['id']}")
    assert response.status_code == 200, f"GET /users/{{id}} should answer 200, got {response.status_code}"
    assert response.json() == created, f"GET /users/{{id}} should answer the stored user, got {response.json()}"
    missing = api.get(f"/users/{created['id'] + 1000}")
    assert missing.status_code == 404, f"an unknown user id should answer 404, got {missing.status_code}"
    assert missing.json() == {"detail": "User not found"}, f"unexpected 404 body: {missing.json()}"


@pytest.mark.contract("q22.6")
def test_list_users_in_creation_order(api: httpx.Client) -> None:
    created = [_create(api, user) for user in (BOB, ALICE, CAROL)]
    response = api.get("/users/")
    assert response.status_code == 200, f"GET /users/ should answer 200, got {response.status_code}"
    assert response.json() == created, f"GET /users/ should list the users in creation order, got {response.json()}"


@pytest.mark.contract("q22.4")
def test_duplicate_email_returns_409_and_stores_nothing(api: httpx.Client) -> None:
    _create(api, ALICE)
    response = api.post("/users/", json={"email": ALICE["email"], "name": "Another Alice"})
    assert response.status_code == 409, f"a duplicate email should answer 409, got {response.status_code}"
    assert response.json() == {"detail": "Email already registered"}, f"unexpected 409 body: {response.json()}"
    users = api.get("/users/").json()
    assert [user["name"] for user in users] == ["Alice"], f"the duplicate must not be stored, users are {users}"


@pytest.mark.contract("q22.4")
def test_app_keeps_working_after_a_conflict(api: httpx.Client) -> None:
    _create(api, ALICE)
    for _ in range(3):
        assert api.post("/users/", json=ALICE).status_code == 409, "a duplicate email should answer 409"
    _create(api, BOB)
    assert _emails(api) == [ALICE["email"], BOB["email"]], "after conflicts, new users must still be stored"


@pytest.mark.contract("q22.5")
def test_batch_creates_all_users_in_order(api: httpx.Client) -> None:
    response = api.post("/users/batch", json=[ALICE, BOB, CAROL])
    assert response.status_code == 201, f"POST /users/batch should answer 201, got {response.status_code}"
    body = response.json()
    assert [{"email": u["email"], "name": u["name"]} for u in body] == [ALICE, BOB, CAROL], (
        f"POST /users/batch should answer the created users in order, got {body}"
    )
    assert all(isinstance(user.get("id"), int) for user in body), f"each created user needs an integer id: {body}"
    assert api.get("/users/").json() == body, "the batch's users should be listed by GET /users/"


@pytest.mark.contract("q22.5")
def test_failed_batch_is_rolled_back_entirely(api: httpx.Client) -> None:
    _create(api, ALICE)
    response = api.post("/users/batch", json=[BOB, ALICE])
    assert response.status_code == 409, f"a batch holding a stored email should answer 409, got {response.status_code}"
    assert response.json() == {"detail": "Email already registered"}, f"unexpected 409 body: {response.json()}"
    assert _emails(api) == [ALICE["email"]], "a failed batch must store none of its users (Bob was stored)"
    response = api.post("/users/batch", json=[CAROL, {"email": CAROL["email"], "name": "Carol again"}])
    assert response.status_code == 409, f"a batch repeating an email should answer 409, got {response.status_code}"
    assert _emails(api) == [ALICE["email"]], "a failed batch must store none of its users (Carol was stored)"


@pytest.mark.contract("q22.1", "q22.2")
def test_data_lives_in_the_database_url(host: AppHost) -> None:
    with host.client() as first:
        _create(first, ALICE)
    stored = host.helper("q22.file", path=DB_FILE)
    assert stored["is_file"] and stored["size"] > 0, (
        f"the users should be stored in the DATABASE_URL file ({_url(DB_FILE)}), but that file "
        + ("is empty" if stored["is_file"] else "was not created")
    )
    host.load()
    with host.client() as same_database:
        assert _emails(same_database) == [ALICE["email"]], "a new import with the same DATABASE_URL should see Alice"
    host.helper("q22.set_env", name="DATABASE_URL", value=_url(OTHER_DB_FILE))
    host.load()
    with host.client() as other_database:
        assert _emails(other_database) == [], "an import with another DATABASE_URL should start with no users"


@pytest.mark.contract("q22.3")
def test_every_request_closes_its_session(host: AppHost, api: httpx.Client) -> None:
    host.helper("q22.record_sessions")
    created = _create(api, ALICE)
    assert api.get(f"/users/{created['id']}").status_code == 200, "GET /users/{id} should answer 200"
    assert api.get("/users/").status_code == 200, "GET /users/ should answer 200"
    assert api.get("/users/424242").status_code == 404, "an unknown user id should answer 404"
    assert api.post("/users/", json=ALICE).status_code == 409, "a duplicate email should answer 409"
    assert api.post("/users/batch", json=[BOB, BOB]).status_code == 409, "a batch repeating an email should answer 409"
    recorded = host.helper("q22.recorded_sessions")
    assert recorded["opened"] >= 6, (
        f"each request should get a new session from SessionLocal(); 6 requests opened {recorded['opened']}"
    )
    assert recorded["unclosed"] == 0, (
        f"{recorded['unclosed']} of {recorded['opened']} sessions were not closed (404 and 409 responses included)"
    )


@pytest.mark.contract("q22.3", "q22.8")
def test_session_is_closed_and_nothing_stored_when_commit_fails(host: AppHost) -> None:
    with host.client(raise_server_exceptions=False) as api:
        host.helper("q22.record_sessions", fail_on_commit=True)
        response = api.post("/users/", json=ALICE)
        assert response.status_code == 500, (
            f"an unexpected failure during commit should answer 500, got {response.status_code}: {response.text}"
        )
        recorded = host.helper("q22.recorded_sessions")
        assert recorded["opened"], "the request should have got its session from SessionLocal()"
        assert recorded["unclosed"] == 0, (
            "the session must be closed even when the request fails with an exception "
            f"({recorded['unclosed']} of {recorded['opened']} left open)"
        )
        host.helper("q22.restore_session_local")
        assert _emails(api) == [], "a failed commit must store nothing"


@pytest.mark.contract("q22.3")
def test_routes_get_their_session_from_get_db(host: AppHost, api: httpx.Client) -> None:
    host.helper("q22.override_get_db")
    try:
        requests: list[tuple[str, Callable[[], Any]]] = [
            ("POST /users/", lambda: api.post("/users/", json=ALICE)),
            ("POST /users/batch", lambda: api.post("/users/batch", json=[BOB])),
            ("GET /users/", lambda: api.get("/users/")),
            ("GET /users/{id}", lambda: api.get("/users/1")),
        ]
        for label, send in requests:
            before = host.helper("q22.handed_out")
            response = send()
            assert response.status_code in (200, 201), f"{label} should succeed, got {response.status_code}"
            assert host.helper("q22.handed_out") > before, (
                f"{label} should get its session through the get_db dependency"
            )
    finally:
        host.helper("common.clear_overrides")
