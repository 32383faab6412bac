"""Hidden tests for q30: cache-aside with an in-memory or Redis backend, TTL, one shared client, gzip.

Nothing these tests assert is computed beside the module. ``fetch_from_db`` and ``clock`` are replaced by fakes
that only forward each call to the judge (``common.forward``): the judge counts the source's calls, answers each
with a value holding a nonce the module cannot guess (so a response carrying it proves the call went through),
and answers the clock with the time it chose. Whether the cache is shared and made afresh at every start-up is
read from the answers; whether the Redis client is shared and closed, from the redis-server's own counters.

The Redis tests start a private ``redis-server`` on a free loopback port (no persistence) for this file and stop
it at the end; they are skipped when no ``redis-server`` binary is installed. The module connects as a user that
may run no ``@dangerous`` command (``CONFIG RESETSTAT``, ``CLIENT KILL``, ``MIGRATE``, ``REPLICAOF``, ``INFO``...),
so it can neither rewrite the counters the judge reads nor use the server to reach anything else; the judge
connects as another user, whose password the module never sees.
"""

import collections
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from grader.judge.bridge import AppHost
from grader.judge.fixtures import StartHost

IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


class Source:
    """The judge's data source: the module's ``fetch_from_db`` becomes an ``async def`` forwarding here.

    A key in ``fixed`` answers a copy of its value (``None`` included); any other key answers
    ``{"key": key, "version": <n-th call for key>, "tags": [...], "nonce": <this test's nonce>}``.
    """

    def __init__(self, host: AppHost, **fixed: Any) -> None:
        self._host = host
        self._fixed = fixed
        self._counts: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self.nonce = uuid.uuid4().hex
        host.serve("q30.fetch", self._answer)
        host.helper("common.forward", name="fetch_from_db", service="q30.fetch", is_async=True)

    def _answer(self, *args: Any) -> Any:
        key = _key(args)
        if key in self._fixed:
            value = self._fixed[key]
            return None if value is None else json.loads(json.dumps(value))
        with self._lock:
            self._counts[key] += 1
            version = self._counts[key]
        return self.value(key, version)

    def fix(self, key: str, value: Any) -> None:
        """From now on ``key`` answers a copy of ``value``."""
        self._fixed[key] = value

    def value(self, key: str, version: int) -> dict[str, Any]:
        return {"key": key, "version": version, "tags": ["cached", "json"], "nonce": self.nonce}

    def calls(self) -> list[str]:
        """The keys ``fetch_from_db`` was called with, in arrival order, as the judge received them."""
        return [_key(call.args) for call in self._host.service_calls("q30.fetch")]


def _key(args: tuple[Any, ...]) -> str:
    """The key of one forwarded ``fetch_from_db`` call: ``(key,)`` or ``({"key": key},)``."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    if len(args) == 1 and isinstance(args[0], dict) and isinstance(args[0].get("key"), str):
        return args[0]["key"]
    return f"<fetch_from_db called with {args!r}>"


class Clock:
    """The judge's clock: the module's ``clock`` becomes a function answering the time the test set."""

    def __init__(self, host: AppHost, now: float) -> None:
        self.now = now
        host.serve("q30.clock", lambda *args: self.now)
        host.helper("common.forward", name="clock", service="q30.clock", is_async=False)


def get_data(client: httpx.Client, key: str, expected_cache: str) -> Any:
    response = client.get(f"/data/{key}")
    assert response.status_code == 200, (
        f"GET /data/{key} should answer 200, got {response.status_code}: {response.text}"
    )
    got = response.headers.get("x-cache")
    assert got == expected_cache, f"GET /data/{key} should answer with X-Cache: {expected_cache}, got {got!r}"
    return response.json()


# ---------------------------------------------------------------------------------------------- in-memory backend


@pytest.mark.contract("q30.2", "q30.4", "q30.6")
def test_miss_reads_the_source_once_and_a_hit_does_not(host: AppHost) -> None:
    source = Source(host)
    with host.client() as client:
        first = get_data(client, "alpha", "MISS")
        assert first == source.value("alpha", 1), f"a miss should answer the source's dict, got {first}"
        for _ in range(3):
            again = get_data(client, "alpha", "HIT")
            assert again == first, f"a hit should answer the cached value {first}, got {again}"
    calls = source.calls()
    assert calls == ["alpha"], f"one miss and three hits should read the source once, got calls {calls}"


@pytest.mark.contract("q30.4")
def test_keys_are_cached_separately(host: AppHost) -> None:
    source = Source(host)
    with host.client() as client:
        assert get_data(client, "alpha", "MISS") == source.value("alpha", 1), "GET /data/alpha should answer its value"
        assert get_data(client, "beta", "MISS") == source.value("beta", 1), "a different key should be its own miss"
        assert get_data(client, "alpha", "HIT") == source.value("alpha", 1), "alpha should now be a hit"
        assert get_data(client, "beta", "HIT") == source.value("beta", 1), "beta should now be a hit"
    calls = source.calls()
    assert sorted(calls) == ["alpha", "beta"], f"each key should be read from the source once, got {calls}"


@pytest.mark.contract("q30.1", "q30.3", "q30.5")
def test_entry_expires_after_the_ttl_by_the_replaceable_clock(host: AppHost) -> None:
    ttl = host.fact("CACHE_TTL_SECONDS")
    assert ttl == 60, f"CACHE_TTL_SECONDS is given as 60, got {ttl!r}"
    clock = Clock(host, now=1_000.0)
    source = Source(host)
    with host.client() as client:
        assert get_data(client, "alpha", "MISS") == source.value("alpha", 1), "the first request should be a miss"
        clock.now += ttl - 1
        assert get_data(client, "alpha", "HIT") == source.value("alpha", 1), (
            f"{ttl - 1} s after storing (TTL {ttl} s, by the module's clock()) the entry should still be a hit"
        )
        clock.now += 1  # exactly t + TTL: the contract makes it a hit only while clock() < t + TTL
        assert get_data(client, "alpha", "MISS") == source.value("alpha", 2), (
            f"exactly {ttl} s after storing (TTL {ttl} s, by the module's clock()) the entry should have expired"
        )
        assert get_data(client, "alpha", "HIT") == source.value("alpha", 2), "the fresh value should be cached again"
    calls = source.calls()
    assert calls == ["alpha", "alpha"], f"the source should be read once per miss, got calls {calls}"


@pytest.mark.contract("q30.4")
def test_empty_dict_is_cached_too(host: AppHost) -> None:
    source = Source(host, empty={})
    with host.client() as client:
        assert get_data(client, "empty", "MISS") == {}, "the source's {} should be answered as {}"
        assert get_data(client, "empty", "HIT") == {}, "a cached {} is still a hit (test for None, not for falsiness)"
    calls = source.calls()
    assert calls == ["empty"], f"a cached {{}} should not be read again, got calls {calls}"


@pytest.mark.contract("q30.4")
def test_unknown_key_is_404_and_not_cached(host: AppHost) -> None:
    source = Source(host, ghost=None)
    with host.client() as client:
        for _ in range(2):
            response = client.get("/data/ghost")
            assert response.status_code == 404, (
                f"GET /data/ghost should answer 404 when the source returns None, got {response.status_code}"
            )
            assert response.json() == {"detail": "Key not found"}, (
                f'a missing key should answer {{"detail": "Key not found"}}, got {response.text}'
            )
    calls = source.calls()
    assert calls == ["ghost", "ghost"], (
        f"a None from the source should not be cached: two requests should read it twice, got calls {calls}"
    )


@pytest.mark.contract("q30.6")
def test_every_start_up_begins_with_an_empty_cache(host: AppHost) -> None:
    source = Source(host)
    with host.client() as client:
        get_data(client, "alpha", "MISS")
        get_data(client, "beta", "MISS")
        assert get_data(client, "alpha", "HIT") == source.value("alpha", 1), (
            "requests should share the one cache created at start-up: a value stored by one is a hit for the next"
        )
    with host.client() as client:  # the same module, shut down and started again
        restarted = get_data(client, "alpha", "MISS")
        assert restarted == source.value("alpha", 2), (
            f"after a shutdown and a new start-up the in-memory cache should be a new, empty one (created in the "
            f"lifespan, the old one closed): the first request should read the source again, got {restarted}"
        )
        assert get_data(client, "alpha", "HIT") == source.value("alpha", 2), "the new cache should serve hits too"
    calls = source.calls()
    assert calls == ["alpha", "beta", "alpha"], f"the source should be read once per miss, got calls {calls}"


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
    Source(host)
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


@pytest.mark.contract("q30.4", "q30.9")
def test_gzip_threshold_at_999_and_1000_bytes(host: AppHost) -> None:
    """Bodies of exactly 999 and 1000 bytes, on a miss and on a hit: the source answers ``{"pad": "x" * n}`` with n
    chosen from the size of the module's own JSON for ``{"pad": ""}`` (its spacing is its own; each extra ``x``
    adds one byte), and httpx hands back the decoded body, whose length is checked to be the intended one."""
    Clock(host, now=1_000.0)  # no entry expires during the test
    source = Source(host, empty={"pad": ""})
    with host.client() as client:
        miss = client.get("/data/empty", headers=IDENTITY)
        assert miss.status_code == 200, f"GET /data/empty should answer 200, got {miss.status_code}: {miss.text}"
        hit = client.get("/data/empty", headers=IDENTITY)
        assert hit.status_code == 200, f"GET /data/empty should answer 200, got {hit.status_code}: {hit.text}"
        base = {"MISS": len(miss.content), "HIT": len(hit.content)}
        for size in (999, 1000):
            for cache in ("MISS", "HIT"):
                key = f"{cache.lower()}-{size}"
                source.fix(key, {"pad": "x" * (size - base[cache])})
                if cache == "HIT":
                    get_data(client, key, "MISS")
                response = client.get(f"/data/{key}", headers=GZIP)
                what = f"GET /data/{key} (a {cache.lower()}, Accept-Encoding: gzip)"
                assert response.status_code == 200, f"{what} should answer 200, got {response.status_code}"
                assert response.headers.get("x-cache") == cache, (
                    f"{what} should answer X-Cache: {cache}, got {response.headers.get('x-cache')!r}"
                )
                assert len(response.content) == size, (
                    f"{what}: the body should be {size} bytes (the JSON of {{'pad': ''}} was {base[cache]} bytes on a "
                    f"{cache.lower()}, plus {size - base[cache]} x), got {len(response.content)} bytes"
                )
                gzipped = response.headers.get("content-encoding") == "gzip"
                assert gzipped is (size >= 1000), (
                    f"{what}: a {size}-byte body should {'' if size >= 1000 else 'not '}be gzipped "
                    f"(GZipMiddleware minimum_size=1000: 1000 bytes or more are compressed), got headers "
                    f"{dict(response.headers)}"
                )


# ------------------------------------------------------------------------------------------------- Redis backend


@dataclass(frozen=True)
class RedisServer:
    port: int
    app_url: str  # the module's user: no @dangerous command
    judge_url: str  # the judge's user: everything; its password stays in the judge


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _lock_down(probe: redis.Redis, port: int) -> RedisServer:
    """Two users instead of the password-less default one (off from now on): the module's and the judge's.

    The passwords are set by command, never on redis-server's command line, so no process list shows them.
    """
    app_password, judge_password = secrets.token_hex(16), secrets.token_hex(16)
    probe.execute_command("ACL", "SETUSER", "judge", "on", f">{judge_password}", "~*", "&*", "+@all")
    probe.execute_command("ACL", "SETUSER", "app", "on", f">{app_password}", "~*", "&*", "+@all", "-@dangerous")
    probe.execute_command("ACL", "SETUSER", "default", "off")
    return RedisServer(
        port,
        app_url=f"redis://app:{app_password}@127.0.0.1:{port}/0",
        judge_url=f"redis://judge:{judge_password}@127.0.0.1:{port}/0",
    )


def _start_redis(binary: str, workdir: Path) -> tuple[subprocess.Popen[bytes], RedisServer] | None:
    """A private redis-server, itself confined (``grader.sandbox.confined_exec``): it reads the system's runtime,
    writes only ``workdir``, binds only its port and connects nowhere, so MIGRATE or REPLICAOF cannot make it a
    pivot to another service on the machine, and it dies with this process."""
    from grader.sandbox.confined_exec import command as confined

    port = _free_port()
    program = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    program += ["--dir", str(workdir)]
    process = subprocess.Popen(
        confined(program, read=[], write=[str(workdir)], bind=[port]),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    probe = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
    deadline = time.monotonic() + 5
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return None  # the port was taken in the meantime: the caller tries another one
            with contextlib.suppress(redis.RedisError):
                # Ours, not another run's server that took the port first (ours then exits: poll() above).
                if probe.ping() and int(probe.info("server").get("process_id", -1)) == process.pid:
                    return process, _lock_down(probe, port)
            time.sleep(0.05)
    finally:
        probe.close()
    _stop(process)
    pytest.fail("redis-server did not answer PING within 5 s", pytrace=False)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A private redis-server that lives as long as this test file."""
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
    process, server = started
    try:
        yield server
    finally:
        _stop(process)


@pytest.fixture
def redis_db(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """An empty Redis database (the judge's own connection to it, to look at what the module stored)."""
    inspector = redis.Redis.from_url(redis_server.judge_url, decode_responses=True, socket_timeout=5)
    inspector.flushdb()
    try:
        yield inspector
    finally:
        inspector.close()


@pytest.fixture
def redis_host(redis_server: RedisServer, redis_db: redis.Redis, start_host: StartHost) -> AppHost:
    """The module, loaded with REDIS_URL pointing at the empty database (set before the import) and allowed
    to connect to that server's loopback port."""
    return start_host(env={"REDIS_URL": redis_server.app_url}, tcp_ports=(redis_server.port,))


@pytest.mark.contract("q30.7")
def test_redis_miss_stores_json_with_an_expiry(redis_db: redis.Redis, redis_host: AppHost) -> None:
    source = Source(redis_host)
    ttl = redis_host.fact("CACHE_TTL_SECONDS")
    with redis_host.client() as client:
        assert get_data(client, "alpha", "MISS") == source.value("alpha", 1), "the first request should be a miss"
        stored = redis_db.get("data:alpha")
        assert stored is not None, "with REDIS_URL set, a miss should store the value in Redis under data:<key>"
        assert json.loads(stored) == source.value("alpha", 1), f"Redis should hold the value's JSON, got {stored!r}"
        remaining = redis_db.ttl("data:alpha")
        assert 0 < remaining <= ttl, f"data:alpha should expire within {ttl} s (SET ... EX), Redis TTL is {remaining}"
        assert get_data(client, "alpha", "HIT") == source.value("alpha", 1), "the second request should be a hit"
    calls = source.calls()
    assert calls == ["alpha"], f"with Redis, a miss then a hit should read the source once, got {calls}"


@pytest.mark.contract("q30.7")
def test_redis_value_put_there_is_served_as_a_hit(redis_db: redis.Redis, redis_host: AppHost) -> None:
    source = Source(redis_host)
    value = {"from": "redis", "n": [1, 2], "nonce": uuid.uuid4().hex}
    # The contract allows any JSON spacing: one value spaced as json.dumps does by default, one compact.
    redis_db.set("data:spaced", json.dumps(value), ex=600)
    redis_db.set("data:compact", json.dumps(value, separators=(",", ":")), ex=600)
    with redis_host.client() as client:
        for key in ("spaced", "compact"):
            body = get_data(client, key, "HIT")
            assert body == value, (
                f"the value stored in Redis under data:{key} ({redis_db.get(f'data:{key}')}) was not served: {body}"
            )
    calls = source.calls()
    assert calls == [], f"a value found in Redis should not be read from the source, got calls {calls}"


@pytest.mark.contract("q30.7")
def test_redis_key_gone_means_a_miss_again(redis_db: redis.Redis, redis_host: AppHost) -> None:
    source = Source(redis_host)
    with redis_host.client() as client:
        get_data(client, "alpha", "MISS")
        get_data(client, "alpha", "HIT")
        assert redis_db.delete("data:alpha") == 1, "the value should have been stored in Redis under data:alpha"
        assert get_data(client, "alpha", "MISS") == source.value("alpha", 2), (
            "once the Redis key is gone (expired), the next request should read the source again"
        )
    calls = source.calls()
    assert calls == ["alpha", "alpha"], f"the source should be read once per miss, got calls {calls}"


def _redis_info(inspector: redis.Redis, field: str) -> int:
    return int(inspector.info()[field])


@pytest.mark.contract("q30.6", "q30.7")
def test_redis_client_is_shared_by_requests_and_closed_at_shutdown(redis_db: redis.Redis, redis_host: AppHost) -> None:
    source = Source(redis_host)
    baseline_clients = _redis_info(redis_db, "connected_clients")
    connections_before = _redis_info(redis_db, "total_connections_received")
    with redis_host.client() as client:
        for key in ("alpha", "beta", "gamma"):
            assert get_data(client, key, "MISS") == source.value(key, 1), f"GET /data/{key} should answer its value"
            assert get_data(client, key, "HIT") == source.value(key, 1), f"GET /data/{key} should now be a hit"
        opened = _redis_info(redis_db, "total_connections_received") - connections_before
        assert 1 <= opened <= 2, (
            f"six requests should share the one client created at start-up (one connection), but they opened "
            f"{opened} connections to Redis"
        )
    deadline = time.monotonic() + 5
    while _redis_info(redis_db, "connected_clients") > baseline_clients and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _redis_info(redis_db, "connected_clients") - baseline_clients
    assert left == 0, f"the Redis client should be closed at shutdown, but {left} connection(s) stayed open"


@pytest.mark.contract("q30.6", "q30.7")
def test_redis_url_is_read_at_start_up(redis_db: redis.Redis, redis_server: RedisServer, start_host: StartHost) -> None:
    host = start_host(tcp_ports=(redis_server.port,))  # imported without REDIS_URL
    source = Source(host)
    host.helper("q30.set_environment", name="REDIS_URL", value=redis_server.app_url)
    try:
        _check_url_read_at_start_up(host, source, redis_db)
    finally:  # with --in-process the host's environment is this process's
        host.helper("q30.set_environment", name="REDIS_URL", value=None)


def _check_url_read_at_start_up(host: AppHost, source: Source, redis_db: redis.Redis) -> None:
    with host.client() as client:
        assert get_data(client, "alpha", "MISS") == source.value("alpha", 1), "the first request should be a miss"
        stored = redis_db.get("data:alpha")
        assert stored is not None and json.loads(stored) == source.value("alpha", 1), (
            "REDIS_URL was set after the import, before start-up: the cache created at start-up should be that "
            f"Redis server, but Redis holds {stored!r} under data:alpha"
        )
    host.helper("q30.set_environment", name="REDIS_URL", value=None)
    with host.client() as client:
        assert get_data(client, "beta", "MISS") == source.value("beta", 1), "the first request should be a miss"
        assert get_data(client, "beta", "HIT") == source.value("beta", 1), "the second request should be a hit"
        assert redis_db.get("data:beta") is None, (
            "REDIS_URL was unset before this start-up: the cache should be in memory, but the value went to Redis"
        )
