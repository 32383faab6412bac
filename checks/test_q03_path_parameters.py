"""Public checks for q03: path parameters of several kinds, as tests you can read and run.

`fastlings check 3` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

from fastapi.testclient import TestClient

from grader.judge.fixtures import error_locs


def test_item_id_is_an_integer(client: TestClient) -> None:
    response = client.get("/items/42")
    assert response.status_code == 200, f"GET /items/42 should answer 200, got {response.status_code}: {response.text}"
    assert response.json() == {"item_id": 42}, (
        f"GET /items/42 should answer item_id as the number 42, got {response.json()}"
    )

    wrong = client.get("/items/abc")
    assert wrong.status_code == 422, f"GET /items/abc should answer 422, got {wrong.status_code}: {wrong.text}"
    assert ["path", "item_id"] in error_locs(wrong.json()), (
        f"the 422 should have an error at loc ['path', 'item_id'], got {wrong.json()}"
    )


def test_users_me_reaches_its_own_route(client: TestClient) -> None:
    me = client.get("/users/me")
    assert me.status_code == 200, f"GET /users/me should answer 200, got {me.status_code}: {me.text}"
    assert me.json() == {"user_id": "the current user"}, (
        f"GET /users/me should answer the current user, got {me.json()}"
    )

    alice = client.get("/users/alice")
    assert alice.status_code == 200, f"GET /users/alice should answer 200, got {alice.status_code}: {alice.text}"
    assert alice.json() == {"user_id": "alice"}, f"GET /users/alice should answer user_id 'alice', got {alice.json()}"


def test_category_accepts_only_the_enum_values(client: TestClient) -> None:
    music = client.get("/categories/music")
    assert music.status_code == 200, f"GET /categories/music should answer 200, got {music.status_code}: {music.text}"
    assert music.json() == {"category": "music"}, f"GET /categories/music should answer music, got {music.json()}"

    toys = client.get("/categories/toys")
    assert toys.status_code == 422, f"GET /categories/toys should answer 422, got {toys.status_code}: {toys.text}"
    assert ["path", "category"] in error_locs(toys.json()), (
        f"the 422 should have an error at loc ['path', 'category'], got {toys.json()}"
    )


def test_file_path_keeps_its_slashes(client: TestClient) -> None:
    response = client.get("/files/home/alice/notes.txt")
    assert response.status_code == 200, (
        f"GET /files/home/alice/notes.txt should answer 200, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"file_path": "home/alice/notes.txt"}, (
        f"file_path should be the whole rest of the path, got {response.json()}"
    )
