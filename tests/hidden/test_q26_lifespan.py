"""Hidden tests for q26: lifespan events (start-up and shutdown, in order, with a resource used by a route)."""

import warnings
from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

OPENED = ["pool opened", "cache opened"]
FULL_RUN = ["pool opened", "cache opened", "cache closed", "pool closed"]


def get_user(client: TestClient, user_id: int) -> dict[str, object]:
    response = client.get(f"/users/{user_id}")
    assert response.status_code == 200, (
        f"GET /users/{user_id} should answer 200, got {response.status_code}: {response.text}"
    )
    return response.json()


def test_nothing_is_opened_before_startup(target_module: ModuleType) -> None:
    assert target_module.events == [], f"importing the module should open nothing, events = {target_module.events}"
    client = TestClient(target_module.app)
    assert target_module.events == [], f"creating a TestClient should open nothing yet, events = {target_module.events}"
    with client:
        assert target_module.events == OPENED, (
            f"at start-up the pool then the cache should be opened: expected events {OPENED}, "
            f"got {target_module.events}"
        )


def test_startup_runs_before_the_first_request(target_module: ModuleType) -> None:
    with TestClient(target_module.app) as client:
        started = list(target_module.events)
        get_user(client, 1)
    assert started == OPENED, (
        f"before the first request, events should be {OPENED} (opened by the lifespan, not lazily), got {started}"
    )


def test_resources_are_shared_by_all_requests(target_module: ModuleType) -> None:
    with TestClient(target_module.app) as client:
        for user_id in (1, 2, 1, 3, 2, 1):
            get_user(client, user_id)
        assert client.get("/users/99").status_code == 404, "GET /users/99 should answer 404"
        during = list(target_module.events)
    assert during == OPENED, (
        "one pool and one cache should serve every request, and nothing should be closed while the app runs: "
        f"after several requests events should still be {OPENED}, got {during}"
    )


def test_shutdown_closes_cache_then_pool(target_module: ModuleType) -> None:
    with TestClient(target_module.app) as client:
        get_user(client, 1)
    assert target_module.events == FULL_RUN, (
        f"a full run should record {FULL_RUN} (the cache closed before the pool), got {target_module.events}"
    )


def test_user_is_read_from_the_pool_first(client: TestClient) -> None:
    body = get_user(client, 1)
    assert body == {"id": 1, "name": "Ada", "source": "db"}, (
        f'the first GET /users/1 should answer {{"id": 1, "name": "Ada", "source": "db"}}, got {body}'
    )


def test_repeated_user_is_served_from_the_cache(client: TestClient) -> None:
    first = get_user(client, 2)
    second = get_user(client, 2)
    other = get_user(client, 1)
    assert first == {"id": 2, "name": "Grace", "source": "db"}, (
        f'the first GET /users/2 should come from "db", got {first}'
    )
    assert second == {"id": 2, "name": "Grace", "source": "cache"}, (
        f'the second GET /users/2 should come from "cache" (one cache for the whole run), got {second}'
    )
    assert other == {"id": 1, "name": "Ada", "source": "db"}, (
        f'the first GET /users/1 should come from "db", got {other}'
    )


def test_unknown_user_is_404(client: TestClient) -> None:
    get_user(client, 1)
    response = client.get("/users/99")
    assert response.status_code == 404, f"GET /users/99 should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "User not found"}, (
        f'GET /users/99 should answer {{"detail": "User not found"}}, got {response.json()}'
    )


def test_app_restarts_with_fresh_resources(target_module: ModuleType) -> None:
    app = target_module.app
    with TestClient(app) as client:
        get_user(client, 1)
        assert get_user(client, 1)["source"] == "cache", 'the second GET /users/1 should come from "cache"'
    with TestClient(app) as client:
        again = get_user(client, 1)
    assert again == {"id": 1, "name": "Ada", "source": "db"}, (
        f'after a restart, GET /users/1 should work and come from "db" (a fresh, empty cache), got {again}'
    )
    assert target_module.events == FULL_RUN + FULL_RUN, (
        f"two runs should record the full cycle twice, {FULL_RUN} each, got {target_module.events}"
    )


def test_failed_startup_closes_what_was_opened(target_module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken_open(cls: type) -> object:
        raise RuntimeError("cache unavailable")

    monkeypatch.setattr(target_module.Cache, "open", classmethod(broken_open))
    with pytest.raises(RuntimeError, match="cache unavailable"), TestClient(target_module.app):
        pytest.fail("the app started although Cache.open() raised")
    assert target_module.events == ["pool opened", "pool closed"], (
        "when the cache cannot be opened, start-up should fail and the pool already opened should be closed: "
        f'expected events ["pool opened", "pool closed"], got {target_module.events}'
    )


def test_no_deprecation_warning(load_target: Callable[[], ModuleType]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = load_target()
        with TestClient(module.app) as client:
            get_user(client, 1)
    deprecations = [str(w.message).strip().split("\n")[0] for w in caught if issubclass(w.category, DeprecationWarning)]
    assert not deprecations, (
        f"importing and running the app should emit no DeprecationWarning (no on_event): {deprecations}"
    )
    assert module.events == FULL_RUN, f"a full run should record {FULL_RUN}, got {module.events}"
