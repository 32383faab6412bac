"""Take a submission in: copy its exercise files into a private folder before anything reads or runs them.

Everything after intake (the integrity scan, the content hash, the grading) works on the copy, never on the
submitted folder: a file swapped for a FIFO, a link to ``/dev/zero`` or to another student's work, or a file
rewritten while grading runs, cannot reach the grader. Only regular files of at most ``MAX_SOURCE_BYTES`` are
copied, opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked on the open descriptor; anything else is rejected
with a reason, which that question's result carries.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

__all__ = ["MAX_SOURCE_BYTES", "IntakeError", "copy_regular_file", "near_misses", "take_in"]

MAX_SOURCE_BYTES = 1024**2  # an answer is a few kilobytes; a megabyte is already suspicious


class IntakeError(OSError):
    """A file that cannot be taken in: not a regular file, too large, unreadable."""


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def copy_regular_file(source: Path, destination: Path, limit: int = MAX_SOURCE_BYTES) -> None:
    """Copy ``source`` if it is a regular file of at most ``limit`` bytes; else raise ``IntakeError``."""
    try:
        mode = os.lstat(source).st_mode
    except OSError as exc:
        raise IntakeError(f"cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        raise IntakeError(f"is {_kind(mode)}, not a regular file")
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise IntakeError(f"cannot be opened ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped between lstat and open
            raise IntakeError(f"is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise IntakeError(f"is larger than {limit // 1024} KiB")
        data = os.read(fd, limit + 1)
        if len(data) > limit:
            raise IntakeError(f"is larger than {limit // 1024} KiB")
    finally:
        os.close(fd)
    destination.write_bytes(data)


def take_in(folder: Path, destination: Path, filenames: Iterable[str]) -> dict[str, str]:
    """Copy the named files that exist in ``folder`` into ``destination``; the rejected ones, with why."""
    destination.mkdir(parents=True, exist_ok=False)
    rejected: dict[str, str] = {}
    for name in filenames:
        source = folder / name
        if not os.path.lexists(source):
            continue
        try:
            copy_regular_file(source, destination / name)
        except IntakeError as exc:
            rejected[name] = f"{name} {exc}"
    return rejected


def _normalised(name: str) -> str:
    return name.lower().replace("-", "_").replace(" ", "_")


def near_misses(folder: Path, filenames: Iterable[str]) -> dict[str, str]:
    """For each expected file that is absent, a file of ``folder`` that was surely meant for it.

    ``Q03_Path-Parameters.py``, ``q03.py``, ``path_parameters.py`` and ``q3_path_parameters.py`` all name q03's
    ``q03_path_parameters.py``. Only an unambiguous match is suggested; nothing is renamed or graded under it.
    """
    try:
        present = [p.name for p in folder.iterdir() if p.suffix.lower() == ".py" and p.is_file()]
    except OSError:
        return {}
    expected = list(filenames)
    suggestions: dict[str, str] = {}
    for name in expected:
        if name in present:
            continue
        stem = name.removesuffix(".py")
        number, _, slug = stem.partition("_")
        short = f"q{int(number[1:])}"
        candidates = {
            _normalised(stem),
            number,
            slug,
            f"{short}_{slug}",
            short,
        }
        matches = [
            p
            for p in present
            if p not in expected and _normalised(p.removesuffix(".py").removesuffix(".PY")) in candidates
        ]
        if len(matches) == 1:
            suggestions[name] = matches[0]
    return suggestions
