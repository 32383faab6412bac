"""The wall between the grader and the candidate's code, stated by folder and checked by reading imports. Every
rule reads the source (``ast``), never runs it; relative imports are resolved, and a string that is a ``grader.``
module name (what ``importlib.import_module`` is handed) counts as an import where the rule is about ``grader``.

Every folder of ``grader/`` sits on one side of the wall (``CANDIDATE_SIDE``, ``GRADER_SIDE``), and so does every
module at its top (``SHARED``, ``TOP_GRADER_SIDE``); a new one fails ``test_every_folder_and_top_module_is_placed``
until it is placed on purpose.

- **Candidate side: ``host/`` and ``sandbox/``**, where candidate code runs and what confines it. ``host/``
  imports only ``grader.protocol``, ``grader.loading``, ``sandbox/``, itself, the stdlib and the web stack
  (``THIRD_PARTY``); ``sandbox/`` only itself and the stdlib. Neither imports ``grader.weaken`` (its
  switches reach a host in ``Policy.weaken``, set by the judge) nor anything of the grader's side (``judge/``,
  ``book/``, ``kit/``, ``reports/``, ``cli/``...). Protects the hidden tests, the gradebook and the grader's
  other state from a process that imported the candidate's module: none of it is ever loaded there.
- **Nothing on the grader's side executes a module or unpickles**: no file outside ``host/``, ``sandbox/`` and
  ``grader/loading.py`` calls ``exec_module`` or imports ``pickle``, ``_pickle``, ``marshal``, ``shelve`` or
  ``runpy``. Protects the verdict: what a host sends back is plain JSON (``grader.protocol``), never objects
  rebuilt from the candidate's bytes.
- **Only the public checks' fixtures load a module on the grader's side**: ``judge/fixtures.py`` is the one
  caller of ``load_module_from_path`` there, and only it and the candidate's own check process
  (``candidate/checkchild.py``, which wraps the fixtures' loader to see each import start and end) name it.
  The hidden tests never use those fixtures (below): they reach the module through a host.
- **Results are kept and shown without reaching candidate code**: ``book/``, ``scan/``, ``text/``, ``reports/``,
  ``exports/`` and ``review/`` never import ``host/`` or ``sandbox/``. Protects the gradebook, the reports and
  the review app: storing, reading, scanning and showing a result never needs a process that runs candidate
  code. One name is allowed (``RESULTS_MAY_NAME``): ``book/results.py`` reads ``grader.sandbox.LAYERS``, the
  names of the layers it reports; ``sandbox/`` imports only the stdlib (the first rule), so that reaches no
  candidate code either.
- **Hidden tests reach the module only through the bridge** (the ``host`` and ``client`` fixtures), and **host
  helpers install and never report**: nothing the judge asserts is computed beside the candidate's code.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from grader.kit import hidden_tests_dir, kit_root

GRADER = kit_root() / "grader"

# Where candidate code runs, and what confines it: each folder with the parts of grader it may import.
CANDIDATE_SIDE = {
    "host": ("host", "sandbox", "protocol", "loading"),  # the app host: imports the module, answers the judge
    "sandbox": ("sandbox",),  # Landlock, seccomp, namespaces, cgroups, rlimits: stdlib (ctypes) only
}
# Where a verdict is made, results are kept and shown, and the kit is maintained: none of it executes a module
# itself (grader/loading.py does, for the host and for the public checks' fixtures) or unpickles.
GRADER_SIDE = {
    "judge": "where a verdict is made: runner, judge child, pytest plugin, batch, CPU time, bridge to hosts",
    "book": "where results are kept: gradebook, results, scoring, submissions, intake, archives",
    "kit": "the kit itself: folders, catalogue, contracts, dev-check, hints, pack",
    "scan": "integrity and similarity: read the source, never run it",
    "text": "safe text, terminal, words",
    "reports": "every report of kept results",
    "exports": "Gradescope and GitHub Classroom exports",
    "review": "the review app",
    "cli": "the grade command",
    "candidate": "fastlings, the candidate's practice loop",
}
# Where results are kept and shown: never a process that runs candidate code.
RESULTS = ("book", "scan", "text", "reports", "exports", "review")
RESULTS_MAY_NAME = {("book/results.py", "grader.sandbox.LAYERS")}
# Modules at the top of grader/: spoken by both sides, or the grader's own.
SHARED = ("protocol.py", "loading.py", "weaken.py")
TOP_GRADER_SIDE = ("__init__.py", "__main__.py")
THIRD_PARTY = {
    "host": ("fastapi", "starlette", "pydantic", "anyio", "httpx", "sqlalchemy", "jwt", "jose", "slowapi", "uvicorn"),
    "sandbox": (),
}
NEVER_ON_GRADER_SIDE = {"pickle", "_pickle", "marshal", "shelve", "runpy"}
_MODULE_NAME = re.compile(r"grader(\.\w+)+")


def _rel(path: Path) -> str:
    return path.relative_to(GRADER).as_posix()


def _package(path: Path) -> list[str]:
    """The package ``path`` belongs to (``grader/host/main.py`` -> grader.host), for relative imports."""
    return ["grader", *path.relative_to(GRADER).parent.parts]


def _imports(path: Path, strings: bool = False) -> set[str]:
    """Every module (or ``module.name``) ``path`` imports, relative imports resolved; with ``strings``, also every
    string that is a ``grader.`` module name (what ``importlib.import_module`` is handed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package(path)
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, *([node.module] if node.module else [])])
            if base:
                names.update(f"{base}.{alias.name}" for alias in node.names)
        elif strings and isinstance(node, ast.Constant) and _MODULE_NAME.fullmatch(str(node.value)):
            names.add(str(node.value))
    return names


def _part(name: str) -> str | None:
    """The part of grader an imported name is in: ``grader.judge.runner`` -> judge, ``grader.protocol`` -> protocol."""
    parts = [*name.split("."), ""]
    return parts[1] if parts[0] == "grader" else None


def _within(name: str, modules: tuple[str, ...]) -> bool:
    """Whether ``name`` is one of ``modules`` or inside one (``fastapi.testclient.TestClient``)."""
    return any(name == module or name.startswith(f"{module}.") for module in modules)


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }


def _names(path: Path) -> set[str]:
    """Every name ``path`` mentions: variables, attributes, imported names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.name.split(".")[-1])
    return found


def _files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((GRADER / folder).rglob("*.py"))]


def _ids(path: Path) -> str:
    return _rel(path)


def _folders() -> set[str]:
    return {p.name for p in GRADER.iterdir() if p.is_dir() and p.name != "__pycache__"}


def test_every_folder_and_top_module_is_placed() -> None:
    """A new folder (or top-level module) of grader/ must be put on one side of the wall before it can be used."""
    assert not set(CANDIDATE_SIDE) & set(GRADER_SIDE)
    assert _folders() == set(CANDIDATE_SIDE) | set(GRADER_SIDE), (
        f"unplaced: {sorted(_folders() - set(CANDIDATE_SIDE) - set(GRADER_SIDE))}, "
        f"gone: {sorted((set(CANDIDATE_SIDE) | set(GRADER_SIDE)) - _folders())}"
    )
    assert set(RESULTS) <= set(GRADER_SIDE)
    top = {p.name for p in GRADER.glob("*.py")}
    assert top == set(SHARED) | set(TOP_GRADER_SIDE), sorted(top ^ (set(SHARED) | set(TOP_GRADER_SIDE)))


@pytest.mark.parametrize("path", _files(*CANDIDATE_SIDE), ids=_ids)
def test_the_candidate_side_imports_only_the_protocol_loading_itself_and_libraries(path: Path) -> None:
    folder = path.relative_to(GRADER).parts[0]
    for name in _imports(path, strings=True):
        part = _part(name)
        if part is not None:
            assert part in CANDIDATE_SIDE[folder], (
                f"{_rel(path)} imports {name}: {folder}/ may import only {CANDIDATE_SIDE[folder]} of grader"
            )
        else:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or top in THIRD_PARTY[folder], f"{_rel(path)} imports {name}"


def _grader_side() -> list[Path]:
    return [*_files(*GRADER_SIDE), *(GRADER / name for name in (*TOP_GRADER_SIDE, *SHARED) if name != "loading.py")]


@pytest.mark.parametrize("path", _grader_side(), ids=_ids)
def test_the_grader_side_never_unpickles_or_executes_modules(path: Path) -> None:
    imported = {name.split(".")[0] for name in _imports(path)}
    assert not NEVER_ON_GRADER_SIDE & imported, f"{_rel(path)} imports {NEVER_ON_GRADER_SIDE & imported}"
    assert "exec_module" not in _calls(path), f"{_rel(path)} executes a module: only grader/loading.py may"


def test_only_the_public_check_fixtures_load_a_module_on_the_grader_side() -> None:
    """``load_module_from_path`` runs code; on the grader's side only the public checks' fixtures call it, and only
    they and the candidate's check process (which wraps the fixtures' loader to observe it) name it."""
    callers = sorted(_rel(p) for p in _grader_side() if "load_module_from_path" in _calls(p))
    assert callers == ["judge/fixtures.py"], callers
    naming = sorted(_rel(p) for p in _grader_side() if "load_module_from_path" in _names(p))
    assert naming == ["candidate/checkchild.py", "judge/fixtures.py"], naming


@pytest.mark.parametrize("path", _files(*RESULTS), ids=_ids)
def test_results_are_kept_and_shown_without_the_host_or_the_sandbox(path: Path) -> None:
    for name in _imports(path, strings=True):
        if _part(name) in CANDIDATE_SIDE and (_rel(path), name) not in RESULTS_MAY_NAME:
            raise AssertionError(f"{_rel(path)} imports {name}: results never reach where candidate code runs")


@pytest.mark.parametrize("path", sorted(hidden_tests_dir().glob("test_q*.py")), ids=lambda p: p.name)
def test_hidden_tests_reach_the_module_only_through_the_bridge(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    forbidden = ("fastapi.testclient", "starlette.testclient", "grader.loading")
    imported = [name for name in _imports(path) if _within(name, forbidden)]
    assert not imported, f"{path.name} imports {imported}"
    for fixture in ("target_module", "load_target", "target_path"):
        assert fixture not in text, f"{path.name} uses {fixture}: hidden tests use host / client / start_host"


# q25's candidate tests run in the candidate's own process by design: their outcomes are the one thing a host
# helper reports (README, "What a score guarantees"); every other helper only installs.
SELF_REPORTED_HELPERS = {"q25.run_test"}


def _helpers() -> list[tuple[str, ast.FunctionDef, Path]]:
    found = []
    for path in sorted((GRADER / "host" / "helpers").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    if (
                        isinstance(decorator, ast.Call)
                        and getattr(decorator.func, "id", "") == "helper"
                        and isinstance(decorator.args[0], ast.Constant)
                    ):
                        found.append((str(decorator.args[0].value), node, path))
    return found


def test_host_helpers_install_and_never_report() -> None:
    """Nothing the judge asserts is computed beside the candidate's code: a helper that returned an observation
    (a count, a record, whether something happened) would hand the candidate a verdict to rewrite."""
    helpers = _helpers()
    assert len(helpers) >= 10, "the helpers were not found"
    for name, function, path in helpers:
        if name in SELF_REPORTED_HELPERS:
            continue
        returns = function.returns
        assert isinstance(returns, ast.Constant) and returns.value is None, (
            f"{path.name}: helper {name} must be annotated `-> None` and return nothing"
        )
        for node in ast.walk(function):
            if isinstance(node, ast.Return) and node.value is not None:
                assert _inside_nested(function, node), f"{path.name}: helper {name} returns a value"


def _inside_nested(function: ast.FunctionDef, node: ast.Return) -> bool:
    """Whether ``node`` belongs to a function or lambda defined inside ``function`` (the fakes it installs)."""
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    return any(
        inner is not function and isinstance(inner, nested) and any(child is node for child in ast.walk(inner))
        for inner in ast.walk(function)
    )
