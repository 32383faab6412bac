"""Flags on submitted code that reaches for the grading machinery instead of answering the question.

Since the verdict is decided in a judge process that never runs candidate code, and the candidate's process
is sandboxed, these flags no longer guard the score: they ask a human to look at code that has no business in
a FastAPI answer (reaching for interpreter internals, the grader, dynamic imports, frames). Every file is read
(never run) from the grader's private copy, before grading. Flags never change a score.

The scan follows the usual respellings of what it flags: aliases (``import sys as s``, ``x = sys``, ``from os
import _exit``, ``from importlib import import_module as im``), imports by a literal name through
``importlib``, ``__import__`` or ``pkgutil.resolve_name``, attributes named by a literal string (``getattr``,
``setattr``, ``hasattr``, ``delattr``, ``operator.attrgetter``), and ``builtins``/``__builtins__`` lookups.
The analysis ignores scopes (a name bound to ``sys`` anywhere counts as ``sys`` everywhere): it errs towards a
flag, which a person then reads. Common attribute names (``modules``, ``fork``, ``kill``) are flagged only on
the modules that define them, so that ``process.kill()`` is not; rare ones (``_exit``, ``_getframe``,
``settrace``, ...) and the attributes that walk to frames, globals or code are flagged on any object.

The scan parses the file's bytes exactly as Python's import does (the same ``compile``, so the same coding line
and BOM rules): a file it cannot parse is a file Python cannot import either, whose error the grading reports,
so it gets no flag. Only a file too deep or too large for the parser (``RecursionError``, ``MemoryError``),
which a process with other limits might still import, is flagged as unread.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["scan_bytes", "scan_file", "scan_source"]

# Modules a FastAPI answer never needs, and why their presence deserves a look.
_SUSPICIOUS_MODULES = {
    "_pytest": "imports pytest's internals",
    "pytest_jsonreport": "imports the grader's report plugin",
    "grader": "imports the grader itself",
    "ctypes": "imports ctypes",
    "gc": "imports gc (can reach any object of the process)",
    "inspect": "imports inspect (can read frames)",
}
# Qualified names whose use (call, reference, import, lookup) deserves a look.
_REASONS = {
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
for _module in ("os", "posix"):  # posix is what os re-exports
    _REASONS.update(
        {
            f"{_module}._exit": f"can end the process without cleanup ({_module}._exit)",
            f"{_module}.kill": f"sends signals ({_module}.kill)",
            f"{_module}.killpg": f"sends signals ({_module}.killpg)",
            f"{_module}.fork": f"starts processes ({_module}.fork)",
            f"{_module}.forkpty": f"starts processes ({_module}.forkpty)",
            f"{_module}.setsid": f"detaches processes ({_module}.setsid)",
        }
    )
# Attribute names rare enough to be flagged on any object (the reason of the module that defines them).
_RARE_ATTRIBUTES = {
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
# Functions that import a module named by their first argument, as they are shown in a flag.
_IMPORTERS = {
    "importlib.import_module": "importlib.import_module",
    "importlib.__import__": "importlib.__import__",
    "builtins.__import__": "__import__",
    "pkgutil.resolve_name": "pkgutil.resolve_name",
    "importlib.util.find_spec": "importlib.util.find_spec",
    "runpy.run_module": "runpy.run_module",
}
_FILE_LOADERS = {
    "importlib.util.spec_from_file_location",
    "importlib.machinery.SourceFileLoader",
    "importlib.machinery.SourcelessFileLoader",
    "runpy.run_path",
}
_ATTRIBUTE_FUNCTIONS = {"builtins.getattr", "builtins.setattr", "builtins.hasattr", "builtins.delattr"}
_ATTRIBUTE_GETTERS = {"operator.attrgetter", "operator.methodcaller"}
_NAMESPACE_FUNCTIONS = {"builtins.vars", "builtins.globals", "builtins.locals"}
# Modules on which getattr/setattr, or a lookup by a computed name, is flagged whatever the name.
_NAMESPACES = ("builtins", "sys", "os", "posix")
# q25's candidates write tests, so pytest is part of their answer.
_PYTEST_ALLOWED = frozenset({"q25"})

_BUILTIN_NAMES = frozenset(dir(builtins))
_LONGEST_LITERAL = 1000  # longer folded strings are left unknown: no flagged name is that long
_PASSES = 10  # rounds of following assignments; more means names chained out of order, itself flagged


def _prefixes(names: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for name in names:
        parts = name.split(".")
        out.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return frozenset(out)


# The only qualified names the analysis keeps track of: what it flags or calls out, and the way to them.
_TRACKED = _prefixes(
    [
        *_REASONS,
        *_IMPORTERS,
        *_FILE_LOADERS,
        *_ATTRIBUTE_FUNCTIONS,
        *_ATTRIBUTE_GETTERS,
        *_NAMESPACE_FUNCTIONS,
        *_NAMESPACES,
    ]
)
_NO_NAMES: frozenset[str] = frozenset()


def _tracked(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name for name in names if name in _TRACKED)


def _postorder(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node after its children, in source order, without recursion (a deep tree cannot overflow it)."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            yield node
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(list(ast.iter_child_nodes(node))))


# The nodes a pass works out: what can stand for a name, spell a string, or bind a name.
_PASS_NODES = (
    ast.Constant, ast.BinOp, ast.JoinedStr, ast.Call, ast.Name, ast.Attribute, ast.Subscript, ast.NamedExpr,
    ast.IfExp, ast.BoolOp, ast.Assign, ast.AnnAssign, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
)  # fmt: skip


class _Names:
    """What each expression may stand for, as qualified names (``sys.modules``), and which strings are literal."""

    def __init__(self, tree: ast.AST) -> None:
        self.nodes = list(_postorder(tree))  # every node, children first, in source order
        self._worked = [node for node in self.nodes if isinstance(node, _PASS_NODES)]
        self.bindings: dict[str, set[str]] = {}
        self.star_modules: set[str] = set()
        self.names: dict[ast.AST, frozenset[str]] = {}
        self.text: dict[ast.AST, str] = {}
        for node in self.nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    self._bind(bound, {alias.name if alias.asname else bound})
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if alias.name == "*":
                        self.star_modules.add(node.module)
                    else:
                        self._bind(alias.asname or alias.name, {f"{node.module}.{alias.name}"})
        self.converged = False
        for _ in range(_PASSES):
            if not self._pass():
                self.converged = True
                break

    def _bind(self, name: str, qualified: Iterable[str]) -> bool:
        new = _tracked(qualified) - self.bindings.get(name, set())
        if new:
            self.bindings.setdefault(name, set()).update(new)
        return bool(new)

    def of(self, node: ast.AST | None) -> frozenset[str]:
        return self.names.get(node, _NO_NAMES) if node is not None else _NO_NAMES

    def name(self, identifier: str) -> frozenset[str]:
        """A bare name: what it was bound to anywhere, a star import's name, and the builtin or module it spells."""
        own = "builtins" if identifier == "__builtins__" else identifier
        if identifier in _BUILTIN_NAMES:
            own = f"builtins.{identifier}"
        found = {own, *self.bindings.get(identifier, ()), *(f"{m}.{identifier}" for m in self.star_modules)}
        return _tracked(found)

    def _pass(self) -> bool:
        """Work out every node once, binding names as assignments are met; True if a binding grew."""
        grew = False
        self.names, self.text = {}, {}
        for node in self._worked:
            self._literal(node)
            names = self._resolve(node)
            if names:
                self.names[node] = names
            grew |= self._assign(node)
        return grew

    def _literal(self, node: ast.AST) -> None:
        value: str | None = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.text.get(node.left), self.text.get(node.right)
            value = left + right if left is not None and right is not None else None
        elif isinstance(node, ast.JoinedStr):
            parts = [self.text.get(v.value if isinstance(v, ast.FormattedValue) else v) for v in node.values]
            simple = all(
                not isinstance(v, ast.FormattedValue) or (v.format_spec is None and v.conversion in (-1, 115))
                for v in node.values
            )  # 115 is !s
            value = "".join(p for p in parts if p is not None) if simple and None not in parts else None
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join"
            and node.func.value in self.text
            and len(node.args) == 1
            and isinstance(node.args[0], (ast.List, ast.Tuple))
        ):
            parts = [self.text.get(element) for element in node.args[0].elts]
            value = self.text[node.func.value].join(p for p in parts if p is not None) if None not in parts else None
        if value is not None and len(value) <= _LONGEST_LITERAL:
            self.text[node] = value

    def namespace(self, node: ast.AST) -> tuple[frozenset[str], bool] | None:
        """``X.__dict__``, ``vars(X)``: X's names; ``globals()``, ``locals()``, ``vars()``: (nothing, True)."""
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            return self.of(node.value), False
        if isinstance(node, ast.Call) and self.of(node.func) & _NAMESPACE_FUNCTIONS:
            return (self.of(node.args[0]), False) if node.args else (_NO_NAMES, True)
        return None

    def lookup(self, container: ast.AST, key: str) -> frozenset[str]:
        """What ``container[key]`` (or ``container.get(key)``) stands for."""
        namespace = self.namespace(container)
        if namespace is not None:
            owners, own_module = namespace
            if own_module:
                return self.name(key)
            return _tracked(f"{owner}.{key}" for owner in owners)
        found = {key if owner == "sys.modules" else f"{owner}.{key}" for owner in self.of(container)}
        return _tracked(found)

    def imported(self, call: ast.Call) -> tuple[str | None, ast.AST | None]:
        """For a call to an import function: how the flag names the function, and the argument naming the module."""
        labels = sorted(_IMPORTERS[name] for name in self.of(call.func) if name in _IMPORTERS)
        if not labels and isinstance(call.func, ast.Attribute) and call.func.attr == "import_module":
            labels = ["importlib.import_module"]  # on whatever object: the name matters more than the owner
        if not labels:
            return None, None
        named = [k.value for k in call.keywords if k.arg in ("name", "mod_name")]
        return labels[0], (call.args[:1] or named or [None])[0]

    def _resolve(self, node: ast.AST) -> frozenset[str]:
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.Attribute):
            return _tracked(f"{owner}.{node.attr}" for owner in self.of(node.value))
        if isinstance(node, ast.Subscript):
            key = self.text.get(node.slice)
            return self.lookup(node.value, key) if key is not None else _NO_NAMES
        if isinstance(node, ast.NamedExpr):
            return self.of(node.value)
        if isinstance(node, ast.IfExp):
            return self.of(node.body) | self.of(node.orelse)
        if isinstance(node, ast.BoolOp):
            return frozenset().union(*(self.of(value) for value in node.values))
        if isinstance(node, ast.Call):
            return self._call(node)
        return _NO_NAMES

    def _call(self, node: ast.Call) -> frozenset[str]:
        function = self.of(node.func)
        _label, argument = self.imported(node)
        module = self.text.get(argument) if argument is not None else None
        if module is not None:
            dotted = module.replace(":", ".")
            top = function & {"builtins.__import__", "importlib.__import__"}  # __import__("a.b") returns a
            return _tracked({dotted, dotted.split(".")[0]} if top else {dotted})
        if function & _ATTRIBUTE_FUNCTIONS and len(node.args) >= 2 and node.args[1] in self.text:
            return _tracked(f"{owner}.{self.text[node.args[1]]}" for owner in self.of(node.args[0]))
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args and node.args[0] in self.text:
            return self.lookup(node.func.value, self.text[node.args[0]])
        if (  # operator.attrgetter("modules")(sys)
            isinstance(node.func, ast.Call)
            and self.of(node.func.func) & {"operator.attrgetter"}
            and len(node.func.args) == 1
            and node.func.args[0] in self.text
            and len(node.args) == 1
        ):
            return _tracked(f"{owner}.{self.text[node.func.args[0]]}" for owner in self.of(node.args[0]))
        return _NO_NAMES

    def _assign(self, node: ast.AST) -> bool:
        pairs: list[tuple[ast.AST, ast.AST | None]] = []
        if isinstance(node, ast.Assign):
            pairs = [(target, node.value) for target in node.targets]
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            pairs = [(node.target, node.value)]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            positional = [*node.args.posonlyargs, *node.args.args]
            pairs = [(arg, d) for arg, d in zip(positional[::-1], node.args.defaults[::-1], strict=False)]
            pairs += [(arg, d) for arg, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True)]
        grew = False
        while pairs:
            target, value = pairs.pop()
            if value is None:
                continue
            if isinstance(target, ast.Name):
                grew |= self._bind(target.id, self.of(value))
            elif isinstance(target, ast.arg):
                grew |= self._bind(target.arg, self.of(value))
            elif (
                isinstance(target, (ast.Tuple, ast.List))
                and isinstance(value, (ast.Tuple, ast.List))
                and len(target.elts) == len(value.elts)
            ):
                pairs.extend(zip(target.elts, value.elts, strict=True))
        return grew


def _reach(owners: Iterable[str], attribute: str) -> list[str]:
    """Flags for reading ``attribute`` of an object that may be any of ``owners`` (or anything, if none)."""
    flags = [f"reaches interpreter internals ({attribute})"] if attribute in _INTROSPECTION_ATTRIBUTES else []
    known = [_REASONS[f"{owner}.{attribute}"] for owner in sorted(owners) if f"{owner}.{attribute}" in _REASONS]
    if known:
        flags.extend(known)
    elif attribute in _RARE_ATTRIBUTES:
        flags.append(_REASONS[_RARE_ATTRIBUTES[attribute]])
    return flags


def _module_flags(modules: Iterable[str], question_id: str) -> list[str]:
    heads = {module.split(".")[0].split(":")[0] for module in modules}
    flags = [reason for module, reason in _SUSPICIOUS_MODULES.items() if module in heads]
    if "pytest" in heads and question_id not in _PYTEST_ALLOWED:
        flags.append("imports pytest, which no answer needs outside q25")
    return flags


def _call_flags(names: _Names, node: ast.Call, modules: set[str]) -> list[str]:
    flags: list[str] = []
    function = names.of(node.func)
    label, argument = names.imported(node)
    if label is not None and argument is not None:
        if argument in names.text:
            modules.add(names.text[argument])
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            flags.append(f"imports a module whose name is computed ({label})")
    flags.extend(f"loads code from a file path ({loader})" for loader in sorted(function & _FILE_LOADERS))
    if function & _ATTRIBUTE_FUNCTIONS and node.args:
        how = sorted(function & _ATTRIBUTE_FUNCTIONS)[0].split(".")[1]
        owners = names.of(node.args[0])
        if len(node.args) >= 2 and node.args[1] in names.text:
            flags.extend(_reach(owners, names.text[node.args[1]]))
        if how in ("getattr", "setattr"):
            flags.extend(f"{how} on {owner}" for owner in _NAMESPACES if owner in owners)
    if isinstance(node.func, ast.Attribute) and node.func.attr in ("__getattribute__", "__getattr__") and node.args:
        owners = names.of(node.args[0]) if len(node.args) == 2 else names.of(node.func.value)
        if node.args[-1] in names.text:
            flags.extend(_reach(owners, names.text[node.args[-1]]))
    if function & _ATTRIBUTE_GETTERS:
        paths = [names.text[a] for a in node.args if a in names.text]
        if "operator.methodcaller" in function:
            paths = paths[:1]
        flags.extend(flag for path in paths for part in path.split(".") for flag in _reach((), part))
    return flags


def _flags(tree: ast.AST, question_id: str) -> list[str]:
    names = _Names(tree)
    modules: set[str] = set()
    flags: list[str] = []
    for node in names.nodes:
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            imported = (f"{node.module}.{alias.name}" for alias in node.names)
            flags.extend(_REASONS[name] for name in imported if name in _REASONS)
        elif isinstance(node, ast.Name):
            if node.id == "__builtins__":
                flags.append("reaches interpreter internals (__builtins__)")
            if not isinstance(node.ctx, ast.Store):
                flags.extend(_REASONS[name] for name in sorted(names.of(node)) if name in _REASONS)
        elif isinstance(node, ast.Attribute):
            flags.extend(_reach(names.of(node.value), node.attr))
        elif isinstance(node, ast.Subscript):
            flags.extend(_REASONS[name] for name in sorted(names.of(node)) if name in _REASONS)
            namespace = names.namespace(node.value)
            key = names.text.get(node.slice)
            if namespace is not None and key is not None:
                flags.extend(_reach(namespace[0], key))
            owners = namespace[0] if namespace is not None else names.of(node.value) & {"builtins"}
            flags.extend(f"looks up a computed name in {o}" for o in _NAMESPACES if o in owners and key is None)
        elif isinstance(node, ast.Call):
            flags.extend(_REASONS[name] for name in sorted(names.of(node)) if name in _REASONS)
            flags.extend(_call_flags(names, node, modules))
    if not names.converged:
        flags.append("the scan could not follow every name (assignments chained out of order)")
    return _module_flags(modules, question_id) + flags


def _parse(source: str | bytes) -> ast.AST | str | None:
    """The tree; None if Python could not compile the source either; a reason if the parser ran out of room."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None  # not a Python file: its import fails, and the grading reports why
    except (RecursionError, MemoryError) as exc:
        return f"the scan could not read the file ({type(exc).__name__}): read it"


def _scan(source: str | bytes, question_id: str) -> tuple[str, ...]:
    tree = _parse(source)
    if tree is None:
        return ()
    if isinstance(tree, str):
        return (tree,)
    return tuple(dict.fromkeys(_flags(tree, question_id)))  # each reason once, in order


def scan_source(source: str, question_id: str) -> tuple[str, ...]:
    """Human-readable flags for ``source``; code that does not parse has none (it cannot run)."""
    return _scan(source, question_id)


def scan_bytes(data: bytes, question_id: str) -> tuple[str, ...]:
    """Flags for a file's bytes, parsed by the very ``compile`` that imports it (coding line, BOM and all)."""
    return _scan(data, question_id)


def scan_file(path: Path, question_id: str) -> tuple[str, ...]:
    """Scan the grader's private copy of a file (a regular file it made itself, so reading cannot block)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        return (f"the scan could not read the file ({exc.strerror})",)
    return scan_bytes(data, question_id)
