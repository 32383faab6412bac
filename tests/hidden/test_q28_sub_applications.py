"""Hidden tests for q28: a mounted sub-application with its own routes, errors, docs, schema and lifespan."""

from contextlib import closing
from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost

MAIN_MESSAGE = {"message": "Hello World from main app"}
SUB_MESSAGE = {"message": "Hello World from sub API"}

# `with closing(host.client())`: the app starts at host.client() and stops when the block closes the client.


def get_json(client: httpx.Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, f"GET {path} should answer 200, got {response.status_code}: {response.text}"
    return response.json()


@pytest.mark.contract("q28.2")
def test_main_route(client: httpx.Client) -> None:
    body = get_json(client, "/app")
    assert body == MAIN_MESSAGE, f"GET /app should answer {MAIN_MESSAGE}, got {body}"


@pytest.mark.contract("q28.3")
def test_sub_route_is_served_under_the_mount(client: httpx.Client) -> None:
    body = get_json(client, "/subapi/sub")
    assert body == SUB_MESSAGE, f"GET /subapi/sub should answer {SUB_MESSAGE}, got {body}"


@pytest.mark.contract("q28.1", "q28.3")
def test_the_mounted_app_is_named_subapi(host: AppHost) -> None:
    with closing(host.client(app="subapi", lifespan=False)) as sub_client:
        body = get_json(sub_client, "/sub")
    assert body == SUB_MESSAGE, f"the module's `subapi` should serve GET /sub with {SUB_MESSAGE}, got {body}"
    with closing(host.client()) as client:
        assert get_json(client, "/subapi/sub") == SUB_MESSAGE, "the module's `subapi` should be mounted at /subapi"


@pytest.mark.contract("q28.3")
def test_sub_routes_are_not_reachable_outside_the_mount(client: httpx.Client) -> None:
    get_json(client, "/subapi/sub")
    for path in ("/sub", "/info"):
        status = client.get(path).status_code
        assert status == 404, f"GET {path} should answer 404 (the sub API lives only under /subapi), got {status}"


@pytest.mark.contract("q28.3")
def test_main_routes_are_not_reachable_inside_the_mount(client: httpx.Client) -> None:
    get_json(client, "/app")
    get_json(client, "/subapi/sub")
    status = client.get("/subapi/app").status_code
    assert status == 404, f"GET /subapi/app should answer 404 (main routes are not part of the sub API), got {status}"


@pytest.mark.contract("q28.4")
def test_sub_app_sees_its_mount_path(host: AppHost) -> None:
    with closing(host.client()) as client:
        body = get_json(client, "/subapi/info")
    expected = {"root_path": "/subapi", "sub_url": "http://testserver/subapi/sub"}
    assert body == expected, f"GET /subapi/info should answer {expected}, got {body}"
    with closing(host.client(base_url="http://api.example.com")) as client:
        body = get_json(client, "/subapi/info")
    expected = {"root_path": "/subapi", "sub_url": "http://api.example.com/subapi/sub"}
    assert body == expected, (
        f"with base_url http://api.example.com, GET /subapi/info should answer {expected} (use request.url_for), "
        f"got {body}"
    )


@pytest.mark.contract("q28.5")
def test_sub_api_has_its_own_error_body(client: httpx.Client) -> None:
    get_json(client, "/subapi/sub")
    response = client.get("/subapi/nope")
    assert response.status_code == 404, f"GET /subapi/nope should answer 404, got {response.status_code}"
    assert response.json() == {"error": "Not Found"}, (
        f'GET /subapi/nope should answer the sub API\'s own body {{"error": "Not Found"}}, got {response.json()}'
    )
    response = client.post("/subapi/sub")
    assert response.status_code == 405, f"POST /subapi/sub should answer 405, got {response.status_code}"
    assert response.json() == {"error": "Method Not Allowed"}, (
        f'every HTTP error of the sub API has its own body: POST /subapi/sub should answer {{"error": '
        f'"Method Not Allowed"}}, got {response.json()}'
    )
    response = client.get("/nope")
    assert response.status_code == 404, f"GET /nope should answer 404, got {response.status_code}"
    assert response.json() == {"detail": "Not Found"}, (
        f'the main app should keep the default 404 body {{"detail": "Not Found"}}, got {response.json()}'
    )


@pytest.mark.contract("q28.1", "q28.6")
def test_main_schema_lists_only_main_routes(client: httpx.Client) -> None:
    spec = get_json(client, "/openapi.json")
    assert spec.get("info", {}).get("title") == "Main API", "/openapi.json should have the title 'Main API'"
    paths = set(spec.get("paths", {}))
    assert "/app" in paths, f"/openapi.json should list /app, got {sorted(paths)}"
    leaked = sorted(path for path in paths if "sub" in path or "info" in path)
    assert not leaked, f"/openapi.json should not list the sub API's routes, got {leaked}"


@pytest.mark.contract("q28.1", "q28.6")
def test_sub_schema_lists_only_sub_routes(client: httpx.Client) -> None:
    spec = get_json(client, "/subapi/openapi.json")
    assert spec.get("info", {}).get("title") == "Sub API", "/subapi/openapi.json should have the title 'Sub API'"
    paths = set(spec.get("paths", {}))
    assert paths == {"/sub", "/info"}, (
        f"/subapi/openapi.json should list exactly /sub and /info (relative to the mount), got {sorted(paths)}"
    )
    assert spec.get("servers") == [{"url": "/subapi"}], (
        f'/subapi/openapi.json should have "servers": [{{"url": "/subapi"}}], got {spec.get("servers")}'
    )


@pytest.mark.contract("q28.6")
def test_each_app_has_its_own_docs(client: httpx.Client) -> None:
    pages = {}
    for path in ("/docs", "/subapi/docs"):
        response = client.get(path)
        assert response.status_code == 200, f"GET {path} should answer 200, got {response.status_code}"
        assert response.headers["content-type"].startswith("text/html"), f"GET {path} should answer HTML"
        pages[path] = response.text
    assert "/subapi/openapi.json" in pages["/subapi/docs"], "/subapi/docs should load /subapi/openapi.json"
    assert "/openapi.json" in pages["/docs"], "/docs should load /openapi.json"
    assert "/subapi/openapi.json" not in pages["/docs"], "/docs should load the main schema, not the sub API's"


@pytest.mark.contract("q28.1", "q28.7")
def test_both_lifespans_run_nested(host: AppHost) -> None:
    imported = host.fact("events")
    assert imported == [], f"importing the module should record nothing, events = {imported}"
    with closing(host.client()) as client:
        started = host.fact("events")
        get_json(client, "/subapi/sub")
    expected_start = ["main startup", "subapi startup"]
    assert started == expected_start, (
        f"once the app has started, events should be {expected_start} (the parent does not run a mounted "
        f"app's lifespan by itself), got {started}"
    )
    expected = ["main startup", "subapi startup", "subapi shutdown", "main shutdown"]
    stopped = host.fact("events")
    assert stopped == expected, f"after shutdown, events should be {expected}, got {stopped}"


@pytest.mark.contract("q28.1", "q28.4")
def test_sub_app_served_alone_reads_its_root_path_from_the_request(host: AppHost) -> None:
    with closing(host.client(app="subapi", lifespan=False)) as sub_client:
        body = get_json(sub_client, "/info")
    expected = {"root_path": "", "sub_url": "http://testserver/sub"}
    assert body == expected, (
        f"`subapi` served on its own should answer GET /info with {expected} (read root_path and the URL from the "
        f"request, never write them out), got {body}"
    )


SUB_ERRORS = (
    ("GET", "/subapi/nope", 404, "Not Found"),
    ("GET", "/subapi/", 404, "Not Found"),
    ("GET", "/subapi/sub/extra", 404, "Not Found"),
    ("GET", "/subapi/app", 404, "Not Found"),
    ("POST", "/subapi/sub", 405, "Method Not Allowed"),
    ("PUT", "/subapi/info", 405, "Method Not Allowed"),
    ("DELETE", "/subapi/sub", 405, "Method Not Allowed"),
    ("OPTIONS", "/subapi/info", 405, "Method Not Allowed"),
)
MAIN_ERRORS = (
    ("GET", "/nope", 404, "Not Found"),
    ("GET", "/subapix/sub", 404, "Not Found"),
    ("GET", "/sub", 404, "Not Found"),
    ("POST", "/app", 405, "Method Not Allowed"),
    ("OPTIONS", "/app", 405, "Method Not Allowed"),
)


@pytest.mark.contract("q28.5")
def test_every_http_error_keeps_the_body_of_its_app(client: httpx.Client) -> None:
    get_json(client, "/subapi/sub")
    for errors, key, owner in ((SUB_ERRORS, "error", "the sub API"), (MAIN_ERRORS, "detail", "the main app")):
        for method, path, status, detail in errors:
            response = client.request(method, path)
            assert response.status_code == status, f"{method} {path} should answer {status}, got {response.status_code}"
            assert response.json() == {key: detail}, (
                f"{method} {path} is an error of {owner}: it should answer {{{key!r}: {detail!r}}}, got {response.text}"
            )


@pytest.mark.contract("q28.1", "q28.7")
def test_events_is_one_list_appended_to_across_two_runs(host: AppHost) -> None:
    one_run = ["main startup", "subapi startup", "subapi shutdown", "main shutdown"]
    for run in (1, 2):
        with closing(host.client()) as client:
            get_json(client, "/app")
        recorded = host.fact("events")
        assert recorded == one_run * run, (
            f"after run {run} of the app, events should be {one_run * run} (the given list is kept and appended to, "
            f"never rebound or emptied), got {recorded}"
        )
