"""Helpers for q22 (database sessions): installers of the judge's databases in place of ``SessionLocal`` and
``get_db``, and of the environment of the next import.

Nothing here observes or reports anything. The sessions handed out are on SQLite files the judge prepared and
reads itself: what a route read or wrote there shows where its session came from. Each session takes the file's
write lock as soon as it begins and keeps it until it ends, so a session the app leaves open keeps the database
locked, which the judge sees by trying to lock the file after the response. Every session handed out is kept
referenced here, so that a session left open stays open (the garbage collector does not end it early).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from grader.host.helpers import helper

_KEPT = "q22:sessions"


def _fail_commit(connection: Any) -> None:
    raise RuntimeError("simulated database failure during commit")


def _sessions(session: Any, url: str, fail_on_commit: bool) -> Any:
    """A function handing out fresh sessions (no transaction begun) on the SQLite database at ``url``."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.orm import sessionmaker

    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _driver_begins_nothing(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # the "begin" listener below begins every transaction

    @event.listens_for(engine, "begin")
    def _take_the_write_lock(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    def _end_what_is_left(dbapi_connection: Any, record: Any) -> None:
        # A commit that failed leaves SQLite's transaction open while SQLAlchemy counts it as ended: a session
        # that is closed gives its connection back here, and nothing of its transaction may outlive it.
        if dbapi_connection is not None and dbapi_connection.in_transaction:
            dbapi_connection.rollback()

    if fail_on_commit:
        event.listen(engine, "commit", _fail_commit)
    make = sessionmaker(bind=engine)
    kept: list[Any] = session.state.setdefault(_KEPT, [])

    def fresh_session(*args: Any, **kwargs: Any) -> Any:
        db = make(*args, **kwargs)
        kept.append(db)
        return db

    return fresh_session


@helper("q22.install_session_local")
def install_session_local(session: Any, url: str, fail_on_commit: bool = False) -> None:
    """``module.SessionLocal`` = a maker of sessions on the judge's database ``url``; with ``fail_on_commit`` every
    commit fails with ``RuntimeError`` after the rows were sent (as a database refusing the commit would)."""
    session.module.SessionLocal = _sessions(session, url, fail_on_commit)


@helper("q22.override_get_db")
def override_get_db(session: Any, url: str) -> None:
    """``app.dependency_overrides[get_db]`` = a generator yielding a session on the judge's database ``url``."""
    module = session.module
    fresh_session = _sessions(session, url, fail_on_commit=False)

    def override() -> Iterator[Any]:
        db = fresh_session()
        try:
            yield db
        finally:
            db.close()

    module.app.dependency_overrides[module.get_db] = override


@helper("q22.set_env")
def set_env(session: Any, name: str, value: str) -> None:
    """``os.environ[name] = value`` in the host, as ``monkeypatch.setenv`` did, for the next load of the module."""
    os.environ[name] = value
