"""Public checks for q30: the in-memory cache-aside and gzip, as tests you can read and run.

`fastlings check 30` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, the Redis backend included.
"""

from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(autouse=True)
def _in_memory_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """These checks use the in-memory backend: no REDIS_URL when the app starts."""
    monkeypatch.delenv("REDIS_URL", raising=False)


def counting_source(monkeypatch: pytest.MonkeyPatch, module: ModuleType, value: dict[str, Any] | None) -> list[str]:
    """Replace the slow source with a fast one answering `value`; the returned list records each call's key."""
    calls: list[str] = []

    async def fake_fetch_from_db(key: str) -> dict[str, Any] | None:
        calls.append(key)
        return value

    monkeypatch.setattr(module, "fetch_from_db", fake_fetch_from_db)
    return calls


def test_second_read_is_served_from_the_cache(
    client: TestClient, target_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_source(monkeypatch, target_module, {"key": "alpha", "value": 1})
    first = client.get("/data/alpha")
    second = client.get("/data/alpha")
    assert first.status_code == 200, f"GET /data/alpha should answer 200, got {first.status_code}: {first.text}"
    assert first.headers.get("X-Cache") == "MISS", (
        f"the first read should be a MISS, got {first.headers.get('X-Cache')!r}"
    )
    assert second.headers.get("X-Cache") == "HIT", (
        f"the second read should be a HIT, got {second.headers.get('X-Cache')!r}"
    )
    assert first.json() == second.json() == {"key": "alpha", "value": 1}, (
        f"both reads should answer the source's dict, got {first.json()} and {second.json()}"
    )
    assert calls == ["alpha"], f"the source should be called once, on the miss only; calls: {calls}"


def test_unknown_key_is_404_and_not_cached(
    client: TestClient, target_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_source(monkeypatch, target_module, None)
    for _ in range(2):
        response = client.get("/data/missing")
        assert response.status_code == 404, (
            f"GET /data/missing should answer 404 when the source has nothing, got {response.status_code}"
        )
        assert response.json() == {"detail": "Key not found"}, (
            f"the 404 body should be {{'detail': 'Key not found'}}, got {response.json()}"
        )
    assert calls == ["missing", "missing"], f"a None from the source should not be cached; calls: {calls}"


def test_cache_entry_expires_after_the_ttl(
    client: TestClient, target_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_source(monkeypatch, target_module, {"key": "beta", "value": 2})
    now = [1000.0]
    monkeypatch.setattr(target_module, "clock", lambda: now[0])
    ttl = target_module.CACHE_TTL_SECONDS

    assert client.get("/data/beta").headers.get("X-Cache") == "MISS", "the first read should be a MISS"
    now[0] = 1000.0 + ttl - 1
    assert client.get("/data/beta").headers.get("X-Cache") == "HIT", "one second before the TTL it should be a HIT"
    now[0] = 1000.0 + ttl + 1
    assert client.get("/data/beta").headers.get("X-Cache") == "MISS", "after the TTL the entry should have expired"
    assert len(calls) == 2, f"the source should be read again once the entry expired; calls: {calls}"


def test_large_items_response_is_gzipped_and_small_one_is_not(client: TestClient) -> None:
    large = client.get("/items", params={"limit": 500}, headers={"Accept-Encoding": "gzip"})
    assert large.status_code == 200, f"GET /items?limit=500 should answer 200, got {large.status_code}: {large.text}"
    assert large.json()[:2] == [{"id": 1, "name": "item 1"}, {"id": 2, "name": "item 2"}], (
        f"GET /items should list {{'id': i, 'name': 'item <i>'}} from 1, got {large.json()[:2]}"
    )
    assert len(large.json()) == 500, f"GET /items?limit=500 should list 500 items, got {len(large.json())}"
    assert large.headers.get("Content-Encoding") == "gzip", "a large response should be sent with gzip"

    small = client.get("/items", params={"limit": 1}, headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200, f"GET /items?limit=1 should answer 200, got {small.status_code}: {small.text}"
    assert "Content-Encoding" not in small.headers, "a response under 1000 bytes should not be compressed"
