"""Public checks for q15: uploads described and checked, as tests you can read and run.

`fastlings check 15` runs them. Passing them is a good sign, not the grade: the hidden tests check
the whole contract.
"""

import hashlib

from fastapi.testclient import TestClient


def test_upload_describes_the_file(client: TestClient) -> None:
    content = b"hello, uploads\n"
    response = client.post("/upload/", files={"file": ("notes.txt", content, "text/plain")})
    assert response.status_code == 200, f"POST /upload/ should answer 200, got {response.status_code}: {response.text}"
    assert response.json() == {
        "filename": "notes.txt",
        "content_type": "text/plain",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }, f"POST /upload/ should describe the file it received, got {response.json()}"


def test_uploads_describes_every_file_in_order(client: TestClient) -> None:
    first, second = b"first file", b"\x89PNG second file"
    response = client.post(
        "/uploads/",
        files=[("files", ("a.txt", first, "text/plain")), ("files", ("b.png", second, "image/png"))],
    )
    assert response.status_code == 200, f"POST /uploads/ should answer 200, got {response.status_code}: {response.text}"
    body = response.json()
    assert [info.get("filename") for info in body.get("files", [])] == ["a.txt", "b.png"], (
        f"the files should be described in the order sent, got {body}"
    )
    assert body.get("count") == 2, f"count should be 2, got {body.get('count')!r}"
    assert body.get("total_size") == len(first) + len(second), (
        f"total_size should be {len(first) + len(second)}, got {body.get('total_size')!r}"
    )


def test_disallowed_content_type_is_refused_with_415(client: TestClient) -> None:
    response = client.post("/upload/", files={"file": ("run.sh", b"echo hi", "application/x-sh")})
    assert response.status_code == 415, (
        f"a file of type application/x-sh should be refused with 415, got {response.status_code}: {response.text}"
    )
    assert response.json().get("detail"), f"the refusal should explain itself in 'detail', got {response.json()}"


def test_empty_file_is_refused_with_400(client: TestClient) -> None:
    response = client.post("/upload/", files={"file": ("empty.txt", b"", "text/plain")})
    assert response.status_code == 400, (
        f"an empty file should be refused with 400, got {response.status_code}: {response.text}"
    )
    assert response.json().get("detail"), f"the refusal should explain itself in 'detail', got {response.json()}"
