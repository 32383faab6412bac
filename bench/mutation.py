"""Mutation testing of the grader's core: does the kit's own suite notice when the grader is wrong?

Why: issue 14 put fourteen small, realistic bugs into the grader by hand and nine of them passed every test.
A mutation tool does the same thing mechanically and at scale: it changes one operator, constant, string or
argument at a time and reruns the tests that reach the changed function. A change no test notices (a
surviving mutant) is either a missing assertion or an equivalent change that cannot alter behaviour; the
second kind is listed, with a reason, in ``bench/mutation-equivalents.md``.

The tool is mutmut 3 (``pip install -e '.[mutation]' -c constraints.txt``). It mutates string literals,
which matter here: statuses, JSON keys, CSV headers and SQL are all strings, and a tool without string
mutations never asks whether a renamed key would be noticed. It forks one process per mutant and runs
only the tests that reached the mutated function, so the whole core takes minutes on two cores. Its blind
spot: it leaves decorated functions (``@property``, ``@cache``, ``@contextmanager``) and module-level code
unmutated; this script lists those functions per module so nobody takes them as covered.

Only fast tests run (never ``slow`` ones, never the hidden tests): each module maps to the test files that
exercise it directly. The kit is copied into a scratch folder and mutated there; the checkout is not touched.

The core (``CORE``) is what a grade depends on and what every report shows: it runs by default and each of its
modules must reach the goal. The trust code (``TRUST``, issue 23) is what keeps the candidate's code away from the
verdict, the machine and the reports, where it runs in-process: the protocol's frames and limits, intake, the
integrity scan, the sanitiser, CPU-time accounting, the test-only weakenings, the scratch mounts' table, the
judge's service hub and the host's link to it, started requests, and the judge's plain-data view of a host. It runs
with ``-m trust`` and each of its modules must reach the goal too. What forks hosts, enters namespaces or installs
filters cannot run under mutmut: its bugs are hand mutants (``bench/trust_mutants.py``). The platform exports
(``OPTIONAL``: Gradescope and GitHub Classroom) run only when named; ``-m exports`` names the whole package, as
``-m reports`` names every report module.

    python bench/mutation.py                       # every core module (about ten minutes on 2 cores)
    python bench/mutation.py -m scoring -m results # some modules
    python bench/mutation.py -m gradebook --show   # and the diff of every surviving mutant
    python bench/mutation.py -m trust              # the in-process trust code
    python bench/mutation.py -m protocol -m bridge # some of it (bridge: every grader.judge.bridge module of the group)
    python bench/mutation.py -m exports            # the optional platform exports

A module is named below ``grader`` (``book.gradebook``, ``judge.bridge.host``) or by its last part alone where that
names one module or package (``gradebook``, ``bridge``); ``services`` names two modules, so it is spelt
``host.services`` or ``judge.bridge.services``, and ``host`` is the package ``grader.host``.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import click

KIT = Path(__file__).resolve().parent.parent
EQUIVALENTS = KIT / "bench" / "mutation-equivalents.md"

# Module (as mutmut names it) -> the fast test files that exercise it. Mutmut narrows further, per mutant,
# to the tests that actually reached the mutated function. A file named here that does not exist is skipped.
_HTML_TESTS = ("test_html_report.py", "test_html_stats.py", "test_reports_mutants.py", "test_html_mutants.py")
_GRADEBOOK_TESTS = ("test_gradebook_mutants.py", "test_assignments.py", "test_assignments_mutants.py")
CORE: dict[str, tuple[str, ...]] = {
    "grader.book.scoring": ("test_scoring.py", "test_core_mutants.py", "test_gradebook_mutants.py"),
    "grader.book.results": (
        "test_scoring.py",
        "test_core_mutants.py",
        "test_html_report.py",
        "test_reports_mutants.py",
    ),
    "grader.book.gradebook": (*_GRADEBOOK_TESTS, "test_lms.py", "test_similarity.py"),
    # The Gradebook's parts (issue 24's split): opening and schema, writes, reads, the assignment's settings.
    "grader.book.schema": (*_GRADEBOOK_TESTS, "test_lms.py", "test_similarity.py"),
    "grader.book.recording": (*_GRADEBOOK_TESTS, "test_lms.py", "test_similarity.py"),
    "grader.book.reading": (
        *_GRADEBOOK_TESTS,
        "test_lms.py",
        "test_similarity.py",
        "test_book_review.py",
        "test_assignment_numbers.py",
    ),
    "grader.book.settings": ("test_book_settings.py", *_GRADEBOOK_TESTS, "test_lms.py", "test_similarity.py"),
    "grader.book.diskfull": ("test_diskfull.py", "test_gradebook_mutants.py", "test_book_review.py"),
    "grader.judge.batch": ("test_gradebook_mutants.py",),
    "grader.book.assignments": ("test_assignments.py", "test_assignments_mutants.py"),
    "grader.book.roster": ("test_assignments.py", "test_assignments_mutants.py", "test_assignment_numbers.py"),
    "grader.book.assignment_options": (
        "test_assignments.py",
        "test_assignments_mutants.py",
        "test_assignment_numbers.py",
    ),
    "grader.book.lateness": ("test_assignments.py", "test_assignments_mutants.py"),
    "grader.book.manifest": (
        "test_manifest_mutants.py",
        "test_intake_mutants.py",
        "test_archives.py",
        "test_html_report.py",
    ),
    "grader.reports.classlist": ("test_reports_mutants.py",),
    "grader.reports.html": _HTML_TESTS,
    "grader.reports.html_page": _HTML_TESTS,
    "grader.reports.html_stats": _HTML_TESTS,
    "grader.reports.html_statistics": _HTML_TESTS,
    "grader.reports.html_student": _HTML_TESTS,
    "grader.reports.jsonout": ("test_reports_mutants.py",),
    "grader.reports.lms": ("test_lms.py", "test_lms_mutants.py"),
    "grader.reports.table": ("test_html_report.py", "test_reports_mutants.py"),
    "grader.book.archives": ("test_archives.py", "test_intake_mutants.py", "test_archive_bounds.py"),
    "grader.book.submissions": (
        "test_archives.py",
        "test_intake.py",
        "test_intake_mutants.py",
        "test_gradebook_mutants.py",
    ),
    "grader.kit.catalogue": ("test_catalogue.py", "test_core_mutants.py"),
}
# The trust code that mutmut can run: pure functions and in-process plumbing, tested without forking a host.
_SERVICE_TESTS = ("test_services.py",)
_BRIDGE_TESTS = ("test_bridge_host.py",)
TRUST: dict[str, tuple[str, ...]] = {
    "grader.protocol": ("test_protocol.py",),
    "grader.book.intake": ("test_intake.py", "test_intake_mutants.py", "test_intake_refusals.py"),
    "grader.scan.integrity": ("test_integrity.py", "test_integrity_edges.py"),
    "grader.scan.integrity_rules": ("test_integrity.py", "test_integrity_edges.py"),
    "grader.text.safetext": ("test_hostile_class.py", "test_intake_mutants.py", "test_safetext.py"),
    "grader.judge.cputime": ("test_cputime.py",),
    "grader.weaken": ("test_weaken.py",),
    "grader.sandbox.scratch": ("test_scratch_mounts.py",),
    "grader.judge.bridge.errors": _BRIDGE_TESTS,
    "grader.judge.bridge.host": _BRIDGE_TESTS,
    "grader.judge.bridge.services": _SERVICE_TESTS,
    "grader.host.services": _SERVICE_TESTS,
    "grader.host.started": _BRIDGE_TESTS,
}
# Teacher-side tools outside the grade itself: mutated only when named (-m exports).
_EXPORT_TESTS = ("test_exports.py", "test_exports_mutants.py")
OPTIONAL: dict[str, tuple[str, ...]] = {
    "grader.exports": _EXPORT_TESTS,
    "grader.exports.classroom": _EXPORT_TESTS,
    "grader.exports.classroom_workflow": _EXPORT_TESTS,
    "grader.exports.common": _EXPORT_TESTS,
    "grader.exports.gradescope": _EXPORT_TESTS,
}
MODULES: dict[str, tuple[str, ...]] = {**CORE, **TRUST, **OPTIONAL}
GROUPS: dict[str, tuple[str, ...]] = {"core": tuple(CORE), "trust": tuple(TRUST)}  # -m core, -m trust
KILLED = {"killed", "timeout"}  # a mutant that makes the tests hang is noticed too
GOAL = 90.0


@dataclass(frozen=True)
class ModuleScore:
    module: str
    statuses: Counter[str]
    equivalent: int
    survivors: tuple[str, ...]

    @property
    def killed(self) -> int:
        return sum(self.statuses[s] for s in KILLED)

    @property
    def counted(self) -> int:
        """Every mutant but the equivalent ones."""
        return sum(self.statuses.values()) - self.equivalent

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.counted if self.counted else 100.0


def module_path(module: str) -> str:
    """``grader.reports.html`` -> ``grader/reports/html.py``; a package is its ``__init__.py``."""
    plain = module.replace(".", "/")
    return f"{plain}/__init__.py" if (KIT / plain).is_dir() else f"{plain}.py"


def unmutated_functions(module: str) -> list[str]:
    """The functions mutmut never mutates: decorated ones other than @staticmethod / @classmethod."""
    tree = ast.parse((KIT / module_path(module)).read_text(encoding="utf-8"))
    skipped = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and _decorated(item):
                    skipped.append(f"{node.name}.{item.name}")
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _decorated(node):
            skipped.append(node.name)
    return skipped


def _decorated(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    names = [d.id for d in node.decorator_list if isinstance(d, ast.Name)]
    return bool(node.decorator_list) and names not in (["staticmethod"], ["classmethod"])


def read_equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """``- `grader.x.y__mutmut_3`: why`` lines of the equivalents file, as {mutant: reason}."""
    if not path.is_file():
        return {}
    found = re.findall(r"^- `(grader\.[^`]+__mutmut_\d+)`:?\s*(.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return dict(found)


def prepare(work: Path, modules: list[str]) -> list[str]:
    """Copy the package, the kit's tests and pyproject.toml into ``work`` and configure mutmut there."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(KIT / "grader", work / "grader", ignore=ignore)
    shutil.copytree(KIT / "tests" / "kit", work / "tests" / "kit", ignore=ignore)
    names = {name for m in modules for name in MODULES[m] if (KIT / "tests" / "kit" / name).is_file()}
    tests = [f"tests/kit/{name}" for name in sorted(names)]
    if not tests:  # pytest would then run every test it finds, the slow ones included
        raise click.ClickException(f"no test file of {', '.join(modules)} exists in tests/kit")
    config = "\n".join(
        [
            "",
            "[tool.mutmut]",
            'source_paths = ["grader"]',
            f"only_mutate = {[module_path(m) for m in modules]!r}",
            f"pytest_add_cli_args_test_selection = {tests!r}",
            'pytest_add_cli_args = ["-m", "not slow", "-q"]',
            "",
        ]
    )
    pyproject = (KIT / "pyproject.toml").read_text(encoding="utf-8")
    (work / "pyproject.toml").write_text(pyproject + config, encoding="utf-8")
    return tests


def _own_mount_namespace() -> None:
    """In mutmut's process, before it starts: a private mount namespace where this process may have one (root).

    The scratch mounts' tests mount, sweep and detach for real; a mutant of the sweep could otherwise detach the
    scratch mounts of other grading runs on this machine. Where it cannot be had, mounting is refused to those
    tests too, and they skip.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x00020000) == 0:  # CLONE_NEWNS
        libc.mount(b"none", b"/", None, 0x4000 | 0x40000, None)  # MS_REC | MS_PRIVATE: nothing propagates out


def mutmut(work: Path, *args: str, capture: bool = True) -> str:
    """Run the mutmut next to this interpreter in ``work``, the kit's data folders read from the checkout."""
    env = {**os.environ, "FASTAPI_KIT_ROOT": str(KIT)}
    command = [str(Path(sys.executable).with_name("mutmut")), *args]
    completed = subprocess.run(
        command,
        cwd=work,
        env=env,
        capture_output=capture,
        text=True,
        check=False,
        preexec_fn=_own_mount_namespace if sys.platform == "linux" else None,
    )
    if completed.returncode != 0:
        raise click.ClickException(f"mutmut {' '.join(args)} exited {completed.returncode}\n{completed.stdout or ''}")
    return completed.stdout or ""


def scores(results: str, modules: list[str], equivalents: dict[str, str]) -> list[ModuleScore]:
    statuses: dict[str, Counter[str]] = {m: Counter() for m in modules}
    equivalent: Counter[str] = Counter()
    survivors: dict[str, list[str]] = {m: [] for m in modules}
    for line in results.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if not sep or "__mutmut_" not in name:
            continue
        module = name.partition("__mutmut_")[0].rsplit(".", 1)[0]
        if module not in statuses:
            continue
        statuses[module][status] += 1
        if status in KILLED:
            continue
        if name in equivalents:
            equivalent[module] += 1
        else:
            survivors[module].append(name)
    return [ModuleScore(m, statuses[m], equivalent[m], tuple(survivors[m])) for m in modules]


def stale_equivalents(results: str, modules: list[str], equivalents: dict[str, str]) -> list[str]:
    """Listed as equivalent but killed now, or gone: the list needs a look."""
    seen = dict(line.strip().rpartition(": ")[::2] for line in results.splitlines() if "__mutmut_" in line)
    listed = [name for name in equivalents if name.partition("__mutmut_")[0].rsplit(".", 1)[0] in modules]
    return [name for name in listed if seen.get(name) is None or seen[name] in KILLED]


def _function(mutant: str) -> str:
    """``grader.book.gradebook.xǁGradebookǁload__mutmut_3`` -> ``Gradebook.load``."""
    mangled = mutant.partition("__mutmut_")[0].rsplit(".", 1)[1]
    return mangled.removeprefix("x_").removeprefix("xǁ").replace("ǁ", ".")


def _short(module: str) -> str:
    return module.removeprefix("grader.")


def _names() -> list[str]:
    """Every module and package under its name below ``grader`` (``book.gradebook``, ``book``)."""
    shorts = [_short(m) for m in MODULES]
    packages = sorted({s.rpartition(".")[0] for s in shorts if "." in s} - set(shorts))
    return shorts + packages


def _aliases() -> dict[str, str]:
    """The last part of a name (``gradebook``, ``bridge``) where it names one module or package and no full name is
    spelt so: ``services`` (judge.bridge and host) and ``host`` (the package, not judge.bridge.host) stay full."""
    names = _names()
    by_last: dict[str, list[str]] = {}
    for name in names:
        if "." in name:
            by_last.setdefault(name.rpartition(".")[2], []).append(name)
    return {last: found[0] for last, found in by_last.items() if len(found) == 1 and last not in names}


def chosen_modules(chosen: tuple[str, ...]) -> list[str]:
    """The core without a choice; else each module named, under a name (``reports``: every report module; its last
    part alone, ``gradebook``, when that is unambiguous), or in a group (``trust``)."""
    if not chosen:
        return list(CORE)
    aliases = _aliases()
    grouped = {m for c in chosen for m in GROUPS.get(c, ())}
    named = [aliases.get(c, c) for c in chosen if c not in GROUPS]
    return [m for m in MODULES if m in grouped or any(_short(m) == c or _short(m).startswith(f"{c}.") for c in named)]


def _choices() -> list[str]:
    return _names() + sorted(_aliases()) + sorted(GROUPS)


@click.command()
@click.option(
    "-m",
    "--module",
    "chosen",
    multiple=True,
    type=click.Choice(_choices()),
    metavar="NAME",
    help="Only these (default: the core): a module below grader (book.gradebook, or gradebook where that is "
    "unambiguous), a package (reports, judge.bridge or bridge), core or trust.",
)
@click.option("-j", "--jobs", default=2, show_default=True, type=click.IntRange(1, 2), help="Mutants run at once.")
@click.option("--show", is_flag=True, help="Print the diff of every surviving mutant.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), help="Work here and keep it (mutmut show).")
def main(chosen: tuple[str, ...], jobs: int, show: bool, keep: Path | None) -> None:
    """Mutate the chosen modules, run their fast tests, print killed / non-equivalent per module."""
    modules = chosen_modules(chosen)
    equivalents = read_equivalents()
    with tempfile.TemporaryDirectory(prefix="kit-mutation-") as scratch:
        work = keep.resolve() if keep else Path(scratch)
        if keep and work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True, exist_ok=True)
        tests = prepare(work, modules)
        click.echo(f"mutating {', '.join(_short(m) for m in modules)} against {len(tests)} test files", err=True)
        mutmut(work, "run", "--max-children", str(jobs))
        results = mutmut(work, "results", "--all", "true")
        table = scores(results, modules, equivalents)
        if show:
            for row in table:
                for name in row.survivors:
                    click.echo(mutmut(work, "show", name))
    click.echo(f"{'module':<22} {'killed':>6} {'survived':>8} {'no test':>7} {'equiv.':>6} {'score':>14}")
    for row in table:
        survived = row.statuses["survived"] + row.statuses["suspicious"] - row.equivalent
        mark = "" if row.percent >= GOAL else "  < goal"
        counts = f"{row.killed:>6} {survived:>8} {row.statuses['no tests']:>7} {row.equivalent:>6}"
        click.echo(f"{_short(row.module):<22} {counts} {row.killed:>5}/{row.counted:<5} {row.percent:5.1f}%{mark}")
    for row in table:
        if row.survivors:
            per_function = Counter(_function(name) for name in row.survivors)
            listed = ", ".join(f"{function} {count}" for function, count in per_function.items())
            click.echo(f"\nnot killed in {_short(row.module)}: {listed}")
        skipped = unmutated_functions(row.module)
        if skipped:
            click.echo(f"not mutated (decorated) in {_short(row.module)}: {', '.join(skipped)}")
    stale = stale_equivalents(results, modules, equivalents)
    if stale:
        click.echo(f"\n{EQUIVALENTS.name} lists mutants now killed or gone: {', '.join(stale)}", err=True)
    total_killed = sum(r.killed for r in table)
    total = sum(r.counted for r in table)
    overall = 100.0 * total_killed / total if total else 100.0
    click.echo(f"\nall: {total_killed}/{total} non-equivalent mutants killed ({overall:.1f}%)")
    if any(r.percent < GOAL for r in table):
        sys.exit(1)


if __name__ == "__main__":
    main()
