"""A host's scratch ceiling (``grader.sandbox.scratch``): real tmpfs mounts, their options, how full they are, and
the mount table read back to find (and detach) the ones a killed run left behind.

These mount for real, so they need the right to mount (grading as root, as CI does); elsewhere they are skipped.
Every mount a test made is detached at its end whatever the code under test did, by a plain ``umount2`` here.
``bench/mutation.py`` runs them in a mount namespace of its own, so that a mutant of the sweep cannot detach the
scratch mounts of other runs on the machine (the real sweep detaches only mounts of judges that are gone).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.sandbox import scratch
from grader.sandbox.scratch import SCRATCH_BYTES, is_full, mount, sweep_orphans, unmount, unmount_below

_libc = ctypes.CDLL(None, use_errno=True)
_MNT_DETACH = 2
ST_NOSUID, ST_NODEV, ST_NOEXEC = 2, 4, 8
ST_NOSYMFOLLOW = 0x2000  # statvfs's flag
ST_NOSYMFOLLOW_MS = 256  # mount's flag


def mounted(folder: Path) -> bool:
    return os.path.ismount(folder)


def scratch_sources(folder: Path) -> list[str]:
    """The sources of the mounts on ``folder``, read from the mount table here (not by the code under test)."""
    escaped = str(folder).replace("\\", "\\134").replace(" ", "\\040").replace("\t", "\\011").replace("\n", "\\012")
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8") as table:
        for line in table:
            fields, _, tail = line.partition(" - ")
            if fields.split()[4] == escaped:
                found.append(tail.split()[1])
    return found


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Path]:
    """A folder to mount in; every mount below it is detached afterwards."""
    probe = tmp_path / "probe"
    probe.mkdir()
    if _libc.mount(b"probe", str(probe).encode(), b"tmpfs", 0, b"size=1m") != 0:  # not the code under test
        pytest.skip("this process may not mount (grading as root or in a mount namespace of its own may)")
    _libc.umount2(str(probe).encode(), _MNT_DETACH)
    yield tmp_path
    for _ in range(3):  # a folder may hold more than one mount, one over the other
        for folder in sorted(tmp_path.rglob("*"), key=lambda p: -len(p.parts)):
            if folder.is_dir() and mounted(folder):
                _libc.umount2(str(folder).encode(), _MNT_DETACH)


def test_the_ceiling_is_the_documented_one() -> None:
    assert SCRATCH_BYTES == 256 * 1024**2


def test_a_scratch_folder_is_a_private_capped_tmpfs(room: Path) -> None:
    folder = room / "work"
    folder.mkdir()
    assert mount(folder, 8 * 1024**2) is True
    assert mounted(folder)
    info = os.statvfs(folder)
    assert info.f_blocks * info.f_frsize == 8 * 1024**2
    assert info.f_files == 65536
    assert info.f_flag & ST_NOSUID and info.f_flag & ST_NODEV and info.f_flag & ST_NOEXEC
    assert os.stat(folder).st_mode & 0o777 == 0o700
    assert scratch_sources(folder) == [f"grade-scratch-{os.getpid()}"]
    unmount(folder)
    assert not mounted(folder)


def test_no_link_on_a_scratch_folder_is_followed_unless_the_test_weakens_it(room: Path) -> None:
    """nosymfollow (Linux 5.10+): a link the host planted there leads the judge nowhere; follow_links leaves it
    out and keeps every other option."""
    probe = room / "probe-nosymfollow"
    probe.mkdir()
    if _libc.mount(b"probe", str(probe).encode(), b"tmpfs", ST_NOSYMFOLLOW_MS, b"size=1m") != 0:
        pytest.skip("this kernel has no nosymfollow (Linux 5.10+)")
    _libc.umount2(str(probe).encode(), _MNT_DETACH)
    (room / "outside").write_text("a classmate's answer")
    folder = room / "work"
    folder.mkdir()
    assert mount(folder, 1024**2) is True
    assert os.statvfs(folder).f_flag & ST_NOSYMFOLLOW
    (folder / "link").symlink_to(room / "outside")
    with pytest.raises(OSError) as refused:
        (folder / "link").read_text()
    assert refused.value.errno == errno.ELOOP
    followed = room / "followed"
    followed.mkdir()
    assert mount(followed, 2 * 1024**2, follow_links=True) is True
    info = os.statvfs(followed)
    assert not info.f_flag & ST_NOSYMFOLLOW
    assert info.f_flag & ST_NOSUID and info.f_flag & ST_NODEV and info.f_flag & ST_NOEXEC
    assert info.f_blocks * info.f_frsize == 2 * 1024**2 and info.f_files == 65536
    assert os.stat(followed).st_mode & 0o777 == 0o700
    assert scratch_sources(followed) == [f"grade-scratch-{os.getpid()}"]
    (followed / "link").symlink_to(room / "outside")
    assert (followed / "link").read_text() == "a classmate's answer"


def test_the_default_size_is_the_ceiling(room: Path) -> None:
    folder = room / "work"
    folder.mkdir()
    assert mount(folder)
    info = os.statvfs(folder)
    assert info.f_blocks * info.f_frsize == SCRATCH_BYTES


def test_a_mount_that_fails_says_so(room: Path) -> None:
    assert mount(room / "no such folder", 1024**2) is False


def test_a_full_scratch_folder_is_told_from_one_with_room(room: Path) -> None:
    folder = room / "work"
    folder.mkdir()
    assert mount(folder, 4 * 1024**2)
    assert is_full(folder) is False
    (folder / "some").write_bytes(b"x" * (2 * 1024**2))
    assert is_full(folder) is False, "2 MiB of 4 written: room left"
    with pytest.raises(OSError) as full, open(folder / "fill", "wb") as handle:
        for _ in range(8):
            handle.write(b"x" * 1024**2)
            handle.flush()
    assert full.value.errno == errno.ENOSPC
    assert is_full(folder) is True
    assert is_full(room / "no such folder") is False


def test_full_means_less_than_a_megabyte_left(room: Path) -> None:
    folder = room / "work"
    folder.mkdir()
    assert mount(folder, 4 * 1024**2)
    (folder / "data").write_bytes(b"x" * (3 * 1024**2))
    assert is_full(folder) is False, "exactly a megabyte left: not full yet"
    with open(folder / "data", "ab") as handle:
        handle.write(b"x")
    assert is_full(folder) is True


def test_a_scratch_folder_out_of_inodes_is_full(room: Path) -> None:
    """Empty files use no space, only inodes: a host that makes them until none is left has filled its folder."""
    folder = room / "work"
    folder.mkdir()
    assert mount(folder, 4 * 1024**2)
    with pytest.raises(OSError) as full:
        for n in range(100_000):
            os.close(os.open(folder / str(n), os.O_CREAT | os.O_WRONLY))
    assert full.value.errno == errno.ENOSPC
    assert os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize > 2 * 1024**2, "space is left, inodes are not"
    assert is_full(folder) is True


def test_a_mount_table_with_undecodable_bytes_is_still_read(room: Path) -> None:
    """A folder name that is not UTF-8 (any other mount of the machine may have one) costs nothing but its own line."""
    odd = os.fsencode(room) + b"/odd\xff"
    os.mkdir(odd)
    assert _libc.mount(b"grade-scratch-1", odd, b"tmpfs", 0, b"size=1m") == 0
    folder = room / "work"
    folder.mkdir()
    assert mount(folder, 1024**2)
    assert dict(scratch._scratch_mounts()).get(str(folder)) == f"grade-scratch-{os.getpid()}"
    unmount_below(room)
    assert not mounted(folder)
    _libc.umount2(odd, _MNT_DETACH)


def test_a_mount_table_that_cannot_be_read_holds_no_scratch_mounts(monkeypatch: pytest.MonkeyPatch) -> None:
    """No /proc (a process that lost it): nothing to sweep, and nothing raised into the grading run that sweeps."""

    def unreadable(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "/proc/self/mountinfo")

    monkeypatch.setattr(scratch, "open", unreadable, raising=False)
    assert scratch._scratch_mounts() == []


def test_unmount_detaches_even_while_a_file_is_held_open(room: Path) -> None:
    folder = room / "work"
    folder.mkdir()
    assert mount(folder, 1024**2)
    with open(folder / "held", "w") as held:
        held.write("still mine")
        unmount(folder)
        assert not mounted(folder)
        assert not (folder / "held").exists()


def test_unmount_asks_the_kernel_for_a_lazy_detach_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The flags are spelt out: a call that left them to chance (a missing argument of a C function) may detach,
    refuse a busy mount or be refused outright, depending on what a register held."""
    calls: list[tuple[object, ...]] = []

    class Libc:
        def umount2(self, *args: object) -> int:
            calls.append(args)
            return 0

    monkeypatch.setattr(scratch, "_libc", Libc)
    unmount(Path("/judge/work dir"))
    assert calls == [(b"/judge/work dir", _MNT_DETACH)]


def test_without_a_mount_table_nothing_is_mounted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where /proc/self/mountinfo is missing no scratch mount could be found or swept again: none is made."""
    calls: list[tuple[object, ...]] = []

    class Libc:
        def mount(self, *args: object) -> int:
            calls.append(args)
            return 0

    exists = Path.exists
    monkeypatch.setattr(scratch, "_libc", Libc)
    monkeypatch.setattr(Path, "exists", lambda path: str(path) != "/proc/self/mountinfo" and exists(path))
    assert mount(Path("/judge/work")) is False
    assert calls == []


def test_mounts_under_a_folder_are_found_with_any_name_and_detached(room: Path) -> None:
    judge = room / "judge"
    inside = [judge / "plain", judge / "with space", judge / "tab\there", judge / "new\nline", judge / "back\\slash"]
    sibling = room / "judge-sibling" / "work"  # shares the prefix "judge", not the folder
    for folder in [*inside, sibling]:
        folder.mkdir(parents=True)
        assert mount(folder, 1024**2)
    found = dict(scratch._scratch_mounts())
    for folder in [*inside, sibling]:
        assert found.get(str(folder)) == f"grade-scratch-{os.getpid()}", folder
    unmount_below(judge)
    assert [folder for folder in inside if mounted(folder)] == []
    assert mounted(sibling), "a mount outside the judge's folder is not the judge's"


def test_mounts_of_other_file_systems_or_sources_are_not_scratch_mounts(room: Path) -> None:
    other = room / "other"
    other.mkdir()
    assert _libc.mount(b"not-scratch", str(other).encode(), b"tmpfs", 0, b"size=1m") == 0
    assert str(other) not in dict(scratch._scratch_mounts())
    unmount_below(room)
    assert mounted(other)


def test_orphaned_mounts_of_judges_gone_are_swept_and_live_ones_kept(room: Path) -> None:
    live, orphan = room / "live", room / "orphan"
    live.mkdir()
    orphan.mkdir()
    assert mount(live, 1024**2)
    pid = os.fork()
    if pid == 0:  # a judge that mounts its host's scratch folder and is then killed outright
        os._exit(0 if mount(orphan, 1024**2) else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and mounted(orphan)
    assert scratch_sources(orphan) == [f"grade-scratch-{pid}"]
    sweep_orphans()
    assert not mounted(orphan)
    assert mounted(live)


def test_a_mount_whose_source_names_no_pid_is_left_alone(room: Path) -> None:
    odd = room / "odd"
    odd.mkdir()
    assert _libc.mount(b"grade-scratch-judge", str(odd).encode(), b"tmpfs", 0, b"size=1m") == 0
    sweep_orphans()
    assert mounted(odd)
    with contextlib.suppress(Exception):
        unmount_below(room)
    assert not mounted(odd), "still a scratch mount under its judge's folder"
