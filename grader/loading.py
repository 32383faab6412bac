"""Load a question's module from a file path under a unique module name.

Every submission names its files the same (``q03_path_parameters.py``), so importing them by name would let
one shadow another in ``sys.modules``. Loading by path under a fresh name keeps each load independent, and a
fresh load per test gives every test a fresh app with fresh in-memory state.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["load_module_from_path", "unload_module"]

_counter = itertools.count(1)


def load_module_from_path(path: Path, prefix: str = "kit_target") -> ModuleType:
    """Execute ``path`` as a new module. Exceptions raised by the module's own code propagate unchanged."""
    name = f"{prefix}_{path.stem}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered before execution: Pydantic and dataclasses resolve annotations through sys.modules.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def unload_module(module: ModuleType) -> None:
    sys.modules.pop(module.__name__, None)
