"""Public checks for q26: a lifespan that opens and closes a pool and a cache, as tests you can read and run.

`fastlings check 26` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, restarting the app included.

The module's ``events`` list is how the checks watch start-up and shutdown, as the contract says.
"""

from types import ModuleType

import pytest
from fastapi.testclient import TestClient


def test_startup_opens_pool_then_cache_and_shutdown_closes_them_in_reverse(target_module: ModuleType) -> None:
    events = target_module.events
    assert events == [], f"nothing should be opened at import time, but events is {events}"
    with TestClient(target_module.app) as client:
        assert events == ["pool opened", "cache opened"], (
            f"at start-up, before any request, events should be ['pool opened', 'cache opened'], got {events}"
        )
        client.get("/users/1")
        assert events == ["pool opened", "cache opened"], f"nothing should be closed while the app runs, got {events}"
    assert events == ["pool opened", "cache opened", "cache closed", "pool closed"], (
        f"after shutdown, events should be ['pool opened', 'cache opened', 'cache closed', 'pool closed'], got {events}"
    )


def test_user_comes_from_the_db_first_then_from_the_cache(client: TestClient) -> None:
    first = client.get("/users/1")
    assert first.status_code == 200, f"GET /users/1 should answer 200, got {first.status_code}: {first.text}"
    assert first.json() == {"id": 1, "name": "Ada", "source": "db"}, (
        f"the first GET /users/1 should answer {{'id': 1, 'name': 'Ada', 'source': 'db'}}, got {first.json()}"
    )
    second = client.get("/users/1")
    assert second.status_code == 200, f"GET /users/1 should answer 200, got {second.status_code}: {second.text}"
    assert second.json() == {"id": 1, "name": "Ada", "source": "cache"}, (
        f"the second GET /users/1 should answer {{'id': 1, 'name': 'Ada', 'source': 'cache'}}, got {second.json()}"
    )


def test_unknown_user_answers_404(client: TestClient) -> None:
    response = client.get("/users/999")
    assert response.status_code == 404, f"GET /users/999 should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "User not found"}, (
        f"the 404 body should be {{'detail': 'User not found'}}, got {response.json()}"
    )


def test_failed_startup_closes_the_pool_already_opened(
    target_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def cache_down() -> object:
        raise RuntimeError("the cache is down")

    monkeypatch.setattr(target_module.Cache, "open", cache_down)
    with pytest.raises(RuntimeError, match="the cache is down"), TestClient(target_module.app):
        pytest.fail("the app should not start when Cache.open raises")
    assert target_module.events == ["pool opened", "pool closed"], (
        "when Cache.open raises, the pool opened before it should be closed: events should be "
        f"['pool opened', 'pool closed'], got {target_module.events}"
    )
