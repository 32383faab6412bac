"""What counts as a full disk (``grader.book.diskfull``), and the one line the user reads about it.

A full disk must stop the run (no student's ``error``), and nothing else may: an error that is not about space
taken for one would end a class's run for a reason that is one student's. So both sides are pinned: every form in
which "no space" reaches the grader (an ``OSError``, SQLite's code or its words, an error raised from one), and
neighbours that are not it (another errno, another SQLite code, the same words outside SQLite). The integration
side (a run stopped with exit 3, nothing half-made) is in ``test_hostile_class.py``.
"""

from __future__ import annotations

import errno
import sqlite3

import pytest

from grader.book.diskfull import EXIT_DISK_FULL, DiskFull, atomic, describe, is_disk_full
from tests.kit.full_disk import RefusingConnection


def _sqlite_error(code: int, words: str = "an error SQLite explains otherwise") -> sqlite3.OperationalError:
    """An error as SQLite raises it, with its result code (Python sets ``sqlite_errorcode`` on raised ones)."""
    error = sqlite3.OperationalError(words)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


def _raised_from(cause: BaseException) -> RuntimeError:
    try:
        raise RuntimeError("while storing a result") from cause
    except RuntimeError as wrapped:
        return wrapped


def _raised_while_handling(context: BaseException) -> KeyError:
    """An error raised in an ``except`` block that caught ``context`` (no ``from``: only ``__context__`` links)."""
    try:
        try:
            raise context
        except BaseException:
            raise KeyError("cleaning up")  # noqa: B904 - the implicit link is what is tested
    except KeyError as later:
        assert later.__cause__ is None
        return later


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(OSError(errno.ENOSPC, "No space left on device"), id="ENOSPC"),
        pytest.param(OSError(errno.EDQUOT, "Disk quota exceeded"), id="EDQUOT"),
        pytest.param(DiskFull("the gradebook"), id="DiskFull"),
        pytest.param(sqlite3.OperationalError("database or disk is full"), id="SQLite's words"),
        pytest.param(_sqlite_error(13), id="SQLITE_FULL code alone"),
        pytest.param(_sqlite_error(13 | 3 << 8), id="SQLITE_FULL with extended bits"),
    ],
)
def test_what_counts_as_a_full_disk(error: BaseException) -> None:
    assert is_disk_full(error)
    assert is_disk_full(_raised_from(error)), "seen through what it was raised from"
    assert is_disk_full(_raised_while_handling(error)), "seen through what it was raised while handling"
    assert is_disk_full(_raised_from(_raised_from(error))), "seen through two links"


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(OSError(errno.EACCES, "Permission denied"), id="EACCES"),
        pytest.param(OSError(errno.EIO, "Input/output error"), id="EIO"),
        pytest.param(OSError("no errno at all"), id="no errno"),
        pytest.param(sqlite3.OperationalError("database is locked"), id="SQLite locked"),
        pytest.param(_sqlite_error(14), id="SQLITE_CANTOPEN"),
        pytest.param(_sqlite_error(12), id="SQLITE_NOTFOUND"),
        pytest.param(_sqlite_error(13 + 1 << 8), id="extended bits alone"),
        pytest.param(ValueError("disk is full"), id="the words outside SQLite"),
        pytest.param(ValueError(errno.ENOSPC), id="ENOSPC's number outside OSError"),
    ],
)
def test_other_errors_are_no_full_disk(error: BaseException) -> None:
    assert not is_disk_full(error)
    assert not is_disk_full(_raised_from(error))


def test_the_cause_is_followed_before_the_context() -> None:
    """``raise X from full`` while handling something else: the cause is what X is about."""
    try:
        try:
            raise ValueError("unrelated, being handled")
        except ValueError:
            raise RuntimeError("storing") from OSError(errno.ENOSPC, "No space left on device")
    except RuntimeError as exc:
        assert isinstance(exc.__context__, ValueError) and exc.__cause__ is not None
        assert is_disk_full(exc)


def test_a_cycle_of_errors_ends() -> None:
    first, second = RuntimeError("first"), RuntimeError("second")
    first.__context__, second.__context__ = second, first
    assert not is_disk_full(first)
    second.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    assert is_disk_full(first)


def test_disk_full_is_an_enospc_naming_what_was_written() -> None:
    exc = DiskFull("the report at /tmp/ünïcode-7.html")
    assert isinstance(exc, OSError)
    assert exc.errno == errno.ENOSPC
    assert exc.strerror == "the disk is full: the report at /tmp/ünïcode-7.html could not be written"
    assert exc.filename is None


def test_describe_says_what_could_not_be_written() -> None:
    assert describe(DiskFull("the gradebook")) == "the disk is full: the gradebook could not be written"
    named = OSError(errno.ENOSPC, "No space left on device", "/srv/class/ålice.zip")
    assert describe(named) == "the disk is full: /srv/class/ålice.zip could not be written"
    unnamed = OSError(errno.ENOSPC, "No space left on device")
    assert describe(unnamed) == "the disk is full ([Errno 28] No space left on device)"
    words = sqlite3.OperationalError("database or disk is full")
    assert describe(words) == "the disk is full (database or disk is full)"


def test_exit_code() -> None:
    assert EXIT_DISK_FULL == 3


def _table(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    db = sqlite3.connect(tmp_path_factory.mktemp("db") / "t.sqlite3", isolation_level=None)
    db.execute("CREATE TABLE t (v TEXT)")
    return db


def test_atomic_commits_whole(tmp_path_factory: pytest.TempPathFactory) -> None:
    db = _table(tmp_path_factory)
    with atomic(db, "the table") as same:
        assert same is db and db.in_transaction
        db.execute("INSERT INTO t VALUES ('ä1'), ('ä2')")
    assert not db.in_transaction
    assert [v for (v,) in db.execute("SELECT v FROM t ORDER BY v")] == ["ä1", "ä2"]


def test_atomic_rolls_back_whole_and_names_what_on_a_full_disk(tmp_path_factory: pytest.TempPathFactory) -> None:
    db = _table(tmp_path_factory)
    full = sqlite3.OperationalError("database or disk is full")
    with (
        pytest.raises(DiskFull) as raised,
        atomic(RefusingConnection(db, "INSERT", full), "the review notes") as refusing,
    ):  # type: ignore[arg-type]
        db.execute("INSERT INTO t VALUES ('kept only if committed')")
        refusing.execute("INSERT INTO t VALUES ('refused')")
    assert raised.value.strerror == "the disk is full: the review notes could not be written"
    assert raised.value.__cause__ is full
    assert not db.in_transaction
    assert db.execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_atomic_rolls_back_a_failed_commit(tmp_path_factory: pytest.TempPathFactory) -> None:
    db = _table(tmp_path_factory)
    refusing = RefusingConnection(db, "COMMIT")
    with pytest.raises(DiskFull), atomic(refusing, "the gradebook"):  # type: ignore[arg-type]
        db.execute("INSERT INTO t VALUES ('x')")
    assert not db.in_transaction
    assert db.execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_atomic_lets_other_errors_through_unchanged(tmp_path_factory: pytest.TempPathFactory) -> None:
    db = _table(tmp_path_factory)
    with pytest.raises(LookupError, match=r"^not about space$"), atomic(db, "the gradebook"):
        db.execute("INSERT INTO t VALUES ('x')")
        raise LookupError("not about space")
    assert not db.in_transaction
    assert db.execute("SELECT count(*) FROM t").fetchone() == (0,)
    already = DiskFull("the first thing")
    with pytest.raises(DiskFull) as raised, atomic(db, "the second thing"):
        raise already
    assert raised.value is already, "a DiskFull is not wrapped again"
