"""Hidden tests for q30: cache-aside with an in-memory or Redis backend, TTL, one shared client, gzip.

The Redis tests start a private ``redis-server`` on a free loopback port (no persistence) for this file and stop
it at the end; they are skipped when no ``redis-server`` binary is installed.
"""

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


class FakeSource:
    """Stands in for ``fetch_from_db``: counts calls; answers ``fixed[key]`` if given, else a versioned dict."""

    def __init__(self, fixed: dict[str, Any] | None = None) -> None:
        self.calls: list[str] = []
        self.fixed = fixed or {}

    async def __call__(self, key: str) -> dict[str, Any] | None:
        self.calls.append(key)
        if key in self.fixed:
            value = self.fixed[key]
            return None if value is None else json.loads(json.dumps(value))
        return {"key": key, "version": self.calls.count(key), "tags": ["cached", "json"]}


def install_source(monkeypatch: pytest.MonkeyPatch, module: ModuleType, **fixed: Any) -> FakeSource:
    source = FakeSource(fixed)
    monkeypatch.setattr(module, "fetch_from_db", source)
    return source


def get_data(client: TestClient, key: str, expected_cache: str) -> Any:
    response = client.get(f"/data/{key}")
    assert response.status_code == 200, (
        f"GET /data/{key} should answer 200, got {response.status_code}: {response.text}"
    )
    got = response.headers.get("x-cache")
    assert got == expected_cache, f"GET /data/{key} should answer with X-Cache: {expected_cache}, got {got!r}"
    return response.json()


def versioned(key: str, version: int) -> dict[str, Any]:
    return {"key": key, "version": version, "tags": ["cached", "json"]}


# ---------------------------------------------------------------------------------------------- in-memory backend


def test_miss_reads_the_source_once_and_a_hit_does_not(
    monkeypatch: pytest.MonkeyPatch, target_module: ModuleType
) -> None:
    source = install_source(monkeypatch, target_module)
    with TestClient(target_module.app) as client:
        first = get_data(client, "alpha", "MISS")
        assert first == versioned("alpha", 1), f"a miss should answer the source's dict, got {first}"
        for _ in range(3):
            again = get_data(client, "alpha", "HIT")
            assert again == first, f"a hit should answer the cached value {first}, got {again}"
    assert source.calls == ["alpha"], f"one miss and three hits should read the source once, got calls {source.calls}"


def test_keys_are_cached_separately(monkeypatch: pytest.MonkeyPatch, target_module: ModuleType) -> None:
    source = install_source(monkeypatch, target_module)
    with TestClient(target_module.app) as client:
        assert get_data(client, "alpha", "MISS") == versioned("alpha", 1), "GET /data/alpha should answer its value"
        assert get_data(client, "beta", "MISS") == versioned("beta", 1), "a different key should be its own miss"
        assert get_data(client, "alpha", "HIT") == versioned("alpha", 1), "alpha should now be a hit"
        assert get_data(client, "beta", "HIT") == versioned("beta", 1), "beta should now be a hit"
    assert sorted(source.calls) == ["alpha", "beta"], (
        f"each key should be read from the source once, got {source.calls}"
    )


def test_entry_expires_after_the_ttl_by_the_replaceable_clock(
    monkeypatch: pytest.MonkeyPatch, target_module: ModuleType
) -> None:
    ttl = target_module.CACHE_TTL_SECONDS
    now = [1_000.0]
    monkeypatch.setattr(target_module, "clock", lambda: now[0])
    source = install_source(monkeypatch, target_module)
    with TestClient(target_module.app) as client:
        assert get_data(client, "alpha", "MISS") == versioned("alpha", 1), "the first request should be a miss"
        now[0] += ttl - 1
        assert get_data(client, "alpha", "HIT") == versioned("alpha", 1), (
            f"{ttl - 1} s after storing (TTL {ttl} s, by the module's clock()) the entry should still be a hit"
        )
        now[0] += 1  # exactly t + TTL: the contract makes it a hit only while clock() < t + TTL
        assert get_data(client, "alpha", "MISS") == versioned("alpha", 2), (
            f"exactly {ttl} s after storing (TTL {ttl} s, by the module's clock()) the entry should have expired"
        )
        assert get_data(client, "alpha", "HIT") == versioned("alpha", 2), "the fresh value should be cached again"
    assert source.calls == ["alpha", "alpha"], f"the source should be read once per miss, got calls {source.calls}"


def test_empty_dict_is_cached_too(monkeypatch: pytest.MonkeyPatch, target_module: ModuleType) -> None:
    source = install_source(monkeypatch, target_module, empty={})
    with TestClient(target_module.app) as client:
        assert get_data(client, "empty", "MISS") == {}, "the source's {} should be answered as {}"
        assert get_data(client, "empty", "HIT") == {}, "a cached {} is still a hit (test for None, not for falsiness)"
    assert source.calls == ["empty"], f"a cached {{}} should not be read again, got calls {source.calls}"


def test_unknown_key_is_404_and_not_cached(monkeypatch: pytest.MonkeyPatch, target_module: ModuleType) -> None:
    source = install_source(monkeypatch, target_module, ghost=None)
    with TestClient(target_module.app) as client:
        for _ in range(2):
            response = client.get("/data/ghost")
            assert response.status_code == 404, (
                f"GET /data/ghost should answer 404 when the source returns None, got {response.status_code}"
            )
            assert response.json() == {"detail": "Key not found"}, (
                f'a missing key should answer {{"detail": "Key not found"}}, got {response.text}'
            )
    assert source.calls == ["ghost", "ghost"], (
        f"a None from the source should not be cached: two requests should read it twice, got calls {source.calls}"
    )


def test_cache_is_created_in_the_lifespan_and_reused(
    monkeypatch: pytest.MonkeyPatch, target_module: ModuleType
) -> None:
    install_source(monkeypatch, target_module)
    app = target_module.app
    assert getattr(app.state, "cache", None) is None, "app.state.cache should be created by the lifespan, not at import"
    with TestClient(app) as client:
        cache = getattr(app.state, "cache", None)
        assert cache is not None, "the lifespan should store the cache client at app.state.cache"
        get_data(client, "alpha", "MISS")
        get_data(client, "alpha", "HIT")
        get_data(client, "beta", "MISS")
        assert app.state.cache is cache, "app.state.cache should stay the same object for the whole run"


# ---------------------------------------------------------------------------------------------------------- gzip


def test_large_response_is_gzipped_for_clients_that_accept_it(client: TestClient) -> None:
    response = client.get("/items", params={"limit": 500}, headers=GZIP)
    assert response.status_code == 200, f"GET /items?limit=500 should answer 200, got {response.status_code}"
    items = response.json()
    assert len(items) == 500 and items[0] == {"id": 1, "name": "item 1"} and items[-1]["id"] == 500, (
        'GET /items?limit=500 should answer 500 objects {"id": i, "name": "item <i>"} for i = 1..500'
    )
    assert response.headers.get("content-encoding") == "gzip", (
        f"a large response to Accept-Encoding: gzip should be gzip-encoded, got headers {dict(response.headers)}"
    )
    plain = client.get("/items", params={"limit": 500}, headers=IDENTITY)
    assert plain.status_code == 200, f"GET /items?limit=500 should answer 200, got {plain.status_code}"
    assert "content-encoding" not in plain.headers, "a client that does not accept gzip should get an uncompressed body"
    assert plain.json() == items, "compressed and uncompressed answers should hold the same items"


def test_small_responses_stay_uncompressed(monkeypatch: pytest.MonkeyPatch, target_module: ModuleType) -> None:
    install_source(monkeypatch, target_module)
    with TestClient(target_module.app) as client:
        for url in ("/items?limit=1", "/data/alpha"):
            response = client.get(url, headers=GZIP)
            assert response.status_code == 200, f"GET {url} should answer 200, got {response.status_code}"
            assert "content-encoding" not in response.headers, f"the small response of GET {url} should not be gzipped"


def test_gzip_threshold_is_1000_bytes(client: TestClient) -> None:
    sizes: dict[int, int] = {}
    for limit in range(1, 200):
        response = client.get("/items", params={"limit": limit}, headers=IDENTITY)
        assert response.status_code == 200, f"GET /items?limit={limit} should answer 200, got {response.status_code}"
        sizes[limit] = len(response.content)
        if sizes[limit] >= 1100:
            break
    below = next(limit for limit, size in sizes.items() if 700 <= size < 1000)
    above = next(limit for limit, size in sizes.items() if size >= 1000)
    for limit, compressed in ((below, False), (above, True)):
        response = client.get("/items", params={"limit": limit}, headers=GZIP)
        assert response.status_code == 200, f"GET /items?limit={limit} should answer 200, got {response.status_code}"
        assert (response.headers.get("content-encoding") == "gzip") is compressed, (
            f"a {sizes[limit]}-byte body should {'' if compressed else 'not '}be gzipped (threshold: 1000 bytes)"
        )


# ------------------------------------------------------------------------------------------------- Redis backend


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """Runs in the child before exec: if the test process dies (killed by a timeout), redis-server gets SIGTERM."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _start_redis(binary: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str] | None:
    port = _free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += ["--dir", str(workdir)]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    url = f"redis://127.0.0.1:{port}/0"
    probe = redis.Redis.from_url(url, socket_timeout=1)
    deadline = time.monotonic() + 5
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return None  # the port was taken in the meantime: the caller tries another one
            with contextlib.suppress(redis.RedisError):
                if probe.ping():
                    return process, url
            time.sleep(0.05)
    finally:
        probe.close()
    _stop(process)
    pytest.fail("redis-server did not answer PING within 5 s", pytrace=False)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a private redis-server that lives as long as this test file."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server not installed: the Redis backend tests need a local redis-server binary"
        if os.environ.get("KIT_REQUIRE_REDIS") == "1":  # CI installs it: there, its absence is a failure
            pytest.fail(f"KIT_REQUIRE_REDIS=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    started = None
    for _ in range(3):
        started = _start_redis(binary, tmp_path_factory.mktemp("redis"))
        if started is not None:
            break
    if started is None:
        pytest.fail("redis-server exited at start-up three times (no free port?)", pytrace=False)
    process, url = started
    try:
        yield url
    finally:
        _stop(process)


@pytest.fixture
def redis_db(redis_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
    """An empty Redis database, with REDIS_URL pointing at it (set before the module is loaded)."""
    monkeypatch.setenv("REDIS_URL", redis_server)
    inspector = redis.Redis.from_url(redis_server, decode_responses=True, socket_timeout=5)
    inspector.flushdb()
    try:
        yield inspector
    finally:
        inspector.close()


def test_redis_miss_stores_json_with_an_expiry(
    redis_db: redis.Redis, load_target: Callable[[], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_target()
    source = install_source(monkeypatch, module)
    ttl = module.CACHE_TTL_SECONDS
    with TestClient(module.app) as client:
        assert get_data(client, "alpha", "MISS") == versioned("alpha", 1), "the first request should be a miss"
        stored = redis_db.get("data:alpha")
        assert stored is not None, "with REDIS_URL set, a miss should store the value in Redis under data:<key>"
        assert json.loads(stored) == versioned("alpha", 1), f"Redis should hold the value's JSON, got {stored!r}"
        remaining = redis_db.ttl("data:alpha")
        assert 0 < remaining <= ttl, f"data:alpha should expire within {ttl} s (SET ... EX), Redis TTL is {remaining}"
        assert get_data(client, "alpha", "HIT") == versioned("alpha", 1), "the second request should be a hit"
    assert source.calls == ["alpha"], f"with Redis, a miss then a hit should read the source once, got {source.calls}"


def test_redis_value_put_there_is_served_as_a_hit(
    redis_db: redis.Redis, load_target: Callable[[], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_target()
    source = install_source(monkeypatch, module)
    redis_db.set("data:preloaded", json.dumps({"from": "redis", "n": [1, 2]}), ex=600)
    with TestClient(module.app) as client:
        body = get_data(client, "preloaded", "HIT")
    assert body == {"from": "redis", "n": [1, 2]}, (
        f"the value stored in Redis under data:preloaded was not served: {body}"
    )
    assert source.calls == [], f"a value found in Redis should not be read from the source, got calls {source.calls}"


def test_redis_key_gone_means_a_miss_again(
    redis_db: redis.Redis, load_target: Callable[[], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_target()
    source = install_source(monkeypatch, module)
    with TestClient(module.app) as client:
        get_data(client, "alpha", "MISS")
        get_data(client, "alpha", "HIT")
        assert redis_db.delete("data:alpha") == 1, "the value should have been stored in Redis under data:alpha"
        assert get_data(client, "alpha", "MISS") == versioned("alpha", 2), (
            "once the Redis key is gone (expired), the next request should read the source again"
        )
    assert source.calls == ["alpha", "alpha"], f"the source should be read once per miss, got calls {source.calls}"


def _redis_info(inspector: redis.Redis, field: str) -> int:
    return int(inspector.info()[field])


def test_redis_client_is_shared_by_requests_and_closed_at_shutdown(
    redis_db: redis.Redis, load_target: Callable[[], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_target()
    install_source(monkeypatch, module)
    baseline_clients = _redis_info(redis_db, "connected_clients")
    connections_before = _redis_info(redis_db, "total_connections_received")
    with TestClient(module.app) as client:
        cache = getattr(module.app.state, "cache", None)
        assert cache is not None, "the lifespan should store the cache client at app.state.cache"
        for key in ("alpha", "beta", "gamma"):
            get_data(client, key, "MISS")
            get_data(client, key, "HIT")
        opened = _redis_info(redis_db, "total_connections_received") - connections_before
        assert 1 <= opened <= 2, (
            f"six requests should share the one client created at start-up (one connection), but they opened "
            f"{opened} connections to Redis"
        )
        assert module.app.state.cache is cache, "app.state.cache should stay the same object for the whole run"
    deadline = time.monotonic() + 5
    while _redis_info(redis_db, "connected_clients") > baseline_clients and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _redis_info(redis_db, "connected_clients") - baseline_clients
    assert left == 0, f"the Redis client should be closed at shutdown, but {left} connection(s) stayed open"
