"""Hidden tests for q22: database sessions."""

from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

ALICE = {"email": "alice@example.com", "name": "Alice"}
BOB = {"email": "bob@example.com", "name": "Bob"}
CAROL = {"email": "carol@example.com", "name": "Carol"}


class SessionRecorder:
    """Stands in for the module's SessionLocal: hands out real sessions and records which ones were closed."""

    def __init__(self, factory: Callable[..., Any], fail_on_commit: bool = False) -> None:
        self.factory = factory
        self.fail_on_commit = fail_on_commit
        self.opened: list[Any] = []
        self.closed: list[Any] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        session = self.factory(*args, **kwargs)
        original_close = session.close

        def close() -> None:
            self.closed.append(session)
            original_close()

        session.close = close
        if self.fail_on_commit:
            event.listen(session, "before_commit", _fail_commit)
        self.opened.append(session)
        return session

    def unclosed(self) -> int:
        return sum(1 for session in self.opened if not any(session is done for done in self.closed))


def _fail_commit(session: Any) -> None:
    raise RuntimeError("simulated database failure during commit")


def _url(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    # Not the module's default file name, so a module that ignores DATABASE_URL writes somewhere else.
    return tmp_path / "data" / "test_users.sqlite"


@pytest.fixture
def module(db_file: Path, monkeypatch: pytest.MonkeyPatch, load_target: Callable[[], ModuleType]) -> ModuleType:
    monkeypatch.setenv("DATABASE_URL", _url(db_file))
    return load_target()


@pytest.fixture
def api(module: ModuleType) -> Iterator[TestClient]:
    with TestClient(module.app) as test_client:
        yield test_client


def _create(api: TestClient, user: dict[str, str]) -> dict[str, Any]:
    response = api.post("/users/", json=user)
    assert response.status_code == 201, f"POST /users/ should answer 201, got {response.status_code}: {response.text}"
    return response.json()


def _emails(api: TestClient) -> list[str]:
    response = api.get("/users/")
    assert response.status_code == 200, f"GET /users/ should answer 200, got {response.status_code}: {response.text}"
    return [user["email"] for user in response.json()]


def test_create_user_answers_201_with_id(api: TestClient) -> None:
    body = _create(api, ALICE)
    assert isinstance(body.get("id"), int), f"the created user should carry an integer id, got {body}"
    assert body == {"id": body["id"], **ALICE}, f"POST /users/ should answer {{id, email, name}}, got {body}"


def test_missing_field_returns_422(api: TestClient) -> None:
    _create(api, ALICE)
    response = api.post("/users/", json={"email": "no-name@example.com"})
    assert response.status_code == 422, f"a user without a name should answer 422, got {response.status_code}"


def test_read_user_by_id_and_unknown_id_is_404(api: TestClient) -> None:
    created = _create(api, ALICE)
    response = api.get(f"/users/{created['id']}")
    assert response.status_code == 200, f"GET /users/{{id}} should answer 200, got {response.status_code}"
    assert response.json() == created, f"GET /users/{{id}} should answer the stored user, got {response.json()}"
    missing = api.get(f"/users/{created['id'] + 1000}")
    assert missing.status_code == 404, f"an unknown user id should answer 404, got {missing.status_code}"
    assert missing.json() == {"detail": "User not found"}, f"unexpected 404 body: {missing.json()}"


def test_list_users_in_creation_order(api: TestClient) -> None:
    created = [_create(api, user) for user in (BOB, ALICE, CAROL)]
    response = api.get("/users/")
    assert response.status_code == 200, f"GET /users/ should answer 200, got {response.status_code}"
    assert response.json() == created, f"GET /users/ should list the users in creation order, got {response.json()}"


def test_duplicate_email_returns_409_and_stores_nothing(api: TestClient) -> None:
    _create(api, ALICE)
    response = api.post("/users/", json={"email": ALICE["email"], "name": "Another Alice"})
    assert response.status_code == 409, f"a duplicate email should answer 409, got {response.status_code}"
    assert response.json() == {"detail": "Email already registered"}, f"unexpected 409 body: {response.json()}"
    users = api.get("/users/").json()
    assert [user["name"] for user in users] == ["Alice"], f"the duplicate must not be stored, users are {users}"


def test_app_keeps_working_after_a_conflict(api: TestClient) -> None:
    _create(api, ALICE)
    for _ in range(3):
        assert api.post("/users/", json=ALICE).status_code == 409, "a duplicate email should answer 409"
    _create(api, BOB)
    assert _emails(api) == [ALICE["email"], BOB["email"]], "after conflicts, new users must still be stored"


def test_batch_creates_all_users_in_order(api: TestClient) -> None:
    response = api.post("/users/batch", json=[ALICE, BOB, CAROL])
    assert response.status_code == 201, f"POST /users/batch should answer 201, got {response.status_code}"
    body = response.json()
    assert [{"email": u["email"], "name": u["name"]} for u in body] == [ALICE, BOB, CAROL], (
        f"POST /users/batch should answer the created users in order, got {body}"
    )
    assert all(isinstance(user.get("id"), int) for user in body), f"each created user needs an integer id: {body}"
    assert api.get("/users/").json() == body, "the batch's users should be listed by GET /users/"


def test_failed_batch_is_rolled_back_entirely(api: TestClient) -> None:
    _create(api, ALICE)
    response = api.post("/users/batch", json=[BOB, ALICE])
    assert response.status_code == 409, f"a batch holding a stored email should answer 409, got {response.status_code}"
    assert response.json() == {"detail": "Email already registered"}, f"unexpected 409 body: {response.json()}"
    assert _emails(api) == [ALICE["email"]], "a failed batch must store none of its users (Bob was stored)"
    response = api.post("/users/batch", json=[CAROL, {"email": CAROL["email"], "name": "Carol again"}])
    assert response.status_code == 409, f"a batch repeating an email should answer 409, got {response.status_code}"
    assert _emails(api) == [ALICE["email"]], "a failed batch must store none of its users (Carol was stored)"


def test_data_lives_in_the_database_url(
    module: ModuleType,
    db_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    load_target: Callable[[], ModuleType],
) -> None:
    with TestClient(module.app) as first:
        _create(first, ALICE)
    assert db_file.is_file() and db_file.stat().st_size > 0, "the users should be stored in the DATABASE_URL file"
    with TestClient(load_target().app) as same_database:
        assert _emails(same_database) == [ALICE["email"]], "a new import with the same DATABASE_URL should see Alice"
    monkeypatch.setenv("DATABASE_URL", _url(tmp_path / "other" / "other_users.sqlite"))
    with TestClient(load_target().app) as other_database:
        assert _emails(other_database) == [], "an import with another DATABASE_URL should start with no users"


def test_every_request_closes_its_session(module: ModuleType, api: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = SessionRecorder(module.SessionLocal)
    monkeypatch.setattr(module, "SessionLocal", recorder)
    created = _create(api, ALICE)
    assert api.get(f"/users/{created['id']}").status_code == 200, "GET /users/{id} should answer 200"
    assert api.get("/users/").status_code == 200, "GET /users/ should answer 200"
    assert api.get("/users/424242").status_code == 404, "an unknown user id should answer 404"
    assert api.post("/users/", json=ALICE).status_code == 409, "a duplicate email should answer 409"
    assert api.post("/users/batch", json=[BOB, BOB]).status_code == 409, "a batch repeating an email should answer 409"
    assert len(recorder.opened) >= 6, (
        f"each request should get a new session from SessionLocal(); 6 requests opened {len(recorder.opened)}"
    )
    assert recorder.unclosed() == 0, (
        f"{recorder.unclosed()} of {len(recorder.opened)} sessions were not closed (404 and 409 responses included)"
    )


def test_session_is_closed_and_nothing_stored_when_commit_fails(
    module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(module.app, raise_server_exceptions=False) as api:
        original = module.SessionLocal
        recorder = SessionRecorder(original, fail_on_commit=True)
        monkeypatch.setattr(module, "SessionLocal", recorder)
        response = api.post("/users/", json=ALICE)
        assert response.status_code == 500, (
            f"an unexpected failure during commit should answer 500, got {response.status_code}: {response.text}"
        )
        assert recorder.opened, "the request should have got its session from SessionLocal()"
        assert recorder.unclosed() == 0, "the session must be closed even when the request fails with an exception"
        monkeypatch.setattr(module, "SessionLocal", original)
        assert _emails(api) == [], "a failed commit must store nothing"


def test_routes_get_their_session_from_get_db(module: ModuleType, api: TestClient) -> None:
    handed_out: list[Any] = []

    def override() -> Iterator[Any]:
        session = module.SessionLocal()
        handed_out.append(session)
        try:
            yield session
        finally:
            session.close()

    module.app.dependency_overrides[module.get_db] = override
    try:
        requests: list[tuple[str, Callable[[], Any]]] = [
            ("POST /users/", lambda: api.post("/users/", json=ALICE)),
            ("POST /users/batch", lambda: api.post("/users/batch", json=[BOB])),
            ("GET /users/", lambda: api.get("/users/")),
            ("GET /users/{id}", lambda: api.get("/users/1")),
        ]
        for label, send in requests:
            before = len(handed_out)
            response = send()
            assert response.status_code in (200, 201), f"{label} should succeed, got {response.status_code}"
            assert len(handed_out) > before, f"{label} should get its session through the get_db dependency"
    finally:
        module.app.dependency_overrides.clear()
