"""Archives that cost more to read than they weigh: each is refused cheaply, with a short message.

A red-team round sent a 4 KB ``.tar`` (bzip2 inside) whose first record was a GNU long name declaring 3 GiB:
``tarfile`` read the whole name into memory (12.6 GB), the name then filled the error message, and storing that
message crashed the run for the whole class. A 10 KB bzip2 tar of members holding gigabytes of zeros kept intake
busy for 26 s per 8 GiB before the size check saw them. Now the tar stream is read decompressed up to a bound and
no further, bzip2 and xz are refused by their content, names are capped, and a message shows at most a short cut
of a name or an error.
"""

from __future__ import annotations

import bz2
import gzip
import io
import tarfile
from pathlib import Path

import pytest

from grader.book.archives import MAX_NAME_CHARS, MAX_TAR_STREAM_BYTES, ArchiveError, extract_archive

MESSAGE_CHARS = 400  # a one-line reason, whatever the archive holds


def header(name: str, size: int, kind: bytes = tarfile.REGTYPE) -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.type = size, kind
    return info.tobuf(format=tarfile.GNU_FORMAT)


def long_name_record(declared: int) -> bytes:
    """The header of a GNU long-name record declaring ``declared`` bytes of name (the name itself follows)."""
    info = tarfile.TarInfo("././@LongLink")
    info.size, info.type = declared, tarfile.GNUTYPE_LONGNAME
    return info._create_header(info.get_info(), tarfile.GNU_FORMAT, "utf-8", "surrogateescape")  # type: ignore[attr-defined]


def refused(archive: Path, tmp_path: Path) -> str:
    destination = tmp_path / "out"
    destination.mkdir()
    with pytest.raises(ArchiveError) as caught:
        extract_archive(archive, destination)
    assert list(destination.iterdir()) == [], "an archive refused wrote something"
    message = str(caught.value)
    assert len(message) <= MESSAGE_CHARS, f"a message of {len(message)} characters"
    return message


def test_a_bzip2_tar_named_tar_is_refused_by_its_content(tmp_path: Path) -> None:
    archive = tmp_path / "mallory.tar"
    zeros = bz2.compress(b"A" * 2**24, 9)
    with archive.open("wb") as out:
        out.write(bz2.compress(long_name_record(2**30)))
        for _ in range(64):  # 1 GiB of name, in 1.5 KB
            out.write(zeros)
    assert archive.stat().st_size < 100_000
    assert "bzip2" in refused(archive, tmp_path)


def test_a_gzip_tar_that_unpacks_past_the_bound_is_refused_once_the_bound_is_read(tmp_path: Path) -> None:
    archive = tmp_path / "mallory.tar.gz"
    zeros = gzip.compress(b"\0" * 2**24, 9)
    with archive.open("wb") as out:
        out.write(gzip.compress(header("pad0", 2**32)))
        for _ in range(2**32 // 2**24):  # 4 GiB of zeros declared and really there, in about 4 MB
            out.write(zeros)
    message = refused(archive, tmp_path)
    assert "unpacks to more than" in message, message


def test_a_long_name_inside_the_bound_is_refused_and_shown_cut(tmp_path: Path) -> None:
    name = "q02_basic_app.py" + "/x" * (3 * 2**20)  # 6 MiB of name: inside the stream's bound, far past PATH_MAX
    data = name.encode()
    blocks = data + b"\0" * (-len(data) % 512)
    archive = tmp_path / "mallory.tar"
    archive.write_bytes(long_name_record(len(data)) + blocks + header("ignored", 0) + b"\0" * 1024)
    assert len(data) < MAX_TAR_STREAM_BYTES and len(name) > MAX_NAME_CHARS
    message = refused(archive, tmp_path)
    assert "q02_basic_app.py/x/x" in message and "…" in message, message


def test_a_right_tar_is_still_read(tmp_path: Path) -> None:
    source = b"from fastapi import FastAPI\napp = FastAPI()\n"
    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w:gz") as tar:
        info = tarfile.TarInfo("alice/q02_basic_app.py")
        info.size = len(source)
        tar.addfile(info, io.BytesIO(source))
    archive = tmp_path / "alice.tgz"
    archive.write_bytes(stream.getvalue())
    (tmp_path / "out").mkdir()
    extract_archive(archive, tmp_path / "out")
    assert (tmp_path / "out" / "alice" / "q02_basic_app.py").read_bytes() == source


# -- each bound at, inside and past it --------------------------------------------------------------------------
def tar_of(members: dict[str, bytes]) -> bytes:
    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return stream.getvalue()


def test_an_xz_tar_is_refused_by_its_content(tmp_path: Path) -> None:
    import lzma

    archive = tmp_path / "mallory.tar"
    archive.write_bytes(lzma.compress(tar_of({"q02_basic_app.py": b"app = None\n"})))
    assert "bzip2 or xz" in refused(archive, tmp_path)


@pytest.mark.parametrize("inner", ["gzip", "bzip2"])
def test_a_compressed_stream_inside_the_gzip_is_not_opened_again(tmp_path: Path, inner: str) -> None:
    """The decompressed stream is read as a plain tar: tarfile would otherwise decompress it once more, with no
    bound (a bzip2 bomb inside a gzip)."""
    tar = tar_of({"q02_basic_app.py": b"app = None\n"})
    archive = tmp_path / "mallory.tar.gz"
    archive.write_bytes(gzip.compress(gzip.compress(tar) if inner == "gzip" else bz2.compress(tar)))
    assert "not a zip or tar archive" in refused(archive, tmp_path)


def test_the_stream_is_read_up_to_its_bound_and_not_a_byte_further(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader.book import archives

    tar = tar_of({"q02_basic_app.py": b"x" * 3000})
    monkeypatch.setattr(archives, "MAX_TAR_STREAM_BYTES", len(tar))
    read: list[int] = []

    class Counting(gzip.GzipFile):
        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            read.append(len(data))
            return data

    monkeypatch.setattr(archives.gzip, "GzipFile", Counting)
    exact = tmp_path / "exact.tar.gz"
    exact.write_bytes(gzip.compress(tar))
    (tmp_path / "first").mkdir()
    extract_archive(exact, tmp_path / "first")  # exactly at the bound: read
    assert (tmp_path / "first" / "q02_basic_app.py").read_bytes() == b"x" * 3000
    read.clear()
    past = tmp_path / "past.tar.gz"
    past.write_bytes(gzip.compress(tar + b"\0" * 2**20))  # a megabyte past it
    assert "unpacks to more than" in refused(past, tmp_path)
    assert sum(read) == len(tar) + 1, f"decompressed {sum(read)} bytes for a bound of {len(tar)}"


def test_a_name_of_exactly_the_longest_length_is_not_refused_for_its_length() -> None:
    from grader.book.archives import _tar_members

    name = "a/" * (MAX_NAME_CHARS // 2 - 1) + "ab"
    assert len(name) == MAX_NAME_CHARS
    with tarfile.open(fileobj=io.BytesIO(tar_of({name: b""})), mode="r:") as tar:
        assert [m.name for m in _tar_members(Path("x.tar"), tar)] == [name]
    with tarfile.open(fileobj=io.BytesIO(tar_of({name + "c": b""})), mode="r:") as tar, pytest.raises(ArchiveError):
        _tar_members(Path("x.tar"), tar)


def test_messages_cut_names_and_errors_at_120_characters_and_name_an_error_without_text() -> None:
    from grader.book.archives import _cut, _why

    assert _cut("é" * 120) == "é" * 120
    assert _cut("é" * 121) == "é" * 120 + "…"
    assert _why(EOFError()) == "EOFError"
    assert _why(ValueError("bad header")) == "bad header"


def test_a_damaged_gzip_says_what_the_library_said(tmp_path: Path) -> None:
    archive = tmp_path / "mallory.tar.gz"
    archive.write_bytes(gzip.compress(tar_of({"q02_basic_app.py": b"app = None\n" * 100}))[:-40])
    message = refused(archive, tmp_path)
    assert "cannot be read as an archive (Compressed file ended" in message, message


def test_a_full_disk_while_extracting_is_no_students_fault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    archive = tmp_path / "alice.tar"
    archive.write_bytes(tar_of({"q02_basic_app.py": b"app = None\n"}))

    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    (tmp_path / "out").mkdir()
    with pytest.raises(OSError) as caught:
        extract_archive(archive, tmp_path / "out")
    assert not isinstance(caught.value, ArchiveError) and caught.value.errno == errno.ENOSPC
