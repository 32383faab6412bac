"""Flags on submitted code that reaches for the grading machinery instead of answering the question.

Each question runs in its own process, which contains crashes, hangs and floods, but the candidate's
module shares that process with pytest: code written to tamper with the test run (patching pytest's
internals, walking the interpreter's objects, forging the grader's files) could succeed. A sandbox is out
of scope; instead every file is read, never run, before grading, and anything that has no business in a
FastAPI answer is flagged for a human to look at. Flags never change a score.
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["scan_file", "scan_source"]

# Modules a FastAPI answer never needs, and why their presence deserves a look.
_SUSPICIOUS_MODULES = {
    "_pytest": "imports pytest's internals",
    "pytest_jsonreport": "imports the grader's report plugin",
    "grader": "imports the grader itself",
    "ctypes": "imports ctypes",
    "gc": "imports gc (can reach any object of the test run)",
    "inspect": "imports inspect (can read the test run's frames)",
}
_SUSPICIOUS_CALLS = {
    ("sys", "_getframe"): "reads interpreter frames (sys._getframe)",
    ("os", "_exit"): "can end the process without cleanup (os._exit)",
    ("os", "kill"): "sends signals (os.kill)",
    ("sys", "settrace"): "installs a tracer (sys.settrace)",
    ("sys", "setprofile"): "installs a profiler hook (sys.setprofile)",
}
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


def _attribute_calls(tree: ast.AST) -> set[tuple[str, str]]:
    return {
        (node.value.id, node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
    }


def scan_source(source: str, question_id: str) -> tuple[str, ...]:
    """Human-readable flags for ``source``; empty for ordinary code or code that does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()  # the grading itself reports the error
    modules = _imported_modules(tree)
    flags = [reason for module, reason in _SUSPICIOUS_MODULES.items() if module in modules]
    if "pytest" in modules and question_id not in _PYTEST_ALLOWED:
        flags.append("imports pytest, which no answer needs outside q25")
    if "__import__" in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}:
        flags.append("imports modules dynamically (__import__)")
    flags.extend(reason for call, reason in _SUSPICIOUS_CALLS.items() if call in _attribute_calls(tree))
    return tuple(flags)


def scan_file(path: Path, question_id: str) -> tuple[str, ...]:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ()
    return scan_source(source, question_id)
