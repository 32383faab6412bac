"""Intake's refusals (``grader.book.intake``): every kind of file that is not a regular one, named; sizes at and past
the
limit; files swapped between the look and the open; and a private folder that is always new.

A submitted file is looked at (``lstat``), opened without following links and without blocking, and checked again
on the open descriptor. The swaps are made at the worst moment, right after the look, as a hostile submission
racing the grader would make them.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from grader.book import intake
from grader.book.intake import MAX_SOURCE_BYTES, IntakeError, copy_regular_file, near_misses, take_in
from grader.kit.catalogue import load_catalogue

NAMES = [q.filename for q in load_catalogue()]


def refusal(source: Path, limit: int = MAX_SOURCE_BYTES) -> str:
    with pytest.raises(IntakeError) as refused:
        copy_regular_file(source, source.with_name("copy.py"), limit)
    assert not source.with_name("copy.py").exists()
    return str(refused.value)


def test_the_limit_is_the_documented_one() -> None:
    assert MAX_SOURCE_BYTES == 1024**2


def test_each_kind_of_file_that_is_not_regular_is_named(tmp_path: Path) -> None:
    (tmp_path / "real.py").write_text("x = 1\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "real.py")
    (tmp_path / "folder.py").mkdir()
    os.mkfifo(tmp_path / "fifo.py")
    assert refusal(tmp_path / "link.py") == "is a symbolic link, not a regular file"
    assert refusal(tmp_path / "folder.py") == "is a folder, not a regular file"
    assert refusal(tmp_path / "fifo.py") == "is a FIFO, not a regular file"
    assert refusal(Path("/dev/null")) == "is a character device, not a regular file"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock.py"))
        assert refusal(tmp_path / "sock.py") == "is a socket, not a regular file"


def test_a_block_device_is_named(tmp_path: Path) -> None:
    device = tmp_path / "disk.py"
    try:
        os.mknod(device, stat.S_IFBLK | 0o600, os.makedev(7, 0))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")
    assert refusal(device) == "is a block device, not a regular file"


def test_a_kind_of_file_this_system_has_no_name_for_is_still_not_regular() -> None:
    """A type no test above can make (a BSD whiteout, a Solaris door, no type bits at all) keeps a plain reason."""
    for mode in (0, 0o160000 | 0o644, 0o150000):
        assert intake._kind(mode) == "not a regular file"


def test_a_file_that_cannot_be_looked_at_says_why(tmp_path: Path) -> None:
    assert refusal(tmp_path / "missing.py") == "cannot be read (No such file or directory)"
    (tmp_path / "plain").write_text("")
    assert refusal(tmp_path / "plain" / "below.py") == "cannot be read (Not a directory)"


def test_sizes_at_and_past_the_limit(tmp_path: Path) -> None:
    source, copy = tmp_path / "a.py", tmp_path / "b.py"
    source.write_bytes(b"#" * 2048)
    copy_regular_file(source, copy, limit=2048)
    assert copy.read_bytes() == b"#" * 2048
    source.write_bytes(b"#" * 2049)
    assert refusal(source, limit=2048) == "is larger than 2 KiB"
    source.write_bytes(b"#" * MAX_SOURCE_BYTES)
    copy_regular_file(source, copy)
    assert copy.stat().st_size == MAX_SOURCE_BYTES
    source.write_bytes(b"#" * (MAX_SOURCE_BYTES + 1))
    assert refusal(source) == "is larger than 1024 KiB"


def test_a_file_whose_size_says_nothing_of_its_content_is_still_cut(tmp_path: Path) -> None:
    """A /proc file is a regular file of size 0 that reads as much as it likes: what is read is capped too."""
    with pytest.raises(IntakeError) as refused:
        copy_regular_file(Path("/proc/self/maps"), tmp_path / "copy.py", limit=2048)
    assert str(refused.value) == "is larger than 2 KiB"
    assert not (tmp_path / "copy.py").exists()


@pytest.fixture
def swapped(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path, Callable[[], None]], None]:
    """``swapped(path, swap)``: ``swap()`` runs right after ``path`` is looked at, before it is opened."""

    def arrange(path: Path, swap: Callable[[], None]) -> None:
        real = os.lstat

        def lstat(target: object, *args: object, **kwargs: object) -> os.stat_result:
            result = real(target, *args, **kwargs)  # type: ignore[arg-type]
            if Path(str(target)) == path:
                swap()
            return result

        monkeypatch.setattr(os, "lstat", lstat)

    return arrange


def test_a_file_swapped_for_a_link_after_the_look_is_not_followed(
    tmp_path: Path, swapped: Callable[[Path, Callable[[], None]], None]
) -> None:
    answer, secret = tmp_path / "q03.py", tmp_path / "secret.txt"
    answer.write_text("app = None\n")
    secret.write_text("another student's answer\n")

    def to_link() -> None:
        answer.unlink()
        answer.symlink_to(secret)

    swapped(answer, to_link)
    assert refusal(answer) == "cannot be opened (Too many levels of symbolic links)"


@pytest.fixture
def fifo_writer() -> Iterator[Callable[[Path], None]]:
    """Opens, at the end of the test, the write end of FIFOs a blocked reader may still wait on."""
    fifos: list[Path] = []
    yield fifos.append
    for fifo in fifos:
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_a_file_swapped_for_a_fifo_after_the_look_is_refused_without_blocking(
    tmp_path: Path, swapped: Callable[[Path, Callable[[], None]], None], fifo_writer: Callable[[Path], None]
) -> None:
    answer = tmp_path / "q03.py"
    answer.write_text("app = None\n")
    fifo_writer(answer)

    def to_fifo() -> None:
        answer.unlink()
        os.mkfifo(answer)

    swapped(answer, to_fifo)
    outcome: list[object] = []

    def copy() -> None:
        try:
            copy_regular_file(answer, tmp_path / "copy.py")
        except IntakeError as exc:
            outcome.append(str(exc))

    worker = threading.Thread(target=copy, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "opening the FIFO blocked the grader"
    assert outcome == ["is a FIFO, not a regular file"]


def test_take_in_copies_what_exists_and_says_why_the_rest_was_refused(tmp_path: Path) -> None:
    folder, private = tmp_path / "submitted", tmp_path / "private"
    folder.mkdir()
    (folder / "q01_what_is_fastapi.py").write_text("one\n")
    (folder / "q02_basic_app.py").symlink_to(folder / "q01_what_is_fastapi.py")
    rejected = take_in(folder, private, ["q01_what_is_fastapi.py", "q02_basic_app.py", "q03_path_parameters.py"])
    assert rejected == {"q02_basic_app.py": "q02_basic_app.py is a symbolic link, not a regular file"}
    assert sorted(p.name for p in private.iterdir()) == ["q01_what_is_fastapi.py"]
    assert (private / "q01_what_is_fastapi.py").read_text() == "one\n"


def test_take_in_never_reuses_a_folder(tmp_path: Path) -> None:
    folder, private = tmp_path / "submitted", tmp_path / "private"
    folder.mkdir()
    private.mkdir()
    with pytest.raises(FileExistsError):
        take_in(folder, private, [])


@pytest.mark.parametrize("submitted", ["Q03 Path Parameters.py", "q03 path-parameters.py", "path parameters.py"])
def test_a_name_with_spaces_is_recognised(tmp_path: Path, submitted: str) -> None:
    (tmp_path / submitted).write_text("app = None\n")
    assert near_misses(tmp_path, NAMES) == {"q03_path_parameters.py": submitted}


def test_a_folder_named_like_an_answer_is_no_answer(tmp_path: Path) -> None:
    (tmp_path / "q03.py").mkdir()
    assert near_misses(tmp_path, NAMES) == {}
    assert near_misses(tmp_path / "missing", NAMES) == {}


def test_a_short_number_names_one_question_only(tmp_path: Path) -> None:
    (tmp_path / "q2.py").write_text("app = None\n")
    assert near_misses(tmp_path, NAMES) == {"q02_basic_app.py": "q2.py"}
