"""Hidden tests for q26: lifespan events (start-up and shutdown, in order, with a resource used by a route).

``events`` is the module's own record (the given classes append to it), read as a module-level value. How many
resources a run builds is counted here: their ``__init__`` calls a service of this process first. Declarations are
read from the source, parsed here: the app made with a lifespan and none of the deprecated hooks, and no
resource built by its constructor outside the given classes.
"""

import ast
import uuid
from contextlib import closing

import httpx
import pytest

from grader.judge.bridge import AppHost, CandidateError

OPENED = ["pool opened", "cache opened"]
FULL_RUN = ["pool opened", "cache opened", "cache closed", "pool closed"]
RESOURCES = ("ConnectionPool", "Cache")

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


def _constructions_outside_the_given_classes(source: bytes) -> list[str]:
    """Every call ``ConnectionPool(...)`` / ``Cache(...)`` in the source, except inside the given classes."""
    tree = ast.parse(source)
    given = {
        inner
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name in RESOURCES
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if node in given or not isinstance(node, ast.Call):
            continue
        function = node.func
        name = (
            function.id
            if isinstance(function, ast.Name)
            else function.attr
            if isinstance(function, ast.Attribute)
            else ""
        )
        if name in RESOURCES:
            found.append(f"line {node.lineno}: {name}(...)")
    return found


@pytest.mark.contract("q26.1", "q26.4")
def test_one_pool_and_one_cache_are_built_per_run(host: AppHost) -> None:
    direct = _constructions_outside_the_given_classes(host.source)
    assert not direct, (
        "create the resources only with await ConnectionPool.open() and await Cache.open() (once per run, in the "
        f"lifespan), never with their constructors; the source calls {direct}"
    )
    host.helper("q26.forward_constructions", service="q26.built")  # every __init__ calls the judge first
    with closing(host.client()) as client:
        for user_id in (1, 2, 1, 3):
            get_user(client, user_id)
        assert client.get("/users/99").status_code == 404, "GET /users/99 should answer 404"
    built = [call.args[0] if call.args else None for call in host.service_calls("q26.built")]
    assert built == ["ConnectionPool", "Cache"], (
        "a run should build exactly one ConnectionPool and then one Cache, both through their open() at start-up, "
        f"and share them with every request; built, in order: {built}"
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
    message = f"cache unavailable {uuid.uuid4().hex}"
    host.helper("q26.break_cache_open", message=message)
    with pytest.raises(CandidateError, match=rf"^RuntimeError: {message}"), closing(host.client()):
        pytest.fail("the app started although Cache.open() raised")
    events = host.fact("events")
    assert events == ["pool opened", "pool closed"], (
        "when the cache cannot be opened, start-up should fail and the pool already opened should be closed: "
        f'expected events ["pool opened", "pool closed"], got {events}'
    )


_DEPRECATED_HOOKS = ("on_event", "add_event_handler")
_DEPRECATED_KEYWORDS = ("on_startup", "on_shutdown")


def _is_fastapi(function: ast.expr) -> bool:
    return (isinstance(function, ast.Name) and function.id == "FastAPI") or (
        isinstance(function, ast.Attribute) and function.attr == "FastAPI"
    )


@pytest.mark.contract("q26.2")
def test_app_is_declared_with_a_lifespan_and_no_deprecated_hook(host: AppHost) -> None:
    tree = ast.parse(host.source)
    apps_with_lifespan = []
    for node in ast.walk(tree):
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if (
            isinstance(value, ast.Call)
            and _is_fastapi(value.func)
            and any(isinstance(t, ast.Name) and t.id == "app" for t in targets)
            and any(k.arg == "lifespan" for k in value.keywords)
        ):
            apps_with_lifespan.append(node.lineno)
    assert apps_with_lifespan, (
        "the source should create the app with its lifespan: app = FastAPI(lifespan=...) (read in the source)"
    )
    deprecated = sorted(
        {
            f"line {node.lineno}: {node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in _DEPRECATED_HOOKS
        }
        | {
            f"line {node.value.lineno}: {node.arg}="
            for node in ast.walk(tree)
            if isinstance(node, ast.keyword) and node.arg in _DEPRECATED_KEYWORDS
        }
    )
    assert not deprecated, (
        "start-up and shutdown belong in the lifespan: the deprecated event hooks (on_event, add_event_handler, "
        f"on_startup=, on_shutdown=) emit a DeprecationWarning; the source uses {deprecated}"
    )
