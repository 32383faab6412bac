"""Helpers every question may use: dependency overrides, patched constants, fakes that forward to the judge.

Every helper here *installs* something and reports nothing: what the app then does is observed by the judge
(its responses, and the calls the forwarding fakes make to the judge's services). Values cross as JSON; the
objects they stand for are built here, in the host, from names the judge gives.
"""

from __future__ import annotations

from typing import Any

from grader.host.helpers import helper

_MISSING = object()


def _attribute(session: Any, name: str) -> Any:
    value = getattr(session.module, name, _MISSING)
    if value is _MISSING:
        raise AttributeError(f"the module defines no `{name}`")
    return value


@helper("common.override")
def override(
    session: Any,
    dependency: str,
    value: Any = None,
    factory: str | None = None,
    kwargs: dict[str, Any] | None = None,
    app: str = "app",
) -> None:
    """Set ``app.dependency_overrides[module.<dependency>]``.

    The override returns ``value``, or a new ``module.<factory>(**kwargs)`` on every call.
    """
    target = _attribute(session, dependency)
    application = session.apps.get(app) or _attribute(session, app)
    if factory is None:
        application.dependency_overrides[target] = lambda: value
    else:
        build = _attribute(session, factory)
        application.dependency_overrides[target] = lambda: build(**(kwargs or {}))


@helper("common.clear_overrides")
def clear_overrides(session: Any, app: str = "app") -> None:
    (session.apps.get(app) or _attribute(session, app)).dependency_overrides.clear()


@helper("common.set")
def set_value(session: Any, name: str, value: Any) -> None:
    """``module.<name> = value`` (a JSON value), as ``monkeypatch.setattr`` would; it lasts until the next load."""
    setattr(session.module, name, value)


@helper("common.forward")
def forward(session: Any, name: str, service: str, is_async: bool | None = None) -> None:
    """``module.<name>`` = a fake that forwards every call, with its JSON arguments, to the judge's service
    ``service`` and returns the judge's answer. It is ``async def`` when ``is_async`` (default: when the original
    is). The fake keeps no record: the judge counts, orders and answers the calls itself."""
    import inspect

    from grader.host import services

    original = _attribute(session, name)
    asynchronous = inspect.iscoroutinefunction(original) if is_async is None else is_async
    if asynchronous:

        async def forwarding_coroutine(*args: Any, **kwargs: Any) -> Any:
            return await services.acall(service, *_plain(args, kwargs))

        setattr(session.module, name, forwarding_coroutine)
    else:

        def forwarding(*args: Any, **kwargs: Any) -> Any:
            return services.call(service, *_plain(args, kwargs))

        setattr(session.module, name, forwarding)


def _plain(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """The call's arguments as JSON values (keyword arguments as a trailing object; others as their repr)."""
    from grader.protocol import json_safe

    values = [a if json_safe(a) else repr(a) for a in args]
    if kwargs:
        values.append({k: v if json_safe(v) else repr(v) for k, v in kwargs.items()})
    return values
