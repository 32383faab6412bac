"""Libraries imported once in a trusted parent so that every process forked from it starts warm.

App hosts are forks of the zygote, judges forks of the grader, fastlings' checks forks of its watcher. Whatever
the parent imported they inherit for free; whatever it did not, each of them imports again (SQLAlchemy alone
costs 0.18 s, per test). These are the web stack and the libraries the exercises use, never a candidate's code.
Missing ones are skipped.
"""

from __future__ import annotations

import contextlib
import importlib
import warnings

__all__ = ["WARM_MODULES", "warm_imports"]

WARM_MODULES = (
    "fastapi",
    "fastapi.testclient",
    "fastapi.security",
    "fastapi.encoders",
    "fastapi.middleware.cors",
    "fastapi.middleware.gzip",
    "fastapi.staticfiles",
    "starlette.testclient",
    "starlette.websockets",
    "pydantic",
    "pydantic.v1",  # FastAPI reaches for it lazily the first time an app is built
    "httpx",
    "anyio",
    "multipart",
    "jwt",
    "jose",
    "sqlalchemy",
    "sqlalchemy.orm",
    "sqlalchemy.dialects.sqlite",
    "sqlite3",
    "redis",
    "slowapi",
    "pickle",
    "uvicorn",
    "pytest",  # q25's hosts run the candidate's own tests
    "grader.loading",
    "grader.host.main",
)


def warm_imports(extra: tuple[str, ...] = ()) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in (*WARM_MODULES, *extra):
            with contextlib.suppress(Exception):
                importlib.import_module(name)
        with contextlib.suppress(Exception):
            from grader.host import helpers

            helpers.load_all()
