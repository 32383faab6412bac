"""What the integrity scan flags, and why: the tables ``grader.scan.integrity`` reads.

Each entry pairs a qualified name (``sys._getframe``, ``os.fork``) or an attribute with the reason a person reads
in the report; the scan itself (which expressions stand for which names) is in ``grader.scan.integrity``.
Changing what is flagged is a change here only.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable

# Modules a FastAPI answer never needs, and why their presence deserves a look.
SUSPICIOUS_MODULES = {
    "_pytest": "imports pytest's internals",
    "pytest_jsonreport": "imports the grader's report plugin",
    "grader": "imports the grader itself",
    "ctypes": "imports ctypes",
    "gc": "imports gc (can reach any object of the process)",
    "inspect": "imports inspect (can read frames)",
}
# Qualified names whose use (call, reference, import, lookup) deserves a look.
REASONS = {
    "sys._getframe": "reads interpreter frames (sys._getframe)",
    "sys._current_frames": "reads interpreter frames (sys._current_frames)",
    "sys.modules": "reaches modules through sys.modules",
    "sys.settrace": "installs a tracer (sys.settrace)",
    "sys.setprofile": "installs a profiler hook (sys.setprofile)",
    "threading.settrace": "installs a tracer (threading.settrace)",
    "threading.setprofile": "installs a profiler hook (threading.setprofile)",
    "builtins.exec": "runs code built at run time (exec)",
    "builtins.eval": "runs code built at run time (eval)",
    "builtins.compile": "runs code built at run time (compile)",
    "builtins.__import__": "imports modules dynamically (__import__)",
}
for module in ("os", "posix"):  # posix is what os re-exports
    REASONS.update(
        {
            f"{module}._exit": f"can end the process without cleanup ({module}._exit)",
            f"{module}.kill": f"sends signals ({module}.kill)",
            f"{module}.killpg": f"sends signals ({module}.killpg)",
            f"{module}.fork": f"starts processes ({module}.fork)",
            f"{module}.forkpty": f"starts processes ({module}.forkpty)",
            f"{module}.setsid": f"detaches processes ({module}.setsid)",
        }
    )
# Attribute names rare enough to be flagged on any object (the reason of the module that defines them).
RARE_ATTRIBUTES = {
    "_getframe": "sys._getframe",
    "_current_frames": "sys._current_frames",
    "_exit": "os._exit",
    "settrace": "sys.settrace",
    "setprofile": "sys.setprofile",
    "setsid": "os.setsid",
    "killpg": "os.killpg",
    "forkpty": "os.forkpty",
}
# Attributes that walk from an object to the interpreter's frames, globals or code.
INTROSPECTION_ATTRIBUTES = {
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
# Functions that import a module named by their first argument, as they are shown in a flag.
IMPORTERS = {
    "importlib.import_module": "importlib.import_module",
    "importlib.__import__": "importlib.__import__",
    "builtins.__import__": "__import__",
    "pkgutil.resolve_name": "pkgutil.resolve_name",
    "importlib.util.find_spec": "importlib.util.find_spec",
    "runpy.run_module": "runpy.run_module",
}
FILE_LOADERS = {
    "importlib.util.spec_from_file_location",
    "importlib.machinery.SourceFileLoader",
    "importlib.machinery.SourcelessFileLoader",
    "runpy.run_path",
}
ATTRIBUTE_FUNCTIONS = {"builtins.getattr", "builtins.setattr", "builtins.hasattr", "builtins.delattr"}
ATTRIBUTE_GETTERS = {"operator.attrgetter", "operator.methodcaller"}
NAMESPACE_FUNCTIONS = {"builtins.vars", "builtins.globals", "builtins.locals"}
# Modules on which getattr/setattr, or a lookup by a computed name, is flagged whatever the name.
NAMESPACES = ("builtins", "sys", "os", "posix")
# q25's candidates write tests, so pytest is part of their answer.
PYTEST_ALLOWED = frozenset({"q25"})

BUILTIN_NAMES = frozenset(dir(builtins))
LONGEST_LITERAL = 1000  # longer folded strings are left unknown: no flagged name is that long
PASSES = 10  # rounds of following assignments; more means names chained out of order, itself flagged


def prefixes(names: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for name in names:
        parts = name.split(".")
        out.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return frozenset(out)


# The only qualified names the analysis keeps track of: what it flags or calls out, and the way to them.
TRACKED = prefixes(
    [
        *REASONS,
        *IMPORTERS,
        *FILE_LOADERS,
        *ATTRIBUTE_FUNCTIONS,
        *ATTRIBUTE_GETTERS,
        *NAMESPACE_FUNCTIONS,
        *NAMESPACES,
    ]
)
NO_NAMES: frozenset[str] = frozenset()


def tracked(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name for name in names if name in TRACKED)
