"""Hidden tests for q15: file uploads (content type, size and emptiness checks, several files, checksums)."""

import hashlib
from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost

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
    assert set(body) == {"detail"}, f'{what}: the error body should be exactly {{"detail": ...}}, got {response.text}'


FILE_KEYS = {"filename", "content_type", "size", "sha256"}


def assert_described(info: object, name: str, content: bytes, content_type: str, what: str) -> None:
    """One file's description: exactly the four keys, the name and the declared type as sent, bytes and digest."""
    assert isinstance(info, dict), f"{what}: a file should be described by an object, got {info!r}"
    assert set(info) == FILE_KEYS, (
        f"{what}: a file's description has exactly the keys {sorted(FILE_KEYS)}, got {sorted(info)}"
    )
    expected = {"filename": name, "content_type": content_type, "size": len(content), "sha256": sha256(content)}
    for key, value in expected.items():
        assert info[key] == value, f"{what}: {key!r} should be {value!r}, got {info[key]!r}"


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


@pytest.mark.contract("q15.1")
def test_names_types_and_contents_are_reported_exactly_as_sent(client: httpx.Client) -> None:
    cases = [
        ("résumé 2024.pdf", "%PDF-1.7 ünïcödé ✓".encode(), "application/pdf"),
        ("写真 (1).png", PNG_BYTES * 3, "image/png"),
        ("🙂 notes.txt", "grüße, 世界 🙂\n".encode(), "text/plain; charset=utf-8"),
        ("Cafe\u0301.txt", "e\u0301".encode(), "Text/Plain"),
        ("scan.JPG", bytes(range(256)) * 3 + b"\x00", "IMAGE/JPEG"),
        ("one-byte.txt", b"\x00", "text/plain ; charset=UTF-8"),
        ("latin1.txt", "café\r\nnaïve\r\n".encode("latin-1"), "text/plain; charset=latin-1"),
        ("bom.txt", b"\xef\xbb\xbfBOM first\r\n", "text/plain"),
    ]
    for name, content, content_type in cases:
        response = client.post("/upload/", files={"file": (name, content, content_type)})
        assert response.status_code == 200, (
            f"POST /upload/ of {name!r} declared {content_type!r} should answer 200, got {response.status_code}: "
            f"{response.text}"
        )
        assert_described(response.json(), name, content, content_type, f"POST /upload/ of {name!r}")


@pytest.mark.contract("q15.1")
def test_a_name_with_directories_is_reported_whole(client: httpx.Client) -> None:
    # Starlette and python-multipart keep a relative or '/'-rooted path in the filename as sent (they strip only
    # a Windows drive or UNC path, which is not tested here), so "as sent" keeps the directories too.
    cases = [
        ("dir/sub/notes.txt", b"nested\n", "text/plain"),
        ("/home/me/Photos/cat.png", PNG_BYTES, "image/png"),
        ("reports\\2024\\q1.pdf", b"%PDF-1.4 q1", "application/pdf"),
        ("../up/../résumé.txt", "naïve\n".encode(), "text/plain; charset=utf-8"),
    ]
    for name, content, content_type in cases:
        response = client.post("/upload/", files={"file": (name, content, content_type)})
        assert response.status_code == 200, (
            f"POST /upload/ of {name!r} should answer 200, got {response.status_code}: {response.text}"
        )
        assert_described(response.json(), name, content, content_type, f"POST /upload/ of {name!r} (whole name)")
    response = client.post("/uploads/", files=[("files", case) for case in cases])
    assert response.status_code == 200, f"POST /uploads/ should answer 200, got {response.status_code}: {response.text}"
    listed = response.json().get("files")
    assert isinstance(listed, list) and len(listed) == len(cases), f"'files' should list {len(cases)} files: {listed}"
    for (name, content, content_type), info in zip(cases, listed, strict=True):
        assert_described(info, name, content, content_type, f"POST /uploads/ with {name!r} (whole name)")


@pytest.mark.contract("q15.2")
def test_the_media_type_is_compared_without_case_spaces_or_parameters(client: httpx.Client) -> None:
    for content_type in (
        "IMAGE/PNG",
        "Application/PDF",
        " text/plain ",
        "image/jpeg;q=1",
        "TEXT/PLAIN ; charset=latin-1",
    ):
        response = client.post("/upload/", files={"file": ("f.bin", b"\x01\x02", content_type)})
        assert response.status_code == 200, (
            f"a file declared {content_type!r} has an allowed media type and should answer 200, "
            f"got {response.status_code}: {response.text}"
        )
    for content_type in (
        "text/html",
        "image/gif",
        "text/plain-extended",
        "image/pngx",
        "application/pdf+zip",
        "text",
        "plain/text",
        "image/svg+xml",
        "application/octet-stream",
    ):
        response = client.post("/upload/", files={"file": ("f.bin", b"\x01\x02", content_type)})
        assert_refused(response, 415, f"uploading a file declared {content_type!r}")


@pytest.mark.contract("q15.2")
def test_size_limits_at_each_boundary(client: httpx.Client, host: AppHost) -> None:
    assert host.fact("MAX_FILE_SIZE") == MIB, "MAX_FILE_SIZE should be 1 MiB, 1_048_576 bytes"
    assert client.post("/upload/", files={"file": ("a.txt", b"a", "text/plain")}).status_code == 200, (
        "a file of one byte should be accepted"
    )
    for size in (MIB - 1, MIB):
        content = bytes((i * 7) % 251 for i in range(size))
        response = client.post("/upload/", files={"file": ("edge.bin", content, "application/pdf")})
        assert response.status_code == 200, f"a file of {size} bytes should be accepted, got {response.status_code}"
        assert_described(response.json(), "edge.bin", content, "application/pdf", f"a file of {size} bytes")
    for size in (MIB + 1, MIB + 4097, 3 * MIB):
        response = client.post("/upload/", files={"file": ("big.bin", b"z" * size, "image/png")})
        assert_refused(response, 413, f"uploading a file of {size} bytes")


@pytest.mark.contract("q15.2")
def test_every_refusal_has_exactly_a_detail_on_both_routes(client: httpx.Client) -> None:
    bad = [
        (("evil.exe", b"MZ", "application/x-msdownload"), 415),
        (("empty.png", b"", "image/png"), 400),
        (("huge.txt", b"h" * (MIB + 1), "text/plain"), 413),
    ]
    for file, expected in bad:
        assert_refused(client.post("/upload/", files={"file": file}), expected, f"POST /upload/ of {file[0]}")
        assert_refused(
            client.post("/uploads/", files=[("files", file)]), expected, f"POST /uploads/ of {file[0]} alone"
        )


@pytest.mark.contract("q15.3")
def test_several_files_are_all_listed_with_exact_keys_duplicates_included(client: httpx.Client) -> None:
    sent = [
        ("z-notes.txt", "première ligne\n".encode(), "text/plain; charset=utf-8"),
        ("b.png", PNG_BYTES, "IMAGE/PNG"),
        ("z-notes.txt", "première ligne\n".encode(), "text/plain; charset=utf-8"),
        ("報告.pdf", b"%PDF" + bytes(range(200)), "application/pdf"),
    ]
    response = client.post("/uploads/", files=[("files", item) for item in sent])
    assert response.status_code == 200, f"POST /uploads/ should answer 200, got {response.status_code}: {response.text}"
    body = response.json()
    assert set(body) == {"files", "count", "total_size"}, (
        f"POST /uploads/ answers exactly files, count, total_size: {body}"
    )
    assert isinstance(body["files"], list) and len(body["files"]) == len(sent), (
        f"every file sent is listed, the same one twice included: expected {len(sent)}, got {response.text}"
    )
    for index, ((name, content, content_type), info) in enumerate(zip(sent, body["files"], strict=True)):
        assert_described(info, name, content, content_type, f"file {index} of POST /uploads/")
    assert body["count"] == len(sent), f"count should be {len(sent)}, got {body['count']!r}"
    assert body["total_size"] == sum(len(c) for _, c, _ in sent), f"total_size should sum the sizes, got {body}"


@pytest.mark.contract("q15.3")
def test_one_file_alone_and_the_limit_per_file(client: httpx.Client) -> None:
    one = ("seul.txt", b"x" * 31, "text/plain")
    response = client.post("/uploads/", files=[("files", one)])
    assert response.status_code == 200, f"POST /uploads/ with one file should answer 200, got {response.status_code}"
    body = response.json()
    assert body.get("count") == 1 and body.get("total_size") == 31, f"one file: count 1, total_size 31; got {body}"
    assert_described(body["files"][0], *one, "the one file of POST /uploads/")
    big = 700 * 1024
    files = [("files", (f"part{i}.bin", bytes([i]) * big, "application/pdf")) for i in (1, 2)]
    response = client.post("/uploads/", files=files)
    assert response.status_code == 200, (
        f"two files of 700 KiB are each under the limit and should be accepted together, got {response.status_code}"
    )
    assert response.json().get("total_size") == 2 * big, f"total_size should be {2 * big}, got {response.text[:200]}"


@pytest.mark.contract("q15.3")
def test_the_first_bad_file_in_the_order_sent_decides_the_status(client: httpx.Client) -> None:
    ok = ("ok.txt", b"fine", "text/plain")
    empty = ("empty.txt", b"", "text/plain")
    html = ("page.html", b"<p>hi</p>", "text/html")
    big = ("big.pdf", b"p" * (MIB + 1), "application/pdf")
    for files, expected in (
        ([ok, empty, html], 400),
        ([ok, html, empty], 415),
        ([big, html], 413),
        ([ok, ok, html, big], 415),
        ([empty, big, ok], 400),
        ([ok, big, empty], 413),
    ):
        names = [name for name, _, _ in files]
        response = client.post("/uploads/", files=[("files", file) for file in files])
        assert_refused(response, expected, f"POST /uploads/ of {names} (the first bad file decides)")


@pytest.mark.contract("q15.4")
def test_a_field_that_is_no_file_or_no_body_at_all_is_422(client: httpx.Client) -> None:
    assert client.post("/upload/", files={"file": ("a.txt", b"a", "text/plain")}).status_code == 200, (
        "POST /upload/ with a file should answer 200"
    )
    for path, field in (("/upload/", "file"), ("/uploads/", "files")):
        for kwargs in ({}, {"data": {field: "just text"}}, {"json": {field: "x"}}):
            response = client.post(path, **kwargs)
            assert response.status_code == 422, (
                f"POST {path} without a file in the field {field!r} ({sorted(kwargs) or 'no body'}) should answer 422, "
                f"got {response.status_code}"
            )
