"""Hidden tests for q22: database sessions.

Nothing these tests assert is computed beside the module. Where a test needs to know where a route's session
came from, it hands the app sessions (through ``SessionLocal`` or a ``get_db`` override) on a SQLite file it
prepared itself, holding a user with an email the module cannot guess, and reads the file after the response.
Those sessions take the file's write lock as soon as they begin; after every response the judge locks the file
itself, which it can do only if the app ended the request's session.
"""

import contextlib
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost, HostOptions
from grader.judge.fixtures import StartHost

ALICE = {"email": "alice@example.com", "name": "Alice"}
BOB = {"email": "bob@example.com", "name": "Bob"}
CAROL = {"email": "carol@example.com", "name": "Carol"}


# The module runs in the host's scratch folder (its working directory): relative SQLite paths land there.
# Not the module's default file name, so a module that ignores DATABASE_URL writes somewhere else.
DB_FILE = "test_users.sqlite"
OTHER_DB_FILE = "other_users.sqlite"
JUDGE_DB_FILE = "judge_users.sqlite"  # the database of the sessions the tests hand out


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


@pytest.fixture
def folder(host: AppHost, host_options: HostOptions) -> Path:
    """Where the module's relative paths land: the host's scratch folder (this process's own folder when the
    module runs in it, ``--in-process``)."""
    if host_options.in_process:
        return Path.cwd()
    assert host.scratch is not None, "the host has no scratch folder"
    return host.scratch


def _judge_database(path: Path) -> dict[str, Any]:
    """Create the users table (as the given model declares it) at ``path`` with one user the module cannot guess."""
    user = {"id": 1, "email": f"judge-{uuid.uuid4().hex}@example.com", "name": "Judge"}
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(
            "CREATE TABLE users (id INTEGER NOT NULL, email VARCHAR(255) NOT NULL, name VARCHAR(100) NOT NULL, "
            "PRIMARY KEY (id), UNIQUE (email))"
        )
        db.execute("INSERT INTO users (id, email, name) VALUES (:id, :email, :name)", user)
        db.commit()
    return user


def _stored_emails(path: Path) -> list[str]:
    """The emails stored in the SQLite file ``path``, read by the judge (read-only), in id order."""
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)) as db:
        db.execute("PRAGMA trusted_schema = OFF")
        return [row[0] for row in db.execute("SELECT email FROM users ORDER BY id")]


def _unlocked(path: Path) -> bool:
    """Whether the judge can take the write lock of ``path`` at once (no session of the app still holds it)."""
    with contextlib.closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as db:
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        db.execute("ROLLBACK")
        return True


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
def test_batch_answers_in_the_order_sent_not_sorted(api: httpx.Client) -> None:
    # Neither sorted nor reverse-sorted by email or by name, and the two orders differ: only the order sent fits.
    batch = [
        {"email": "mia@example.com", "name": "Zed"},
        {"email": "dan@example.com", "name": "Amy"},
        {"email": "tom@example.com", "name": "Kim"},
        {"email": "eve@example.com", "name": "Bea"},
    ]
    response = api.post("/users/batch", json=batch)
    assert response.status_code == 201, f"POST /users/batch should answer 201, got {response.status_code}"
    body = response.json()
    assert isinstance(body, list) and [{"email": u.get("email"), "name": u.get("name")} for u in body] == batch, (
        f"POST /users/batch should answer the created users in the order they were sent ({batch}), got {body}"
    )
    assert all(isinstance(user.get("id"), int) for user in body), f"each created user needs an integer id: {body}"
    assert len({user["id"] for user in body}) == len(batch), f"each created user needs its own id: {body}"


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
def test_data_lives_in_the_database_url(host: AppHost, folder: Path) -> None:
    with host.client() as first:
        _create(first, ALICE)
    stored = folder / DB_FILE
    assert stored.is_file() and stored.stat().st_size > 0, (
        f"the users should be stored in the DATABASE_URL file ({_url(DB_FILE)}), but that file "
        + ("is empty" if stored.is_file() else "was not created")
    )
    assert _stored_emails(stored) == [ALICE["email"]], (
        f"the DATABASE_URL file ({_url(DB_FILE)}) should hold Alice, it holds {_stored_emails(stored)}"
    )
    host.load()
    with host.client() as same_database:
        assert _emails(same_database) == [ALICE["email"]], "a new import with the same DATABASE_URL should see Alice"
    host.helper("q22.set_env", name="DATABASE_URL", value=_url(OTHER_DB_FILE))
    host.load()
    with host.client() as other_database:
        assert _emails(other_database) == [], "an import with another DATABASE_URL should start with no users"


@pytest.mark.contract("q22.3")
def test_every_request_closes_its_session(host: AppHost, api: httpx.Client, folder: Path) -> None:
    database = folder / JUDGE_DB_FILE
    judge = _judge_database(database)
    host.helper("q22.install_session_local", url=_url(JUDGE_DB_FILE))
    listed = api.get("/users/")
    assert listed.status_code == 200, f"GET /users/ should answer 200, got {listed.status_code}: {listed.text}"
    assert [user["email"] for user in listed.json()] == [judge["email"]], (
        "each request should get its session by calling the module's SessionLocal() at request time: the tests' "
        f"SessionLocal holds one user ({judge['email']}), GET /users/ listed {listed.text}"
    )
    assert _unlocked(database), "GET /users/ left its session open (it still holds the database)"
    created = _create(api, ALICE)
    assert _unlocked(database), "POST /users/ left its session open (it still holds the database)"
    assert _stored_emails(database) == [judge["email"], ALICE["email"]], (
        "POST /users/ should store Alice through the session SessionLocal() gave it"
    )
    requests: list[tuple[str, str, Any, int]] = [
        ("GET", f"/users/{created['id']}", None, 200),
        ("GET", "/users/424242", None, 404),
        ("POST", "/users/", ALICE, 409),
        ("POST", "/users/batch", [BOB, BOB], 409),
    ]
    for method, path, body, status in requests:
        response = api.request(method, path, json=body)
        assert response.status_code == status, f"{method} {path} should answer {status}, got {response.status_code}"
        assert _unlocked(database), (
            f"{method} {path} ({status}) left its session open: it still holds the database after the response "
            "(get_db must close the session when the request ends, 4xx responses included)"
        )
    assert _stored_emails(database) == [judge["email"], ALICE["email"]], "the 409s should have stored nothing"


@pytest.mark.contract("q22.3", "q22.8")
def test_session_is_closed_and_nothing_stored_when_commit_fails(host: AppHost, folder: Path) -> None:
    database = folder / JUDGE_DB_FILE
    judge = _judge_database(database)
    with host.client(raise_server_exceptions=False) as api:
        host.helper("q22.install_session_local", url=_url(JUDGE_DB_FILE), fail_on_commit=True)
        response = api.post("/users/", json=ALICE)
        assert response.status_code == 500, (
            f"an unexpected failure during commit should answer 500, got {response.status_code}: {response.text}"
        )
        assert _unlocked(database), (
            "the session must be closed even when the request fails with an exception: after the 500 it still "
            "holds the database"
        )
        stored = _stored_emails(database)
        assert stored == [judge["email"]], f"a failed commit must store nothing, the database holds {stored}"


@pytest.mark.contract("q22.3")
def test_routes_get_their_session_from_get_db(host: AppHost, api: httpx.Client, folder: Path) -> None:
    database = folder / JUDGE_DB_FILE
    judge = _judge_database(database)
    host.helper("q22.override_get_db", url=_url(JUDGE_DB_FILE))
    try:
        assert api.post("/users/", json=ALICE).status_code == 201, "POST /users/ should answer 201"
        assert _stored_emails(database) == [judge["email"], ALICE["email"]], (
            "POST /users/ should store Alice through the session of the get_db dependency (the tests' override)"
        )
        assert api.post("/users/batch", json=[BOB]).status_code == 201, "POST /users/batch should answer 201"
        assert _stored_emails(database) == [judge["email"], ALICE["email"], BOB["email"]], (
            "POST /users/batch should store Bob through the session of the get_db dependency (the tests' override)"
        )
        listed = api.get("/users/")
        assert listed.status_code == 200, f"GET /users/ should answer 200, got {listed.status_code}"
        assert [user["email"] for user in listed.json()] == [judge["email"], ALICE["email"], BOB["email"]], (
            f"GET /users/ should read through the session of the get_db dependency (the tests' override), got "
            f"{listed.text}"
        )
        one = api.get("/users/1")
        assert one.status_code == 200 and one.json() == judge, (
            f"GET /users/{{id}} should read through the session of the get_db dependency (the tests' override): "
            f"user 1 there is {judge}, got {one.status_code}: {one.text}"
        )
    finally:
        host.helper("common.clear_overrides")
