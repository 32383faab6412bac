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
from collections.abc import Iterable, Iterator
from pathlib import Path

from grader.scan.integrity_rules import (
    ATTRIBUTE_FUNCTIONS,
    ATTRIBUTE_GETTERS,
    BUILTIN_NAMES,
    FILE_LOADERS,
    IMPORTERS,
    INTROSPECTION_ATTRIBUTES,
    LONGEST_LITERAL,
    NAMESPACE_FUNCTIONS,
    NAMESPACES,
    NO_NAMES,
    PASSES,
    PYTEST_ALLOWED,
    RARE_ATTRIBUTES,
    REASONS,
    SUSPICIOUS_MODULES,
    tracked,
)

__all__ = ["scan_bytes", "scan_file", "scan_source"]


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
        for _ in range(PASSES):
            if not self._pass():
                self.converged = True
                break

    def _bind(self, name: str, qualified: Iterable[str]) -> bool:
        new = tracked(qualified) - self.bindings.get(name, set())
        if new:
            self.bindings.setdefault(name, set()).update(new)
        return bool(new)

    def of(self, node: ast.AST | None) -> frozenset[str]:
        return self.names.get(node, NO_NAMES) if node is not None else NO_NAMES

    def name(self, identifier: str) -> frozenset[str]:
        """A bare name: what it was bound to anywhere, a star import's name, and the builtin or module it spells."""
        own = "builtins" if identifier == "__builtins__" else identifier
        if identifier in BUILTIN_NAMES:
            own = f"builtins.{identifier}"
        found = {own, *self.bindings.get(identifier, ()), *(f"{m}.{identifier}" for m in self.star_modules)}
        return tracked(found)

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
        if value is not None and len(value) <= LONGEST_LITERAL:
            self.text[node] = value

    def namespace(self, node: ast.AST) -> tuple[frozenset[str], bool] | None:
        """``X.__dict__``, ``vars(X)``: X's names; ``globals()``, ``locals()``, ``vars()``: (nothing, True)."""
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            return self.of(node.value), False
        if isinstance(node, ast.Call) and self.of(node.func) & NAMESPACE_FUNCTIONS:
            return (self.of(node.args[0]), False) if node.args else (NO_NAMES, True)
        return None

    def lookup(self, container: ast.AST, key: str) -> frozenset[str]:
        """What ``container[key]`` (or ``container.get(key)``) stands for."""
        namespace = self.namespace(container)
        if namespace is not None:
            owners, own_module = namespace
            if own_module:
                return self.name(key)
            return tracked(f"{owner}.{key}" for owner in owners)
        found = {key if owner == "sys.modules" else f"{owner}.{key}" for owner in self.of(container)}
        return tracked(found)

    def imported(self, call: ast.Call) -> tuple[str | None, ast.AST | None]:
        """For a call to an import function: how the flag names the function, and the argument naming the module."""
        labels = sorted(IMPORTERS[name] for name in self.of(call.func) if name in IMPORTERS)
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
            return tracked(f"{owner}.{node.attr}" for owner in self.of(node.value))
        if isinstance(node, ast.Subscript):
            key = self.text.get(node.slice)
            return self.lookup(node.value, key) if key is not None else NO_NAMES
        if isinstance(node, ast.NamedExpr):
            return self.of(node.value)
        if isinstance(node, ast.IfExp):
            return self.of(node.body) | self.of(node.orelse)
        if isinstance(node, ast.BoolOp):
            return frozenset().union(*(self.of(value) for value in node.values))
        if isinstance(node, ast.Call):
            return self._call(node)
        return NO_NAMES

    def _call(self, node: ast.Call) -> frozenset[str]:
        function = self.of(node.func)
        _label, argument = self.imported(node)
        module = self.text.get(argument) if argument is not None else None
        if module is not None:
            dotted = module.replace(":", ".")
            top = function & {"builtins.__import__", "importlib.__import__"}  # __import__("a.b") returns a
            return tracked({dotted, dotted.split(".")[0]} if top else {dotted})
        if function & ATTRIBUTE_FUNCTIONS and len(node.args) >= 2 and node.args[1] in self.text:
            return tracked(f"{owner}.{self.text[node.args[1]]}" for owner in self.of(node.args[0]))
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args and node.args[0] in self.text:
            return self.lookup(node.func.value, self.text[node.args[0]])
        if (  # operator.attrgetter("modules")(sys)
            isinstance(node.func, ast.Call)
            and self.of(node.func.func) & {"operator.attrgetter"}
            and len(node.func.args) == 1
            and node.func.args[0] in self.text
            and len(node.args) == 1
        ):
            return tracked(f"{owner}.{self.text[node.func.args[0]]}" for owner in self.of(node.args[0]))
        return NO_NAMES

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
    flags = [f"reaches interpreter internals ({attribute})"] if attribute in INTROSPECTION_ATTRIBUTES else []
    known = [REASONS[f"{owner}.{attribute}"] for owner in sorted(owners) if f"{owner}.{attribute}" in REASONS]
    if known:
        flags.extend(known)
    elif attribute in RARE_ATTRIBUTES:
        flags.append(REASONS[RARE_ATTRIBUTES[attribute]])
    return flags


def _module_flags(modules: Iterable[str], question_id: str) -> list[str]:
    heads = {module.split(".")[0].split(":")[0] for module in modules}
    flags = [reason for module, reason in SUSPICIOUS_MODULES.items() if module in heads]
    if "pytest" in heads and question_id not in PYTEST_ALLOWED:
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
    flags.extend(f"loads code from a file path ({loader})" for loader in sorted(function & FILE_LOADERS))
    if function & ATTRIBUTE_FUNCTIONS and node.args:
        how = sorted(function & ATTRIBUTE_FUNCTIONS)[0].split(".")[1]
        owners = names.of(node.args[0])
        if len(node.args) >= 2 and node.args[1] in names.text:
            flags.extend(_reach(owners, names.text[node.args[1]]))
        if how in ("getattr", "setattr"):
            flags.extend(f"{how} on {owner}" for owner in NAMESPACES if owner in owners)
    if isinstance(node.func, ast.Attribute) and node.func.attr in ("__getattribute__", "__getattr__") and node.args:
        owners = names.of(node.args[0]) if len(node.args) == 2 else names.of(node.func.value)
        if node.args[-1] in names.text:
            flags.extend(_reach(owners, names.text[node.args[-1]]))
    if function & ATTRIBUTE_GETTERS:
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
            flags.extend(REASONS[name] for name in imported if name in REASONS)
        elif isinstance(node, ast.Name):
            if node.id == "__builtins__":
                flags.append("reaches interpreter internals (__builtins__)")
            if not isinstance(node.ctx, ast.Store):
                flags.extend(REASONS[name] for name in sorted(names.of(node)) if name in REASONS)
        elif isinstance(node, ast.Attribute):
            flags.extend(_reach(names.of(node.value), node.attr))
        elif isinstance(node, ast.Subscript):
            flags.extend(REASONS[name] for name in sorted(names.of(node)) if name in REASONS)
            namespace = names.namespace(node.value)
            key = names.text.get(node.slice)
            if namespace is not None and key is not None:
                flags.extend(_reach(namespace[0], key))
            owners = namespace[0] if namespace is not None else names.of(node.value) & {"builtins"}
            flags.extend(f"looks up a computed name in {o}" for o in NAMESPACES if o in owners and key is None)
        elif isinstance(node, ast.Call):
            flags.extend(REASONS[name] for name in sorted(names.of(node)) if name in REASONS)
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
