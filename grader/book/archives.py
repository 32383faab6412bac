"""Safe extraction of submitted archives: untrusted input, so every member is checked before it is written.

Refused, each with a one-line reason: absolute paths, ``..`` components, links and special files, more
than ``MAX_MEMBERS`` members, a member over ``MAX_MEMBER_BYTES`` or a total over ``MAX_TOTAL_BYTES``
uncompressed (zip bombs), and files that are not zip or tar archives at all.

Whatever else goes wrong while reading (a damaged deflate stream, a CRC mismatch, a truncated member, a bad tar
header, a member name the file system refuses) is an ``ArchiveError`` too, with the reason: the archive is that
student's problem, never the batch's. The one exception is a full disk (``grader.book.diskfull``), which is no
student's fault and stops the run.
"""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.book.diskfull import is_disk_full

__all__ = ["ArchiveError", "archive_stem", "extract_archive", "is_archive"]

MAX_MEMBERS = 2_000
MAX_MEMBER_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")
# The most a tar stream may hold once decompressed: the accepted data, a header and padding per member, and the end.
# It is read into memory up to this, never further: tarfile itself would read a member's header, or a GNU long
# name that declares gigabytes, whole, and step over members' data by decompressing it, however large.
MAX_TAR_STREAM_BYTES = MAX_TOTAL_BYTES + MAX_MEMBERS * 2 * 512 + 1024**2
MAX_NAME_CHARS = 4096  # PATH_MAX: no file system takes a longer path
_SHOWN_CHARS = 120  # a member's name, or a library's error, as a message shows it


class ArchiveError(ValueError):
    """The archive is unreadable or unsafe; the message says which member and why."""


@dataclass(frozen=True)
class _Member:
    name: str
    size: int
    is_dir: bool


def is_archive(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES)


def archive_stem(name: str) -> str:
    """``alice.tar.gz`` → ``alice``: the name without its archive suffix (unchanged when it has none)."""
    for suffix in sorted(ARCHIVE_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _why(exc: BaseException) -> str:
    """An error's message, or its type when it has none (``EOFError()``), at most ``_SHOWN_CHARS`` long."""
    return _cut(str(exc) or type(exc).__name__)


def _cut(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else f"{text[:_SHOWN_CHARS]}…"


def _shown(name: str) -> str:
    """A member's name as a message shows it: quoted, and cut short (an archive may name a member with megabytes)."""
    return repr(_cut(name))


def _safe_relative(name: str, archive: Path) -> PurePosixPath:
    normalised = name.replace("\\", "/")
    path = PurePosixPath(normalised)
    if path.is_absolute() or normalised.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"{archive.name}: member {_shown(name)} has an absolute path")
    if ".." in path.parts:
        raise ArchiveError(f"{archive.name}: member {_shown(name)} points outside the archive (..)")
    return path


def _zip_members(archive: Path, handle: zipfile.ZipFile) -> list[_Member]:
    members = []
    infos = handle.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ArchiveError(f"{archive.name}: {len(infos)} members, more than the {MAX_MEMBERS} accepted")
    for info in infos:
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ArchiveError(f"{archive.name}: member {_shown(info.filename)} is a link; links are not accepted")
        members.append(_Member(info.filename, info.file_size, info.is_dir()))
    return members


def _tar_members(archive: Path, handle: tarfile.TarFile) -> list[_Member]:
    """Members, counted while iterating: ``getmembers()`` would read millions of empty headers first."""
    members = []
    for info in handle:
        if len(members) >= MAX_MEMBERS:
            raise ArchiveError(f"{archive.name}: more than the {MAX_MEMBERS} members accepted")
        if info.issym() or info.islnk():
            raise ArchiveError(f"{archive.name}: member {_shown(info.name)} is a link; links are not accepted")
        if not (info.isfile() or info.isdir()):
            raise ArchiveError(f"{archive.name}: member {_shown(info.name)} is not a regular file")
        if len(info.name) > MAX_NAME_CHARS:
            raise ArchiveError(
                f"{archive.name}: member {_shown(info.name)} has a name over {MAX_NAME_CHARS} characters"
            )
        members.append(_Member(info.name, info.size, info.isdir()))
    return members


def _tar_stream(archive: Path) -> bytes:
    """The archive's tar stream, decompressed when it is gzip, read up to ``MAX_TAR_STREAM_BYTES`` and no further.

    Only plain and gzip tars are read (``.tar``, ``.tar.gz``, ``.tgz``): tarfile would take bzip2 and xz by their
    content whatever the name, and a few kilobytes of bzip2 unpack to gigabytes.
    """
    with archive.open("rb") as raw:
        magic = raw.read(6)
        raw.seek(0)
        if magic.startswith((b"BZh", b"\xfd7zXZ")):
            raise ArchiveError(f"{archive.name}: compressed with bzip2 or xz; a tar is accepted plain or gzipped")
        stream = gzip.GzipFile(fileobj=raw) if magic.startswith(b"\x1f\x8b") else raw
        data = stream.read(MAX_TAR_STREAM_BYTES + 1)
    if len(data) > MAX_TAR_STREAM_BYTES:
        raise ArchiveError(f"{archive.name}: unpacks to more than {MAX_TOTAL_BYTES} bytes")
    return data


def _open_tar(archive: Path) -> tarfile.TarFile | None:
    """The archive as a tar read from memory (``_tar_stream``), or None when it is no tar at all."""
    try:
        return tarfile.open(fileobj=io.BytesIO(_tar_stream(archive)), mode="r:")
    except tarfile.ReadError:
        return None


def _check_sizes(archive: Path, members: list[_Member]) -> None:
    if len(members) > MAX_MEMBERS:
        raise ArchiveError(f"{archive.name}: {len(members)} members, more than the {MAX_MEMBERS} accepted")
    total = 0
    for member in members:
        if member.size > MAX_MEMBER_BYTES:
            raise ArchiveError(f"{archive.name}: member {_shown(member.name)} is larger than {MAX_MEMBER_BYTES} bytes")
        total += member.size
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError(f"{archive.name}: unpacks to more than {MAX_TOTAL_BYTES} bytes")


def _write(archive: Path, destination: Path, member: _Member, read: Callable[[str, int], bytes]) -> None:
    relative = _safe_relative(member.name, archive)
    target = destination.joinpath(*relative.parts)
    if member.is_dir:
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    data = read(member.name, member.size)
    target.write_bytes(data)


def _extract_members(
    archive: Path, destination: Path, members: list[_Member], read: Callable[[str, int], bytes]
) -> None:
    """Check every member first (paths, sizes), then write them: an unsafe archive writes nothing."""
    for member in members:
        _safe_relative(member.name, archive)
    _check_sizes(archive, members)
    for member in members:
        _write(archive, destination, member, read)


def extract_archive(archive: Path, destination: Path) -> None:
    """Extract ``archive`` into the existing folder ``destination``, or raise ArchiveError before writing."""
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zip_handle:

                def read_zip(name: str, size: int) -> bytes:
                    with zip_handle.open(name) as stream:
                        data = stream.read(size + 1)  # the declared size may lie: never read past it
                    if len(data) > size:
                        raise ArchiveError(f"{archive.name}: member {_shown(name)} is larger than it declares")
                    return data

                _extract_members(archive, destination, _zip_members(archive, zip_handle), read_zip)
            return
        tar_handle = _open_tar(archive)
        if tar_handle is not None:
            with tar_handle:

                def read_tar(name: str, size: int) -> bytes:
                    stream = tar_handle.extractfile(name)
                    return stream.read(size) if stream else b""

                _extract_members(archive, destination, _tar_members(archive, tar_handle), read_tar)
            return
    except ArchiveError:
        raise
    except Exception as exc:  # zlib.error, BadZipFile, TarError, EOFError, OSError, NotImplementedError, ...
        if is_disk_full(exc):
            raise
        raise ArchiveError(f"{archive.name}: cannot be read as an archive ({_why(exc)})") from exc
    raise ArchiveError(f"{archive.name}: not a zip or tar archive")
