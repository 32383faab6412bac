"""Archives are untrusted: every unsafe member is refused with a reason before anything is written."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from grader.book import archives
from grader.book.archives import ArchiveError, extract_archive
from grader.book.submissions import find_exercise_folder


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        for name, data in members.items():
            handle.writestr(name, data)
    return path


def test_a_plain_zip_extracts_and_its_exercise_folder_is_found(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "alice.zip", {"alice/exercises/q02_basic_app.py": b"x = 1\n", "alice/README": b"hi"})
    out = tmp_path / "out"
    out.mkdir()
    extract_archive(archive, out)
    assert (out / "alice/exercises/q02_basic_app.py").read_bytes() == b"x = 1\n"
    assert find_exercise_folder(out) == out / "alice/exercises"


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("/etc/evil.py", "absolute path"),
        ("../evil.py", "outside the archive"),
        ("a/../../evil.py", "outside the archive"),
    ],
)
def test_members_escaping_the_destination_are_refused(tmp_path: Path, name: str, complaint: str) -> None:
    archive = _zip(tmp_path / "bad.zip", {"ok.py": b"", name: b"boom"})
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ArchiveError, match=complaint):
        extract_archive(archive, out)
    assert list(out.iterdir()) == [], "nothing is written when any member is unsafe"


def test_zip_symlinks_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        info = zipfile.ZipInfo("q02_basic_app.py")
        info.external_attr = (0o120777 << 16) | 0
        handle.writestr(info, "/etc/passwd")
    with pytest.raises(ArchiveError, match="is a link"):
        extract_archive(archive, tmp_path)


def test_tar_links_and_devices_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.tar.gz"
    with tarfile.open(archive, "w:gz") as handle:
        info = tarfile.TarInfo("q02_basic_app.py")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        handle.addfile(info)
    with pytest.raises(ArchiveError, match="is a link"):
        extract_archive(archive, tmp_path)


def test_a_zip_bomb_is_refused_by_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBER_BYTES", 1024 * 1024)
    archive = _zip(tmp_path / "bomb.zip", {"q02_basic_app.py": b"\0" * (4 * 1024 * 1024)})
    assert archive.stat().st_size < 50_000, "the archive itself is small"
    with pytest.raises(ArchiveError, match="larger than"):
        extract_archive(archive, tmp_path)


def test_too_many_members_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBERS", 5)
    archive = _zip(tmp_path / "many.zip", {f"f{i}.py": b"" for i in range(6)})
    with pytest.raises(ArchiveError, match="members"):
        extract_archive(archive, tmp_path)


def test_a_file_that_is_no_archive_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "homework.zip"
    fake.write_bytes(b"not a zip at all")
    with pytest.raises(ArchiveError, match="not a zip or tar archive"):
        extract_archive(fake, tmp_path)


def test_a_truncated_zip_is_a_clear_error(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        handle.writestr("q02_basic_app.py", "x = 1\n" * 1000)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(buffer.getvalue()[:-30])
    with pytest.raises(ArchiveError):
        extract_archive(broken, tmp_path)


def test_a_submission_edited_after_submit_is_reported(tmp_path: Path) -> None:
    import hashlib
    import json

    from grader.book.submissions import resolve_submissions

    original = b"app = None\n"
    manifest = {"kit_version": "0", "files": {"q02_basic_app.py": hashlib.sha256(original).hexdigest()}}
    archive = _zip(
        tmp_path / "alice.zip",
        {"exercises/q02_basic_app.py": b"app = 'edited'\n", "manifest.json": json.dumps(manifest).encode()},
    )
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (submission,) = resolve_submissions([archive], scratch)
    assert submission.name == "alice"
    assert submission.warnings == ("files changed after submit: q02_basic_app.py",)
    untouched = _zip(
        tmp_path / "bob.zip",
        {"exercises/q02_basic_app.py": original, "manifest.json": json.dumps(manifest).encode()},
    )
    (clean,) = resolve_submissions([untouched], scratch)
    assert clean.warnings == ()
