"""Helpers every question may use: dependency overrides, spies on module functions, patched constants.

Values cross as JSON; the objects they stand for are built here, in the host, from names the judge gives.
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


@helper("common.spy")
def spy(session: Any, name: str) -> None:
    """Replace ``module.<name>`` by a wrapper that records each call, then calls the original."""
    original = _attribute(session, name)
    calls: list[int] = session.state.setdefault(f"spy:{name}", [])

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    setattr(session.module, name, recording)


@helper("common.spy_calls")
def spy_calls(session: Any, name: str, reset: bool = False) -> int:
    """How many times the spied ``module.<name>`` was called (since the last reset)."""
    calls: list[int] = session.state.setdefault(f"spy:{name}", [])
    count = len(calls)
    if reset:
        calls.clear()
    return count


@helper("common.set")
def set_value(session: Any, name: str, value: Any) -> None:
    """``module.<name> = value`` (a JSON value), as ``monkeypatch.setattr`` would; it lasts until the next load."""
    setattr(session.module, name, value)


@helper("common.construct")
def construct(session: Any, name: str, kwargs: dict[str, Any], attributes: list[str]) -> dict[str, Any]:
    """Call ``module.<name>(**kwargs)`` and report whether it is a class and the named attributes of the result."""
    target = _attribute(session, name)
    made = target(**kwargs)
    values = {attribute: getattr(made, attribute, None) for attribute in attributes}
    from grader.protocol import json_safe

    return {
        "is_class": isinstance(target, type),
        "attributes": {k: v if json_safe(v) else repr(type(v)) for k, v in values.items()},
    }


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
