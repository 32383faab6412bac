"""q20 (background tasks): the log file in the host's scratch folder, a slower ``write_log``, a spy around the app.

Files are named relative to the host's scratch folder (its working folder when the first q20 helper runs), the
only place the module may write.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from grader.host.helpers import helper


def _file(session: Any, name: str) -> Path:
    folder = session.state.setdefault("q20:folder", str(Path.cwd()))
    return Path(folder) / name


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []


@helper("q20.point_log_path")
def point_log_path(session: Any, name: str) -> None:
    """``module.LOG_PATH`` = the ``pathlib.Path`` of ``name`` in the scratch folder (its folder is created)."""
    path = _file(session, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    session.module.LOG_PATH = path


@helper("q20.read_file")
def read_file(session: Any, name: str) -> dict[str, Any]:
    """Whether ``name`` exists in the scratch folder, and its text (None when it does not exist)."""
    path = _file(session, name)
    exists = path.is_file()
    return {"exists": exists, "text": path.read_text(encoding="utf-8", errors="replace") if exists else None}


@helper("q20.write_file")
def write_file(session: Any, name: str, text: str) -> None:
    _file(session, name).write_text(text, encoding="utf-8")


@helper("q20.remove_file")
def remove_file(session: Any, name: str) -> None:
    _file(session, name).unlink()


@helper("q20.slow_write_log")
def slow_write_log(session: Any, seconds: float) -> None:
    """Wrap ``module.write_log`` so each line first sleeps ``seconds``: a thread or task nobody waits for is still
    busy when the response is sent and when the app returns."""
    original = session.module.write_log

    def slow(message: str) -> None:
        time.sleep(seconds)
        original(message)

    session.module.write_log = slow


@helper("q20.spy_app")
def spy_app(session: Any, log: str, name: str = "spied") -> None:
    """Register as ``session.apps[name]`` an ASGI wrapper around ``app`` that reads the log file ``log`` when the
    response's last body part is sent and when the app returns (read back with ``q20.spy_seen``)."""
    app = session.module.app
    path = _file(session, log)
    seen: dict[str, list[str]] = session.state.setdefault("q20:seen", {})

    async def spy(scope: Any, receive: Any, send: Any) -> None:
        async def spy_send(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                seen["when the response was sent"] = _lines(path)
            await send(message)

        await app(scope, receive, spy_send)
        if scope["type"] == "http":
            seen["when the app returned"] = _lines(path)

    session.apps[name] = spy


@helper("q20.spy_seen")
def spy_seen(session: Any) -> dict[str, list[str]]:
    """The log lines the spy read, by moment (``when the response was sent``, ``when the app returned``)."""
    return dict(session.state.get("q20:seen", {}))
