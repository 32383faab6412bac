"""``fastlings serve``: run the candidate's app with uvicorn on a free loopback port, with /docs that work offline.

FastAPI's /docs page loads Swagger UI from a CDN, so on a machine without internet (an interview room, a
train) it stays blank. The served app is the candidate's own, wrapped: requests under ``/_fastlings/docs/``
get the Swagger UI and ReDoc files installed with the ``fastapi-offline`` package, and FastAPI's docs pages
are made to point there. The candidate's code is not changed, and everything else (lifespan included) goes
straight to their app.

Exit codes of ``serve``: 0 stopped with Ctrl-C, 143 stopped by SIGTERM and 129 by SIGHUP (as every fastlings
command), 1 the app could not be served (no such file, the port given with --port is taken, uvicorn failed to
start), 2 bad usage.

uvicorn's reloader takes SIGINT and SIGTERM for itself (it stops the app's process and returns as if nothing
happened, and ``uvicorn.run`` swallows a KeyboardInterrupt), so ``serve_reloading`` runs that reloader itself
and records which signal stopped it, SIGHUP included: the command can then exit with that signal's code.
"""

from __future__ import annotations

import errno
import functools
import importlib
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

__all__ = ["ASSETS_PREFIX", "PortTaken", "create_app", "find_port", "offline_assets", "serve_reloading"]

ASSETS_PREFIX = "/_fastlings/docs"
MODULE_VARIABLE = "FASTLINGS_SERVE_MODULE"
FOLDER_VARIABLE = "FASTLINGS_SERVE_DIR"
_PORT_SEARCH = 50

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


class PortTaken(Exception):
    """The port asked for is in use; the message says what to do."""


def _port_is_free(host: str, port: int) -> bool:
    """Whether uvicorn could listen on ``host:port`` (it binds with SO_REUSEADDR, and so does this probe)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def find_port(host: str, wanted: int, *, explicit: bool) -> int:
    """``wanted`` if it is free; else, unless the user chose it, the next free port above it."""
    if _port_is_free(host, wanted):
        return wanted
    if explicit:
        raise PortTaken(f"port {wanted} is in use (another app is running there): choose another with --port")
    for port in range(wanted + 1, min(wanted + _PORT_SEARCH, 65536)):
        if _port_is_free(host, port):
            return port
    raise PortTaken(f"ports {wanted} to {wanted + _PORT_SEARCH - 1} are all in use: choose a port with --port")


def offline_assets() -> Path | None:
    """The folder of Swagger UI and ReDoc files shipped by ``fastapi-offline`` (None if it is not installed)."""
    try:
        from importlib import resources

        folder = Path(str(resources.files("fastapi_offline") / "static"))
    except (ImportError, TypeError):
        return None
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def _point_docs_at(prefix: str) -> None:
    """Make every FastAPI app's /docs and /redoc pages load their scripts from ``prefix`` instead of a CDN."""
    import fastapi.applications as applications
    from fastapi.openapi import docs

    @functools.wraps(docs.get_swagger_ui_html)
    def swagger_ui_html(**kwargs: Any) -> Any:
        kwargs.update(
            swagger_js_url=f"{prefix}/swagger-ui-bundle.js",
            swagger_css_url=f"{prefix}/swagger-ui.css",
            swagger_favicon_url=f"{prefix}/favicon.png",
        )
        return docs.get_swagger_ui_html(**kwargs)

    @functools.wraps(docs.get_redoc_html)
    def redoc_html(**kwargs: Any) -> Any:
        kwargs.update(redoc_js_url=f"{prefix}/redoc.standalone.js", redoc_favicon_url=f"{prefix}/favicon.png")
        kwargs["with_google_fonts"] = False
        return docs.get_redoc_html(**kwargs)

    applications.get_swagger_ui_html = swagger_ui_html  # type: ignore[assignment]
    applications.get_redoc_html = redoc_html  # type: ignore[assignment]


class _WithDocsAssets:
    """The candidate's app, with the docs' files answered under ``ASSETS_PREFIX`` (lifespan goes to the app)."""

    def __init__(self, app: ASGIApp, folder: Path) -> None:
        from starlette.staticfiles import StaticFiles

        self.app = app
        self.assets = StaticFiles(directory=str(folder))

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(ASSETS_PREFIX + "/"):
            inner = {**scope, "root_path": scope.get("root_path", "") + ASSETS_PREFIX}
            await self.assets(inner, receive, send)
            return
        await self.app(scope, receive, send)


def wrap_app(app: ASGIApp) -> ASGIApp:
    """``app`` with offline docs, when the docs' files are installed; ``app`` itself otherwise."""
    folder = offline_assets()
    if folder is None:
        return app
    _point_docs_at(ASSETS_PREFIX)
    return _WithDocsAssets(app, folder)


def create_app() -> ASGIApp:
    """uvicorn's app factory (run anew on each reload): the candidate's module named by the environment."""
    folder, module_name = os.environ[FOLDER_VARIABLE], os.environ[MODULE_VARIABLE]
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module = importlib.import_module(module_name)
    app = getattr(module, "app", None)
    if app is None:
        raise RuntimeError(f"{module_name}.py defines no `app`: the contract names the application `app`")
    return wrap_app(app)


def serve_reloading(host: str, port: int, folder: Path) -> int | None:
    """Serve ``create_app`` with uvicorn, reloading when a file under ``folder`` changes, until a signal.

    Returns the signal that stopped it (SIGINT, SIGTERM or SIGHUP), or None when uvicorn stopped by itself.
    The app runs in uvicorn's own child process, which the reloader stops before this returns.
    """
    import uvicorn
    from uvicorn.supervisors import ChangeReload

    config = uvicorn.Config(
        "grader.candidate.serving:create_app",
        factory=True,
        host=host,
        port=port,
        reload=True,
        reload_dirs=[str(folder)],
    )
    server = uvicorn.Server(config=config)
    reloader = ChangeReload(config, target=server.run, sockets=[config.bind_socket()])
    received: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        received.append(signum)
        reloader.should_exit.set()

    reloader.signal_handler = stop  # type: ignore[method-assign]  # installed for SIGINT and SIGTERM at startup
    hangup = getattr(signal, "SIGHUP", None)
    previous = signal.signal(hangup, stop) if hangup is not None else None
    try:
        reloader.run()
    finally:
        if hangup is not None:
            signal.signal(hangup, previous)
    return received[0] if received else None
