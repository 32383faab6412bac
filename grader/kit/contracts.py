"""Contracts traced to tests: every contract bullet has an id, tests name the bullets they check, mutants break one.

A stub's docstring is the candidate's contract; each of its bullets starts with a stable id::

    - [q01.3] ``GET /ping`` answers 200 with ...

A hidden test names the bullets it checks with ``@pytest.mark.contract("q01.3")``, and
``tests/mutants/<id>_<slug>.toml`` keeps, for each bullet, at least one *mutant*: a small wrong variant of the
reference solution that breaks just that bullet. The maintainer check (``grade dev-check``) then proves three
things a one-off review cannot keep true: every bullet is checked by a test, every test says what it checks,
and every mutant is caught by a test that names its bullet. When a contract sentence changes, the table
says which tests and mutants to revisit.

Everything here reads files (ast and tomllib); nothing imports a hidden test or runs candidate code.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.kit import kit_root
from grader.kit.catalogue import Question

__all__ = [
    "Bullet",
    "Mutant",
    "MutantError",
    "apply_mutant",
    "bullets_named_by_tests",
    "check_traceability",
    "contract_bullets",
    "coverage_table",
    "load_mutants",
    "mutants_dir",
]

_BULLET_RE = re.compile(r"^- \[(?P<id>q\d\d\.\d+)\] ")
_UNNUMBERED_RE = re.compile(r"^- (?!\[q\d\d\.\d+\] )")
_CONTRACT_START = "Contract"
_MARKER = "contract"


@dataclass(frozen=True)
class Bullet:
    id: str
    text: str  # the bullet's first line, without the id: enough to recognise it in a table


@dataclass(frozen=True)
class Mutant:
    """A wrong variant of a solution: ``edits`` are (old, new) replacements, each ``old`` found exactly once."""

    bullet: str
    name: str  # e.g. ``q01.3/a``: the bullet and a letter, stable while the file's order is kept
    why: str
    edits: tuple[tuple[str, str], ...]


class MutantError(Exception):
    """A mutant that no longer applies to its solution (the solution changed under it)."""


def mutants_dir() -> Path:
    return kit_root() / "tests" / "mutants"


def _contract_lines(docstring: str) -> list[str]:
    """The docstring's lines from its ``Contract`` paragraph on (bullets elsewhere are not the contract)."""
    lines = docstring.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(_CONTRACT_START):
            return lines[index + 1 :]
    return []


def contract_bullets(source: str) -> tuple[list[Bullet], list[str]]:
    """The contract's bullets in order, and the problems found reading them (unnumbered bullets)."""
    docstring = ast.get_docstring(ast.parse(source), clean=False) or ""
    bullets: list[Bullet] = []
    problems: list[str] = []
    for line in _contract_lines(docstring):
        match = _BULLET_RE.match(line)
        if match:
            bullets.append(Bullet(match["id"], line[match.end() :].strip()))
        elif _UNNUMBERED_RE.match(line):
            problems.append(f"a contract bullet has no id: {line[:70]!r}")
    return bullets, problems


def _marker_ids(decorators: Iterable[ast.expr]) -> list[str] | None:
    """The ids given to ``@pytest.mark.contract(...)`` among ``decorators``, or None when there is none."""
    found: list[str] | None = None
    for node in decorators:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == _MARKER
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "mark"
        ):
            found = (found or []) + [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
    return found


def bullets_named_by_tests(source: str) -> dict[str, list[str]]:
    """Each test function of a hidden test file and the bullet ids it names (module ``pytestmark`` included)."""
    tree = ast.parse(source)
    module_ids: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            values = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
            module_ids += _marker_ids(values) or []
    tests: dict[str, list[str]] = {}

    def visit(body: list[ast.stmt], inherited: list[str]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                tests[node.name] = inherited + (_marker_ids(node.decorator_list) or [])
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                visit(node.body, inherited + (_marker_ids(node.decorator_list) or []))

    visit(tree.body, module_ids)
    return tests


def load_mutants(question: Question) -> tuple[list[Mutant], list[str]]:
    """The question's mutants from ``tests/mutants/<id>_<slug>.toml``, and problems reading them."""
    path = mutants_dir() / f"{question.module_name}.toml"
    if not path.is_file():
        return [], [f"{question.id}: {path} is missing: every contract bullet needs a mutant"]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return [], [f"{question.id}: cannot read {path}: {exc}"]
    mutants: list[Mutant] = []
    problems: list[str] = []
    letters: dict[str, int] = {}
    for index, entry in enumerate(data.get("mutant", []), start=1):
        bullet = entry.get("bullet", "")
        edits = [(e.get("old", ""), e.get("new", "")) for e in entry.get("edits", [])]
        if "old" in entry:
            edits.insert(0, (entry["old"], entry.get("new", "")))
        if not bullet or not edits or not entry.get("why"):
            problems.append(f"{question.id}: mutant #{index} in {path.name} needs bullet, why, and old/new (or edits)")
            continue
        letter = letters.get(bullet, 0)
        letters[bullet] = letter + 1
        mutants.append(Mutant(bullet, f"{bullet}/{chr(ord('a') + letter)}", entry["why"], tuple(edits)))
    return mutants, problems


def apply_mutant(solution_source: str, mutant: Mutant) -> str:
    """The solution with the mutant's edits made; each ``old`` must occur exactly once, so edits cannot drift."""
    source = solution_source
    for old, new in mutant.edits:
        count = source.count(old)
        if count != 1:
            where = "is not in" if count == 0 else f"occurs {count} times in"
            raise MutantError(f"mutant {mutant.name}: its text {old[:60]!r} {where} the solution")
        source = source.replace(old, new)
    if source == solution_source:
        raise MutantError(f"mutant {mutant.name} changes nothing")
    return source


@dataclass(frozen=True)
class Traceability:
    """What the static reading found for one question: its bullets, which tests name which, its mutants."""

    question: Question
    bullets: list[Bullet]
    tests: dict[str, list[str]]
    mutants: list[Mutant]
    problems: list[str]

    def tests_of(self, bullet_id: str) -> list[str]:
        return [name for name, ids in self.tests.items() if bullet_id in ids]

    def mutants_of(self, bullet_id: str) -> list[Mutant]:
        return [m for m in self.mutants if m.bullet == bullet_id]


def check_traceability(question: Question, stub: Path, solution: Path, hidden_tests: Path) -> Traceability:
    """Read the question's contract, tests and mutants; list every gap between them."""
    bullets, problems = contract_bullets(stub.read_text(encoding="utf-8"))
    problems = [f"{question.id}: {p}" for p in problems]
    tests = bullets_named_by_tests(hidden_tests.read_text(encoding="utf-8"))
    mutants, mutant_problems = load_mutants(question)
    problems += mutant_problems
    ids = [b.id for b in bullets]
    if not bullets:
        problems.append(f"{question.id}: the contract in {stub.name} has no bullet with an id like [{question.id}.1]")
    for bullet_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"{question.id}: the bullet id {bullet_id} is used twice: ids must be unique and stable")
    for bullet_id in ids:
        if not bullet_id.startswith(question.id + "."):
            problems.append(f"{question.id}: the bullet id {bullet_id} belongs to another question")
    for name, named in tests.items():
        if not named:
            problems.append(f"{question.id}: {name} names no contract bullet: add @pytest.mark.contract(...)")
        for bullet_id in named:
            if bullet_id not in ids:
                problems.append(f"{question.id}: {name} names {bullet_id}, which the contract does not have")
    solution_source = solution.read_text(encoding="utf-8")
    for mutant in mutants:
        if mutant.bullet not in ids:
            problems.append(f"{question.id}: mutant {mutant.name} breaks {mutant.bullet}, which the contract lacks")
        try:
            apply_mutant(solution_source, mutant)
        except MutantError as exc:
            problems.append(f"{question.id}: {exc}")
    for bullet in bullets:
        if not any(bullet.id in named for named in tests.values()):
            problems.append(f"{question.id}: bullet {bullet.id} is checked by no hidden test")
        if not any(m.bullet == bullet.id for m in mutants):
            problems.append(
                f"{question.id}: bullet {bullet.id} has no mutant in tests/mutants/{question.module_name}.toml"
            )
    return Traceability(question, bullets, tests, mutants, problems)


def coverage_table(traces: Iterable[Traceability], caught: dict[str, bool] | None = None) -> str:
    """One line per bullet: its tests and its mutants (``caught`` maps a mutant's name to whether it was)."""
    lines = [f"{'bullet':<8} {'tests':>5} {'mutants':>11}  contract"]
    for trace in traces:
        for bullet in trace.bullets:
            mutants = trace.mutants_of(bullet.id)
            if caught is None:
                mutant_cell = str(len(mutants))
            else:
                mutant_cell = f"{sum(caught.get(m.name, False) for m in mutants)}/{len(mutants)} caught"
            text = bullet.text if len(bullet.text) <= 70 else bullet.text[:69] + "…"
            lines.append(f"{bullet.id:<8} {len(trace.tests_of(bullet.id)):>5} {mutant_cell:>11}  {text}")
    return "\n".join(lines)
