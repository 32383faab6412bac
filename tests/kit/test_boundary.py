"""The wall between judge and candidate, checked by reading imports (as DESIGN.md asks a reviewer to do).

Judge side: the runner, the judge (``grader.judge.child``), the hidden tests and their fixtures, the bridge. Candidate
side: ``grader.host`` (the app host and its helpers) and ``grader.sandbox``. Only ``grader.protocol`` is spoken
by both. The judge must never load a candidate's module or unpickle what comes back; hidden tests must reach the
module only through the ``host`` and ``client`` fixtures.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.kit import hidden_tests_dir, kit_root

GRADER = kit_root() / "grader"
HOST_MAY_IMPORT = ("grader.host", "grader.protocol", "grader.sandbox", "grader.loading")
THIRD_PARTY_ON_HOST = (
    "fastapi",
    "starlette",
    "pydantic",
    "anyio",
    "httpx",
    "sqlalchemy",
    "jwt",
    "jose",
    "slowapi",
    "uvicorn",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }


@pytest.mark.parametrize("path", sorted((GRADER / "host").rglob("*.py")), ids=lambda p: str(p.relative_to(GRADER)))
def test_the_host_imports_only_the_protocol_the_sandbox_and_libraries(path: Path) -> None:
    import sys

    for name in _imports(path):
        top = name.split(".")[0]
        if top == "grader":
            assert name.startswith(HOST_MAY_IMPORT), f"{path.name} imports {name}: the host must not reach the judge"
        else:
            assert top in sys.stdlib_module_names or top in THIRD_PARTY_ON_HOST, f"{path.name} imports {name}"


def _judge_side() -> list[Path]:
    host, sandbox = GRADER / "host", GRADER / "sandbox"
    return [
        p
        for p in sorted(GRADER.rglob("*.py"))
        if not p.is_relative_to(host) and not p.is_relative_to(sandbox) and p.name != "loading.py"
    ]


@pytest.mark.parametrize("path", _judge_side(), ids=lambda p: str(p.relative_to(GRADER)))
def test_the_judge_side_never_unpickles_or_executes_modules(path: Path) -> None:
    assert not {"pickle", "marshal", "shelve"} & {name.split(".")[0] for name in _imports(path)}, path.name
    assert "exec_module" not in _calls(path), f"{path.name} executes a module: only grader.loading may"


def test_only_the_public_check_fixtures_load_a_module_on_the_judge_side() -> None:
    """``load_module_from_path`` runs code; on the judge's side only the public checks' fixtures may call it."""
    callers = sorted(p.name for p in _judge_side() if "load_module_from_path" in _calls(p))
    assert callers == ["fixtures.py"], callers


@pytest.mark.parametrize("path", sorted(hidden_tests_dir().glob("test_q*.py")), ids=lambda p: p.name)
def test_hidden_tests_reach_the_module_only_through_the_bridge(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    imports = _imports(path)
    assert not {"fastapi.testclient", "starlette.testclient", "grader.loading"} & imports, imports
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
