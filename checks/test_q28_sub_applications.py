"""Public checks for q28: a sub API mounted under /subapi, as tests you can read and run.

`fastlings check 28` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract, the separate docs and OpenAPI schemas included.
"""

from types import ModuleType

from fastapi.testclient import TestClient


def test_main_and_sub_routes_answer_only_where_they_belong(client: TestClient) -> None:
    main = client.get("/app")
    assert main.status_code == 200, f"GET /app should answer 200, got {main.status_code}"
    assert main.json() == {"message": "Hello World from main app"}, (
        f"GET /app should answer {{'message': 'Hello World from main app'}}, got {main.json()}"
    )
    sub = client.get("/subapi/sub")
    assert sub.status_code == 200, f"GET /subapi/sub should answer 200, got {sub.status_code}"
    assert sub.json() == {"message": "Hello World from sub API"}, (
        f"GET /subapi/sub should answer {{'message': 'Hello World from sub API'}}, got {sub.json()}"
    )
    outside = client.get("/sub")
    assert outside.status_code == 404, f"GET /sub (outside the mount) should answer 404, got {outside.status_code}"
    inside = client.get("/subapi/app")
    assert inside.status_code == 404, (
        f"GET /subapi/app (a main route under the mount) should answer 404, got {inside.status_code}"
    )


def test_info_reports_the_mount_root_path_and_url(client: TestClient) -> None:
    response = client.get("/subapi/info")
    assert response.status_code == 200, f"GET /subapi/info should answer 200, got {response.status_code}"
    expected = {"root_path": "/subapi", "sub_url": "http://testserver/subapi/sub"}
    assert response.json() == expected, f"GET /subapi/info should answer {expected}, got {response.json()}"


def test_each_app_keeps_its_own_404_body(client: TestClient) -> None:
    sub = client.get("/subapi/nope")
    assert sub.status_code == 404, f"GET /subapi/nope should answer 404, got {sub.status_code}"
    assert sub.json() == {"error": "Not Found"}, (
        f"the sub API's 404 body should be {{'error': 'Not Found'}}, got {sub.json()}"
    )
    main = client.get("/nope")
    assert main.status_code == 404, f"GET /nope should answer 404, got {main.status_code}"
    assert main.json() == {"detail": "Not Found"}, (
        f"the main app's 404 body should stay FastAPI's {{'detail': 'Not Found'}}, got {main.json()}"
    )


def test_both_lifespans_run_with_the_main_app(target_module: ModuleType) -> None:
    events = target_module.events
    assert events == [], f"nothing should be recorded at import, but events is {events}"
    with TestClient(target_module.app):
        assert events == ["main startup", "subapi startup"], (
            f"once the app has started, events should be ['main startup', 'subapi startup'], got {events}"
        )
    expected = ["main startup", "subapi startup", "subapi shutdown", "main shutdown"]
    assert events == expected, f"after shutdown, events should be {expected}, got {events}"
