"""Hidden tests for q15: file uploads (content type, size and emptiness checks, several files, checksums)."""

import hashlib
from typing import Any

import httpx
import pytest

MIB = 1024 * 1024
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x80"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def assert_refused(response: Any, expected: int, what: str) -> None:
    assert response.status_code == expected, (
        f"{what} should answer {expected}, got {response.status_code}: {response.text}"
    )
    body = response.json()
    assert isinstance(body, dict), f"{what}: the error body should be a JSON object, got {response.text}"
    detail = body.get("detail")
    assert isinstance(detail, str), f'{what}: the error body should be {{"detail": "<message>"}}, got {response.text}'
    assert detail.strip(), f"{what}: the error detail should say what is wrong, got {response.text}"


@pytest.mark.contract("q15.1")
def test_single_upload_reports_filename_size_and_sha256(client: httpx.Client) -> None:
    content = b"hello, upload\n"
    response = client.post("/upload/", files={"file": ("notes.txt", content, "text/plain")})
    assert response.status_code == 200, f"POST /upload/ should answer 200, got {response.status_code}: {response.text}"
    expected = {"filename": "notes.txt", "content_type": "text/plain", "size": len(content), "sha256": sha256(content)}
    body = response.json()
    for key, value in expected.items():
        assert body.get(key) == value, f"POST /upload/: {key!r} should be {value!r}, got {body.get(key)!r}"


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [("picture.png", "image/png"), ("photo.jpg", "image/jpeg"), ("report.pdf", "application/pdf")],
)
@pytest.mark.contract("q15.1", "q15.2")
def test_each_allowed_type_accepted_with_binary_content(client: httpx.Client, filename: str, content_type: str) -> None:
    content = PNG_BYTES + filename.encode()
    response = client.post("/upload/", files={"file": (filename, content, content_type)})
    assert response.status_code == 200, (
        f"uploading a {content_type} file should answer 200, got {response.status_code}: {response.text}"
    )
    body = response.json()
    assert body.get("size") == len(content), f"size should be {len(content)} bytes, got {body.get('size')!r}"
    assert body.get("sha256") == sha256(content), "sha256 should be the SHA-256 hex digest of the raw bytes sent"


@pytest.mark.contract("q15.2")
def test_content_type_parameters_are_ignored(client: httpx.Client) -> None:
    content = "grüße\n".encode()
    response = client.post("/upload/", files={"file": ("greeting.txt", content, "text/plain; charset=utf-8")})
    assert response.status_code == 200, (
        "a file declared as 'text/plain; charset=utf-8' is text/plain and should be accepted, "
        f"got {response.status_code}: {response.text}"
    )
    assert response.json().get("size") == len(content), f"size should be {len(content)}, got {response.text}"


@pytest.mark.contract("q15.2")
def test_disallowed_content_type_is_415(client: httpx.Client) -> None:
    response = client.post("/upload/", files={"file": ("setup.exe", b"MZ\x90\x00", "application/x-msdownload")})
    assert_refused(response, 415, "uploading an application/x-msdownload file")


@pytest.mark.contract("q15.2")
def test_empty_file_is_400(client: httpx.Client) -> None:
    response = client.post("/upload/", files={"file": ("empty.txt", b"", "text/plain")})
    assert_refused(response, 400, "uploading an empty file")


@pytest.mark.contract("q15.2")
def test_file_over_the_limit_is_413(client: httpx.Client) -> None:
    response = client.post("/upload/", files={"file": ("big.txt", b"a" * (MIB + 1), "text/plain")})
    assert_refused(response, 413, "uploading a file of 1 MiB + 1 byte")


@pytest.mark.contract("q15.1", "q15.2")
def test_file_of_exactly_the_limit_is_accepted(client: httpx.Client) -> None:
    content = b"b" * MIB
    response = client.post("/upload/", files={"file": ("exact.txt", content, "text/plain")})
    assert response.status_code == 200, (
        f"a file of exactly 1 MiB (1_048_576 bytes) should be accepted, got {response.status_code}: {response.text}"
    )
    body = response.json()
    assert body.get("size") == MIB, f"size should be {MIB}, got {body.get('size')!r}"
    assert body.get("sha256") == sha256(content), "sha256 should be the SHA-256 hex digest of the whole content"


@pytest.mark.contract("q15.4")
def test_missing_file_field_is_422(client: httpx.Client) -> None:
    good = client.post("/upload/", files={"file": ("a.txt", b"a", "text/plain")})
    assert good.status_code == 200, f"POST /upload/ with a file should answer 200, got {good.status_code}"
    response = client.post("/upload/", files={"attachment": ("a.txt", b"a", "text/plain")})
    assert response.status_code == 422, (
        f"POST /upload/ without the form field 'file' should answer 422, got {response.status_code}"
    )
    several = client.post("/uploads/", files={"file": ("a.txt", b"a", "text/plain")})
    assert several.status_code == 422, (
        f"POST /uploads/ without the form field 'files' should answer 422, got {several.status_code}: {several.text}"
    )


@pytest.mark.contract("q15.1", "q15.3")
def test_several_files_reported_in_order(client: httpx.Client) -> None:
    sent = [  # neither alphabetical nor by size: the order sent is the only order that fits
        ("zeta.txt", b"one", "text/plain"),
        ("alpha.png", PNG_BYTES, "image/png"),
        ("mid.txt", b"3", "text/plain"),
    ]
    response = client.post("/uploads/", files=[("files", item) for item in sent])
    assert response.status_code == 200, f"POST /uploads/ should answer 200, got {response.status_code}: {response.text}"
    body = response.json()
    files = body.get("files")
    assert isinstance(files, list) and len(files) == 3, f"'files' should list the 3 files sent, got {response.text}"
    for (name, content, _), info in zip(sent, files, strict=True):
        assert info.get("filename") == name, f"files should be reported in the order sent, got {response.text}"
        assert info.get("size") == len(content), f"{name}: size should be {len(content)}, got {info.get('size')!r}"
        assert info.get("sha256") == sha256(content), f"{name}: sha256 should be the SHA-256 hex digest"
    assert body.get("count") == 3, f"count should be 3, got {body.get('count')!r}"
    total = sum(len(content) for _, content, _ in sent)
    assert body.get("total_size") == total, f"total_size should be {total}, got {body.get('total_size')!r}"


@pytest.mark.contract("q15.2", "q15.3")
def test_several_files_with_a_bad_type_are_refused(client: httpx.Client) -> None:
    files = [
        ("files", ("ok.txt", b"fine", "text/plain")),
        ("files", ("page.html", b"<html></html>", "text/html")),
    ]
    assert_refused(client.post("/uploads/", files=files), 415, "POST /uploads/ where the second file is text/html")


@pytest.mark.contract("q15.2", "q15.3")
def test_several_files_with_an_empty_one_are_refused(client: httpx.Client) -> None:
    files = [
        ("files", ("ok.txt", b"fine", "text/plain")),
        ("files", ("empty.txt", b"", "text/plain")),
    ]
    assert_refused(client.post("/uploads/", files=files), 400, "POST /uploads/ where the second file is empty")


@pytest.mark.contract("q15.2", "q15.3")
def test_several_files_with_a_large_one_are_refused(client: httpx.Client) -> None:
    files = [
        ("files", ("ok.txt", b"fine", "text/plain")),
        ("files", ("big.txt", b"c" * (MIB + 1), "text/plain")),
    ]
    assert_refused(client.post("/uploads/", files=files), 413, "POST /uploads/ where the second file is 1 MiB + 1 byte")
