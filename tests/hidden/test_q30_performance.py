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
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import redis

from grader.bridge import AppHost
from grader.fixtures import StartHost

IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


def install_source(host: AppHost, **fixed: Any) -> None:
    """Replace ``fetch_from_db`` (in the host) by a fake that counts its calls (``source_calls``).

    It answers ``fixed[key]`` if given, else ``{"key": key, "version": <n-th call for key>, "tags": [...]}``.
    """
    host.helper("q30.install_source", fixed=fixed)


def source_calls(host: AppHost) -> list[str]:
    """The keys the fake ``fetch_from_db`` was called with, in order."""
    return host.helper("q30.source_calls")


def get_data(client: httpx.Client, key: str, expected_cache: str) -> Any:
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


@pytest.mark.contract("q30.2", "q30.4")
def test_miss_reads_the_source_once_and_a_hit_does_not(host: AppHost) -> None:
    install_source(host)
    with host.client() as client:
        first = get_data(client, "alpha", "MISS")
        assert first == versioned("alpha", 1), f"a miss should answer the source's dict, got {first}"
        for _ in range(3):
            again = get_data(client, "alpha", "HIT")
            assert again == first, f"a hit should answer the cached value {first}, got {again}"
    calls = source_calls(host)
    assert calls == ["alpha"], f"one miss and three hits should read the source once, got calls {calls}"


@pytest.mark.contract("q30.4")
def test_keys_are_cached_separately(host: AppHost) -> None:
    install_source(host)
    with host.client() as client:
        assert get_data(client, "alpha", "MISS") == versioned("alpha", 1), "GET /data/alpha should answer its value"
        assert get_data(client, "beta", "MISS") == versioned("beta", 1), "a different key should be its own miss"
        assert get_data(client, "alpha", "HIT") == versioned("alpha", 1), "alpha should now be a hit"
        assert get_data(client, "beta", "HIT") == versioned("beta", 1), "beta should now be a hit"
    calls = source_calls(host)
    assert sorted(calls) == ["alpha", "beta"], f"each key should be read from the source once, got {calls}"


@pytest.mark.contract("q30.1", "q30.3", "q30.5")
def test_entry_expires_after_the_ttl_by_the_replaceable_clock(host: AppHost) -> None:
    ttl = host.fact("CACHE_TTL_SECONDS")
    assert ttl == 60, f"CACHE_TTL_SECONDS is given as 60, got {ttl!r}"
    now = 1_000.0
    host.helper("q30.set_clock", now=now)
    install_source(host)
    with host.client() as client:
        assert get_data(client, "alpha", "MISS") == versioned("alpha", 1), "the first request should be a miss"
        now += ttl - 1
        host.helper("q30.set_clock", now=now)
        assert get_data(client, "alpha", "HIT") == versioned("alpha", 1), (
            f"{ttl - 1} s after storing (TTL {ttl} s, by the module's clock()) the entry should still be a hit"
        )
        now += 1  # exactly t + TTL: the contract makes it a hit only while clock() < t + TTL
        host.helper("q30.set_clock", now=now)
        assert get_data(client, "alpha", "MISS") == versioned("alpha", 2), (
            f"exactly {ttl} s after storing (TTL {ttl} s, by the module's clock()) the entry should have expired"
        )
        assert get_data(client, "alpha", "HIT") == versioned("alpha", 2), "the fresh value should be cached again"
    calls = source_calls(host)
    assert calls == ["alpha", "alpha"], f"the source should be read once per miss, got calls {calls}"


@pytest.mark.contract("q30.4")
def test_empty_dict_is_cached_too(host: AppHost) -> None:
    install_source(host, empty={})
    with host.client() as client:
        assert get_data(client, "empty", "MISS") == {}, "the source's {} should be answered as {}"
        assert get_data(client, "empty", "HIT") == {}, "a cached {} is still a hit (test for None, not for falsiness)"
    calls = source_calls(host)
    assert calls == ["empty"], f"a cached {{}} should not be read again, got calls {calls}"


@pytest.mark.contract("q30.4")
def test_unknown_key_is_404_and_not_cached(host: AppHost) -> None:
    install_source(host, ghost=None)
    with host.client() as client:
        for _ in range(2):
            response = client.get("/data/ghost")
            assert response.status_code == 404, (
                f"GET /data/ghost should answer 404 when the source returns None, got {response.status_code}"
            )
            assert response.json() == {"detail": "Key not found"}, (
                f'a missing key should answer {{"detail": "Key not found"}}, got {response.text}'
            )
    calls = source_calls(host)
    assert calls == ["ghost", "ghost"], (
        f"a None from the source should not be cached: two requests should read it twice, got calls {calls}"
    )


@pytest.mark.contract("q30.6")
def test_cache_is_created_in_the_lifespan_and_reused(host: AppHost) -> None:
    install_source(host)
    at_import = host.helper("q30.cache")
    assert not at_import["present"], (
        f"app.state.cache should be created by the lifespan, not at import (it is a {at_import['type']} already)"
    )
    with host.client() as client:
        started = host.helper("q30.cache", remember=True)
        assert started["present"], "the lifespan should store the cache client at app.state.cache"
        get_data(client, "alpha", "MISS")
        get_data(client, "alpha", "HIT")
        get_data(client, "beta", "MISS")
        later = host.helper("q30.cache")
        assert later["same_as_remembered"], (
            f"app.state.cache should stay the same object for the whole run (a {started['type']} at start-up, "
            f"now {'another ' + later['type'] if later['present'] else 'unset'})"
        )


# ---------------------------------------------------------------------------------------------------------- gzip


@pytest.mark.contract("q30.8", "q30.9")
def test_large_response_is_gzipped_for_clients_that_accept_it(client: httpx.Client) -> None:
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


@pytest.mark.contract("q30.8")
def test_items_limit_default_and_bounds(client: httpx.Client) -> None:
    default = client.get("/items", headers=IDENTITY)
    assert default.status_code == 200, f"GET /items should answer 200, got {default.status_code}"
    expected = [{"id": i, "name": f"item {i}"} for i in range(1, 101)]
    assert default.json() == expected, "GET /items without limit should answer the 100 items 1..100"
    empty = client.get("/items", params={"limit": 0}, headers=IDENTITY)
    assert empty.status_code == 200 and empty.json() == [], f"GET /items?limit=0 should answer [], got {empty.text}"
    largest = client.get("/items", params={"limit": 10_000}, headers=GZIP)
    assert largest.status_code == 200, f"GET /items?limit=10000 should answer 200, got {largest.status_code}"
    items = largest.json()
    assert len(items) == 10_000 and items[-1] == {"id": 10_000, "name": "item 10000"}, (
        "GET /items?limit=10000 should answer the 10000 items 1..10000"
    )


@pytest.mark.contract("q30.9")
def test_small_responses_stay_uncompressed(host: AppHost) -> None:
    install_source(host)
    with host.client() as client:
        for url in ("/items?limit=1", "/data/alpha"):
            response = client.get(url, headers=GZIP)
            assert response.status_code == 200, f"GET {url} should answer 200, got {response.status_code}"
            assert "content-encoding" not in response.headers, f"the small response of GET {url} should not be gzipped"


@pytest.mark.contract("q30.9")
def test_gzip_threshold_is_1000_bytes(client: httpx.Client) -> None:
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
                # Ours, not another run's server that took the port first (ours then exits: poll() above).
                if probe.ping() and int(probe.info("server").get("process_id", -1)) == process.pid:
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
def redis_db(redis_server: str) -> Iterator[redis.Redis]:
    """An empty Redis database (the judge's own connection to it, to look at what the module stored)."""
    inspector = redis.Redis.from_url(redis_server, decode_responses=True, socket_timeout=5)
    inspector.flushdb()
    try:
        yield inspector
    finally:
        inspector.close()


@pytest.fixture
def redis_host(redis_server: str, redis_db: redis.Redis, start_host: StartHost) -> AppHost:
    """The module, loaded with REDIS_URL pointing at the empty database (set before the import) and allowed
    to connect to that server's loopback port."""
    port = urlsplit(redis_server).port
    assert port is not None, f"no port in {redis_server}"
    return start_host(env={"REDIS_URL": redis_server}, tcp_ports=(port,))


@pytest.mark.contract("q30.7")
def test_redis_miss_stores_json_with_an_expiry(redis_db: redis.Redis, redis_host: AppHost) -> None:
    install_source(redis_host)
    ttl = redis_host.fact("CACHE_TTL_SECONDS")
    with redis_host.client() as client:
        assert get_data(client, "alpha", "MISS") == versioned("alpha", 1), "the first request should be a miss"
        stored = redis_db.get("data:alpha")
        assert stored is not None, "with REDIS_URL set, a miss should store the value in Redis under data:<key>"
        assert json.loads(stored) == versioned("alpha", 1), f"Redis should hold the value's JSON, got {stored!r}"
        remaining = redis_db.ttl("data:alpha")
        assert 0 < remaining <= ttl, f"data:alpha should expire within {ttl} s (SET ... EX), Redis TTL is {remaining}"
        assert get_data(client, "alpha", "HIT") == versioned("alpha", 1), "the second request should be a hit"
    calls = source_calls(redis_host)
    assert calls == ["alpha"], f"with Redis, a miss then a hit should read the source once, got {calls}"


@pytest.mark.contract("q30.7")
def test_redis_value_put_there_is_served_as_a_hit(redis_db: redis.Redis, redis_host: AppHost) -> None:
    install_source(redis_host)
    value = {"from": "redis", "n": [1, 2]}
    # The contract allows any JSON spacing: one value spaced as json.dumps does by default, one compact.
    redis_db.set("data:spaced", json.dumps(value), ex=600)
    redis_db.set("data:compact", json.dumps(value, separators=(",", ":")), ex=600)
    with redis_host.client() as client:
        for key in ("spaced", "compact"):
            body = get_data(client, key, "HIT")
            assert body == value, (
                f"the value stored in Redis under data:{key} ({redis_db.get(f'data:{key}')}) was not served: {body}"
            )
    calls = source_calls(redis_host)
    assert calls == [], f"a value found in Redis should not be read from the source, got calls {calls}"


@pytest.mark.contract("q30.7")
def test_redis_key_gone_means_a_miss_again(redis_db: redis.Redis, redis_host: AppHost) -> None:
    install_source(redis_host)
    with redis_host.client() as client:
        get_data(client, "alpha", "MISS")
        get_data(client, "alpha", "HIT")
        assert redis_db.delete("data:alpha") == 1, "the value should have been stored in Redis under data:alpha"
        assert get_data(client, "alpha", "MISS") == versioned("alpha", 2), (
            "once the Redis key is gone (expired), the next request should read the source again"
        )
    calls = source_calls(redis_host)
    assert calls == ["alpha", "alpha"], f"the source should be read once per miss, got calls {calls}"


def _redis_info(inspector: redis.Redis, field: str) -> int:
    return int(inspector.info()[field])


@pytest.mark.contract("q30.6", "q30.7")
def test_redis_client_is_shared_by_requests_and_closed_at_shutdown(redis_db: redis.Redis, redis_host: AppHost) -> None:
    install_source(redis_host)
    baseline_clients = _redis_info(redis_db, "connected_clients")
    connections_before = _redis_info(redis_db, "total_connections_received")
    with redis_host.client() as client:
        started = redis_host.helper("q30.cache", remember=True)
        assert started["present"], "the lifespan should store the cache client at app.state.cache"
        for key in ("alpha", "beta", "gamma"):
            get_data(client, key, "MISS")
            get_data(client, key, "HIT")
        opened = _redis_info(redis_db, "total_connections_received") - connections_before
        assert 1 <= opened <= 2, (
            f"six requests should share the one client created at start-up (one connection), but they opened "
            f"{opened} connections to Redis"
        )
        later = redis_host.helper("q30.cache")
        assert later["same_as_remembered"], (
            f"app.state.cache should stay the same object for the whole run (a {started['type']} at start-up, "
            f"now {'another ' + later['type'] if later['present'] else 'unset'})"
        )
    deadline = time.monotonic() + 5
    while _redis_info(redis_db, "connected_clients") > baseline_clients and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _redis_info(redis_db, "connected_clients") - baseline_clients
    assert left == 0, f"the Redis client should be closed at shutdown, but {left} connection(s) stayed open"
