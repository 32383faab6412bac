"""Kit-provided fakes and spies that run beside the candidate's module, on the judge's named request.

A hidden test that used to patch the module (``monkeypatch.setattr(module, "blocking_io", fake)``) or read its
objects now asks the host to run a helper: ``host.helper("q11.install_gate")``. The helper does the patching
inside the host, and reports what it observed as JSON; the judge asserts. Helpers are kit code: they are
imported before the sandbox closes (the kit's files are out of reach afterwards).

A helper is a function ``(session, **args) -> JSON value`` registered with ``@helper("qNN.name")`` in the
module ``grader/host/helpers/qNN.py``. ``session.module`` is the candidate's module, ``session.state`` a dict
that lives until the next ``load``, ``session.apps`` a registry of wrapped apps a client can be opened on.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

__all__ = ["find", "helper", "load_all"]

Helper = Callable[..., Any]
_REGISTRY: dict[str, Helper] = {}


def helper(name: str) -> Callable[[Helper], Helper]:
    def register(function: Helper) -> Helper:
        if name in _REGISTRY:
            raise ValueError(f"two helpers named {name}")
        _REGISTRY[name] = function
        return function

    return register


def load_all() -> None:
    """Import every helper module (before the sandbox closes: afterwards the kit's folder cannot be read)."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def find(name: str) -> Helper | None:
    return _REGISTRY.get(name)
