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
    """An error's message, or its type when it has none (``EOFError()``)."""
    return str(exc) or type(exc).__name__


def _safe_relative(name: str, archive: Path) -> PurePosixPath:
    normalised = name.replace("\\", "/")
    path = PurePosixPath(normalised)
    if path.is_absolute() or normalised.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"{archive.name}: member {name!r} has an absolute path")
    if ".." in path.parts:
        raise ArchiveError(f"{archive.name}: member {name!r} points outside the archive (..)")
    return path


def _zip_members(archive: Path, handle: zipfile.ZipFile) -> list[_Member]:
    members = []
    infos = handle.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ArchiveError(f"{archive.name}: {len(infos)} members, more than the {MAX_MEMBERS} accepted")
    for info in infos:
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ArchiveError(f"{archive.name}: member {info.filename!r} is a link; links are not accepted")
        members.append(_Member(info.filename, info.file_size, info.is_dir()))
    return members


def _tar_members(archive: Path, handle: tarfile.TarFile) -> list[_Member]:
    """Members, counted while iterating: ``getmembers()`` would read millions of empty headers first."""
    members = []
    for info in handle:
        if len(members) >= MAX_MEMBERS:
            raise ArchiveError(f"{archive.name}: more than the {MAX_MEMBERS} members accepted")
        if info.issym() or info.islnk():
            raise ArchiveError(f"{archive.name}: member {info.name!r} is a link; links are not accepted")
        if not (info.isfile() or info.isdir()):
            raise ArchiveError(f"{archive.name}: member {info.name!r} is not a regular file")
        members.append(_Member(info.name, info.size, info.isdir()))
    return members


def _check_sizes(archive: Path, members: list[_Member]) -> None:
    if len(members) > MAX_MEMBERS:
        raise ArchiveError(f"{archive.name}: {len(members)} members, more than the {MAX_MEMBERS} accepted")
    total = 0
    for member in members:
        if member.size > MAX_MEMBER_BYTES:
            raise ArchiveError(f"{archive.name}: member {member.name!r} is larger than {MAX_MEMBER_BYTES} bytes")
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
                        raise ArchiveError(f"{archive.name}: member {name!r} is larger than it declares")
                    return data

                _extract_members(archive, destination, _zip_members(archive, zip_handle), read_zip)
            return
        if tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tar_handle:

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
