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
