"""Helpers for q22 (database sessions): record the sessions ``SessionLocal()`` hands out, override ``get_db``.

``record_sessions`` replaces the module's ``SessionLocal`` by a wrapper that hands out real sessions and notes
which were opened and which closed (optionally making every commit fail); ``override_get_db`` puts a ``get_db``
of the kit's in ``app.dependency_overrides`` and counts the sessions it yields. The judge reads the counts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from grader.host.helpers import helper

_ORIGINAL = "q22:SessionLocal"
_RECORDER = "q22:recorder"
_HANDED_OUT = "q22:handed_out"


def _fail_commit(session: Any) -> None:
    raise RuntimeError("simulated database failure during commit")


@helper("q22.record_sessions")
def record_sessions(session: Any, fail_on_commit: bool = False) -> None:
    """``module.SessionLocal`` = a wrapper of the original that records the sessions opened and closed.

    With ``fail_on_commit`` each session it hands out gets a ``before_commit`` listener raising ``RuntimeError``.
    Listening and wrapping ``close`` do not begin a transaction: the route still gets a fresh session.
    """
    module = session.module
    original = session.state.setdefault(_ORIGINAL, module.SessionLocal)
    opened: list[Any] = []
    closed: list[Any] = []
    session.state[_RECORDER] = (opened, closed)

    def recorder(*args: Any, **kwargs: Any) -> Any:
        db = original(*args, **kwargs)
        original_close = db.close

        def close() -> None:
            closed.append(db)
            original_close()

        db.close = close
        if fail_on_commit:
            from sqlalchemy import event

            event.listen(db, "before_commit", _fail_commit)
        opened.append(db)
        return db

    module.SessionLocal = recorder


@helper("q22.recorded_sessions")
def recorded_sessions(session: Any) -> dict[str, int]:
    """How many sessions the recorder handed out, and how many of them were never closed."""
    opened, closed = session.state.get(_RECORDER, ([], []))
    unclosed = sum(1 for db in opened if not any(db is done for done in closed))
    return {"opened": len(opened), "unclosed": unclosed}


@helper("q22.restore_session_local")
def restore_session_local(session: Any) -> None:
    """Put the module's own ``SessionLocal`` back."""
    if _ORIGINAL in session.state:
        session.module.SessionLocal = session.state.pop(_ORIGINAL)


@helper("q22.override_get_db")
def override_get_db(session: Any) -> None:
    """``app.dependency_overrides[get_db]`` = a generator yielding ``module.SessionLocal()``, counting each one.

    The session is yielded untouched (no transaction begun), as the contract promises: a route may then call
    ``db.commit()`` or open ``with db.begin():``; nothing here may use the session before the route does.
    """
    module = session.module
    handed_out: list[int] = session.state.setdefault(_HANDED_OUT, [])

    def override() -> Iterator[Any]:
        db = module.SessionLocal()
        handed_out.append(1)
        try:
            yield db
        finally:
            db.close()

    module.app.dependency_overrides[module.get_db] = override


@helper("q22.handed_out")
def handed_out(session: Any) -> int:
    """How many sessions the ``get_db`` override has yielded so far."""
    return len(session.state.get(_HANDED_OUT, []))


@helper("q22.file")
def file_info(session: Any, path: str) -> dict[str, Any]:
    """Whether ``path`` (relative to the host's working folder, where the module runs) is a file, and its size."""
    target = Path(path)
    return {"is_file": target.is_file(), "size": target.stat().st_size if target.is_file() else 0}


@helper("q22.set_env")
def set_env(session: Any, name: str, value: str) -> None:
    """``os.environ[name] = value`` in the host, as ``monkeypatch.setenv`` did, for the next load of the module."""
    os.environ[name] = value
