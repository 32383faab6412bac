"""Flags on submitted code that reaches for the grading machinery instead of answering the question.

Since the verdict is decided in a judge process that never runs candidate code, and the candidate's process
is sandboxed, these flags no longer guard the score: they ask a human to look at code that has no business in
a FastAPI answer (reaching for interpreter internals, the grader, dynamic imports, frames). Every file is read
(never run) from the grader's private copy, before grading; a file the scan cannot decode or parse is flagged
too, so that a coding line or a BOM cannot blind it. Flags never change a score.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

__all__ = ["scan_file", "scan_source"]

# Modules a FastAPI answer never needs, and why their presence deserves a look.
_SUSPICIOUS_MODULES = {
    "_pytest": "imports pytest's internals",
    "pytest_jsonreport": "imports the grader's report plugin",
    "grader": "imports the grader itself",
    "ctypes": "imports ctypes",
    "gc": "imports gc (can reach any object of the process)",
    "inspect": "imports inspect (can read frames)",
}
_SUSPICIOUS_CALLS = {
    ("sys", "_getframe"): "reads interpreter frames (sys._getframe)",
    ("sys", "modules"): "reaches modules through sys.modules",
    ("os", "_exit"): "can end the process without cleanup (os._exit)",
    ("os", "kill"): "sends signals (os.kill)",
    ("os", "fork"): "starts processes (os.fork)",
    ("os", "setsid"): "detaches processes (os.setsid)",
    ("sys", "settrace"): "installs a tracer (sys.settrace)",
    ("sys", "setprofile"): "installs a profiler hook (sys.setprofile)",
}
# Attributes that walk from an object to the interpreter's frames, globals or code.
_INTROSPECTION_ATTRIBUTES = {
    "__traceback__",
    "tb_frame",
    "tb_next",
    "f_back",
    "f_globals",
    "f_locals",
    "gi_frame",
    "cr_frame",
    "__globals__",
    "__subclasses__",
    "__code__",
    "__builtins__",
}
_DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__"}
# q25's candidates write tests, so pytest is part of their answer.
_PYTEST_ALLOWED = frozenset({"q25"})


def _imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _attribute_pairs(tree: ast.AST) -> set[tuple[str, str]]:
    """``(module, attribute)`` for every ``name.attribute``, with ``import sys as _s`` resolved to ``sys``."""
    aliases = {
        alias.asname: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.asname
    }
    return {
        (aliases.get(node.value.id, node.value.id), node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
    }


def _dynamic_reach(tree: ast.AST) -> list[str]:
    flags: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _INTROSPECTION_ATTRIBUTES:
            flags.append(f"reaches interpreter internals ({node.attr})")
        elif isinstance(node, ast.Name) and node.id in ("__builtins__",):
            flags.append("reaches interpreter internals (__builtins__)")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name == "__import__":
                flags.append("imports modules dynamically (__import__)")
            elif name in _DYNAMIC_CALLS:
                flags.append(f"runs code built at run time ({name})")
            elif name in ("getattr", "setattr") and node.args:
                target = node.args[0]
                if isinstance(target, ast.Name) and target.id in ("builtins", "__builtins__", "sys", "os"):
                    flags.append(f"{name} on {target.id}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and not isinstance(node.args[0], ast.Constant)
        ):
            flags.append("imports a module whose name is computed (importlib.import_module)")
    return flags


def scan_source(source: str, question_id: str) -> tuple[str, ...]:
    """Human-readable flags for ``source``; code that does not parse is flagged as such."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return (f"the scan could not parse the file (SyntaxError, line {exc.lineno})",)
    except (ValueError, RecursionError, MemoryError) as exc:
        return (f"the scan could not parse the file ({type(exc).__name__})",)
    modules = _imported_modules(tree)
    flags = [reason for module, reason in _SUSPICIOUS_MODULES.items() if module in modules]
    if "pytest" in modules and question_id not in _PYTEST_ALLOWED:
        flags.append("imports pytest, which no answer needs outside q25")
    flags.extend(reason for call, reason in _SUSPICIOUS_CALLS.items() if call in _attribute_pairs(tree))
    flags.extend(_dynamic_reach(tree))
    return tuple(dict.fromkeys(flags))  # each reason once, in order


def scan_bytes(data: bytes, question_id: str) -> tuple[str, ...]:
    """Decode as Python itself would (PEP 263 coding line, BOM), then scan; an undecodable file is a flag."""
    try:
        encoding, _lines = tokenize.detect_encoding(io.BytesIO(data).readline)
        source = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        return (f"the scan could not decode the file ({type(exc).__name__}: {exc})"[:200],)
    return scan_source(source, question_id)


def scan_file(path: Path, question_id: str) -> tuple[str, ...]:
    """Scan the grader's private copy of a file (a regular file it made itself, so reading cannot block)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        return (f"the scan could not read the file ({exc.strerror})",)
    return scan_bytes(data, question_id)
