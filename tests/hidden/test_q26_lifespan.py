"""Hidden tests for q26: lifespan events (start-up and shutdown, in order, with a resource used by a route)."""

from contextlib import closing

import httpx
import pytest

from grader.bridge import AppHost, CandidateError

OPENED = ["pool opened", "cache opened"]
FULL_RUN = ["pool opened", "cache opened", "cache closed", "pool closed"]

# `with closing(host.client())`: the app starts at host.client() and stops when the block closes the client.


def get_user(client: httpx.Client, user_id: int) -> dict[str, object]:
    response = client.get(f"/users/{user_id}")
    assert response.status_code == 200, (
        f"GET /users/{user_id} should answer 200, got {response.status_code}: {response.text}"
    )
    return response.json()


@pytest.mark.contract("q26.3")
def test_nothing_is_opened_before_startup(host: AppHost) -> None:
    imported = host.fact("events")
    assert imported == [], f"importing the module should open nothing, events = {imported}"
    with closing(host.client(lifespan=False)):
        created = host.fact("events")
    assert created == [], f"creating a client on the app (not started yet) should open nothing, events = {created}"
    with closing(host.client()):
        started = host.fact("events")
        assert started == OPENED, (
            f"at start-up the pool then the cache should be opened: expected events {OPENED}, got {started}"
        )


@pytest.mark.contract("q26.3")
def test_startup_runs_before_the_first_request(host: AppHost) -> None:
    with closing(host.client()) as client:
        started = host.fact("events")
        get_user(client, 1)
    assert started == OPENED, (
        f"before the first request, events should be {OPENED} (opened by the lifespan, not lazily), got {started}"
    )


@pytest.mark.contract("q26.3", "q26.4")
def test_resources_are_shared_by_all_requests(host: AppHost) -> None:
    with closing(host.client()) as client:
        for user_id in (1, 2, 1, 3, 2, 1):
            get_user(client, user_id)
        assert client.get("/users/99").status_code == 404, "GET /users/99 should answer 404"
        during = host.fact("events")
    assert during == OPENED, (
        "one pool and one cache should serve every request, and nothing should be closed while the app runs: "
        f"after several requests events should still be {OPENED}, got {during}"
    )


@pytest.mark.contract("q26.1", "q26.4")
def test_one_pool_and_one_cache_are_built_per_run(host: AppHost) -> None:
    host.helper("q26.count_instances")
    with closing(host.client()) as client:
        for user_id in (1, 2, 1, 3):
            get_user(client, user_id)
        assert client.get("/users/99").status_code == 404, "GET /users/99 should answer 404"
    made = host.helper("q26.instances")
    assert made == {"ConnectionPool": 1, "Cache": 1}, (
        "a run should build exactly one ConnectionPool and one Cache, both through their open() at start-up, "
        f"and share them with every request; built: {made}"
    )


@pytest.mark.contract("q26.1", "q26.5")
def test_shutdown_closes_cache_then_pool(host: AppHost) -> None:
    with closing(host.client()) as client:
        get_user(client, 1)
    events = host.fact("events")
    assert events == FULL_RUN, f"a full run should record {FULL_RUN} (the cache closed before the pool), got {events}"


@pytest.mark.contract("q26.8")
def test_user_is_read_from_the_pool_first(client: httpx.Client) -> None:
    body = get_user(client, 1)
    assert body == {"id": 1, "name": "Ada", "source": "db"}, (
        f'the first GET /users/1 should answer {{"id": 1, "name": "Ada", "source": "db"}}, got {body}'
    )


@pytest.mark.contract("q26.4", "q26.8")
def test_repeated_user_is_served_from_the_cache(client: httpx.Client) -> None:
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


@pytest.mark.contract("q26.8")
def test_unknown_user_is_404(client: httpx.Client) -> None:
    get_user(client, 1)
    response = client.get("/users/99")
    assert response.status_code == 404, f"GET /users/99 should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "User not found"}, (
        f'GET /users/99 should answer {{"detail": "User not found"}}, got {response.json()}'
    )


@pytest.mark.contract("q26.6")
def test_app_restarts_with_fresh_resources(host: AppHost) -> None:
    with closing(host.client()) as client:
        get_user(client, 1)
        assert get_user(client, 1)["source"] == "cache", 'the second GET /users/1 should come from "cache"'
    with closing(host.client()) as client:
        again = get_user(client, 1)
    assert again == {"id": 1, "name": "Ada", "source": "db"}, (
        f'after a restart, GET /users/1 should work and come from "db" (a fresh, empty cache), got {again}'
    )
    events = host.fact("events")
    assert events == FULL_RUN + FULL_RUN, f"two runs should record the full cycle twice, {FULL_RUN} each, got {events}"


@pytest.mark.contract("q26.7")
def test_failed_startup_closes_what_was_opened(host: AppHost) -> None:
    host.helper("q26.break_cache_open", message="cache unavailable")
    with pytest.raises(CandidateError, match=r"^RuntimeError: cache unavailable"), closing(host.client()):
        pytest.fail("the app started although Cache.open() raised")
    events = host.fact("events")
    assert events == ["pool opened", "pool closed"], (
        "when the cache cannot be opened, start-up should fail and the pool already opened should be closed: "
        f'expected events ["pool opened", "pool closed"], got {events}'
    )


@pytest.mark.contract("q26.2")
def test_no_deprecation_warning(host: AppHost) -> None:
    run = host.helper("q26.fresh_run_recording_warnings", user_id=1)
    assert run["status"] == 200, f"GET /users/1 should answer 200, got {run['status']}: {run['text']}"
    deprecations = run["deprecations"]
    assert not deprecations, (
        f"importing and running the app should emit no DeprecationWarning (no on_event): {deprecations}"
    )
    assert run["events"] == FULL_RUN, f"a full run should record {FULL_RUN}, got {run['events']}"
