"""The maintainer check: proves the kit is consistent with its catalogue and that its tests can fail.

Each problem is reported as one line that says what is wrong and how to fix it. The static checks run in
milliseconds; the dynamic ones run the hidden tests and the public checks on the solutions (every test
must pass) and on the untouched stubs (every test must fail, on behaviour rather than on a missing name).
"""

from __future__ import annotations

import ast
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.book.results import RawRun
from grader.judge.runner import DEFAULT_TIMEOUT_S, GradingJob, run_jobs, run_questions
from grader.kit import checks_dir, exercises_dir, hidden_tests_dir, solutions_dir
from grader.kit.catalogue import Question, load_catalogue
from grader.kit.contracts import MutantError, Traceability, apply_mutant, check_traceability, coverage_table
from grader.text.words import counted

__all__ = [
    "DevCheckResult",
    "check_files",
    "check_mutants",
    "check_runs",
    "check_stub_matches_solution",
    "run_dev_check",
    "trace_contracts",
]

_BULLETS_PREFIX = re.compile(r"^\[q\d\d\.\d+(?:, q\d\d\.\d+)*\] ")  # the contract ids a failure names
_SUPPORT_FILE_RE = re.compile(r"^(q\d\d_[a-z0-9_]+?)_[a-z0-9_]+\.py$")
# A stub must fail on behaviour. These messages mean it is missing a name its contract promises.
_DRIFT_MESSAGES = (
    "AttributeError: module",
    "the module defines no",  # a fact or an app the host could not find
    "the module has no function",
    "ImportError",
    "ModuleNotFoundError",
    "NameError",
)


def _docstring_and_names(path: Path) -> tuple[str | None, set[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return ast.get_docstring(tree, clean=False), {n for n in names if not n.startswith("_")}


def check_stub_matches_solution(question: Question, stub: Path, solution: Path) -> list[str]:
    """The stub carries the same contract (docstring) as its solution, a TODO, and no name the solution lacks."""
    problems = []
    if "# TODO" not in stub.read_text(encoding="utf-8"):
        problems.append(f"{question.id}: {stub} has no `# TODO` mark: show the candidate where to write")
    try:
        stub_doc, stub_names = _docstring_and_names(stub)
        solution_doc, solution_names = _docstring_and_names(solution)
    except SyntaxError as exc:
        return [*problems, f"{question.id}: cannot parse {exc.filename}: {exc.msg} (line {exc.lineno})"]
    if not stub_doc:
        problems.append(f"{question.id}: {stub} has no module docstring: the docstring is the contract")
    elif stub_doc != solution_doc:
        problems.append(f"{question.id}: the docstrings of {stub} and {solution} differ: keep one contract")
    extra = sorted(stub_names - solution_names)
    if extra:
        problems.append(f"{question.id}: the stub defines {', '.join(extra)} that the solution lacks")
    return problems


def _question_files(q: Question) -> tuple[Path, Path, Path, Path]:
    """The stub, the solution, the hidden tests and the public checks of a question."""
    return (
        exercises_dir() / q.filename,
        solutions_dir() / q.filename,
        hidden_tests_dir() / q.test_filename,
        checks_dir() / q.test_filename,
    )


def check_files(questions: tuple[Question, ...]) -> list[str]:
    """Every question has its three files; no file in the kit's folders belongs to no question."""
    problems = []
    known = {q.module_name for q in questions}
    for q in questions:
        stub, solution, tests, checks = _question_files(q)
        missing = [str(p) for p in (stub, solution, tests, checks) if not p.is_file()]
        for path in missing:
            problems.append(
                f"{q.id}: {path} is missing: every catalogued question needs a stub, a solution, "
                "hidden tests and public checks"
            )
        if not missing:
            problems.extend(check_stub_matches_solution(q, stub, solution))
    for folder in (exercises_dir(), solutions_dir()):
        for path in sorted(folder.glob("*.py")):
            if path.stem not in known:
                problems.append(f"{path} belongs to no catalogued question: add it to catalogue.toml or remove it")
    for path in sorted(checks_dir().glob("*.py")):
        if path.stem.removeprefix("test_") not in known:
            problems.append(f"{path} checks no catalogued question: name it test_<id>_<slug>.py")
    for path in sorted(hidden_tests_dir().glob("*.py")):
        if path.name.startswith("test_"):
            if path.stem.removeprefix("test_") not in known:
                problems.append(f"{path} tests no catalogued question: name it test_<id>_<slug>.py")
            continue
        match = _SUPPORT_FILE_RE.match(path.name)
        if not match or not any(path.stem.startswith(name + "_") for name in known):
            problems.append(f"{path} is neither a test file nor a support file named <id>_<slug>_<what>.py")
    return problems


def check_runs(
    questions: tuple[Question, ...], on_solutions: list[RawRun], on_stubs: list[RawRun], kind: str = "hidden tests"
) -> list[str]:
    """Every test of ``kind`` passes on the solution and fails, on behaviour, on the untouched stub."""
    problems = []
    by_id = {q.id: q for q in questions}
    for run in on_solutions:
        q = by_id[run.question_id]
        if run.outcome != "completed":
            problems.append(f"{q.id}: the solution did not complete its {kind} ({run.outcome}: {run.message})")
        if not run.collected:
            problems.append(f"{q.id}: the {kind} file {q.test_filename} collects no test")
        for test in run.tests:
            if test.outcome not in ("passed", "skipped"):
                problems.append(f"{q.id}: {kind}: {test.name} fails on the solution: {test.message}")
    for run in on_stubs:
        q = by_id[run.question_id]
        if run.outcome != "completed":
            problems.append(f"{q.id}: the stub must import and run, but got {run.outcome}: {run.message}")
        for test in run.tests:
            if test.outcome == "passed":
                problems.append(f"{q.id}: {kind}: {test.name} passes on the untouched stub, so it checks nothing")
            elif _BULLETS_PREFIX.sub("", test.message).startswith(_DRIFT_MESSAGES):
                problems.append(f"{q.id}: {kind}: {test.name} fails on the stub for a missing name: {test.message}")
    return problems


def trace_contracts(questions: tuple[Question, ...]) -> tuple[list[Traceability], list[str]]:
    """The static half of contract tracing: every bullet has a test and a mutant, every test a bullet."""
    traces = []
    for q in questions:
        stub, solution, tests, _checks = _question_files(q)
        if stub.is_file() and solution.is_file() and tests.is_file():
            traces.append(check_traceability(q, stub, solution, tests))
    return traces, [problem for trace in traces for problem in trace.problems]


def _failed_tests(run: RawRun) -> set[str]:
    return {t.name.split("[", 1)[0] for t in run.tests if t.outcome in ("failed", "error")}


def check_mutants(
    traces: list[Traceability], timeout_s: float = DEFAULT_TIMEOUT_S
) -> tuple[list[str], dict[str, bool]]:
    """Grade every mutant with the hidden tests: each must import and fail a test that names its bullet.

    A mutant that does not import proves nothing about its bullet (every test fails), so it is a problem of
    the mutant; one caught only by tests naming other bullets means the tests' markers are wrong.
    """
    problems: list[str] = []
    caught: dict[str, bool] = {}
    with tempfile.TemporaryDirectory(prefix="kit-mutants-") as scratch:
        jobs: list[tuple[GradingJob, Traceability, str]] = []
        for trace in traces:
            solution = (solutions_dir() / trace.question.filename).read_text(encoding="utf-8")
            for number, mutant in enumerate(trace.mutants):
                try:
                    source = apply_mutant(solution, mutant)
                except MutantError:
                    continue  # already reported by the static check
                folder = Path(scratch) / f"{trace.question.id}-{number}"
                folder.mkdir()
                (folder / trace.question.filename).write_text(source, encoding="utf-8")
                jobs.append((GradingJob(mutant.name, trace.question, folder), trace, mutant.bullet))
        results = run_jobs([job for job, _trace, _bullet in jobs], timeout_s=timeout_s)
        for (job, trace, bullet), (_job, run) in zip(jobs, results, strict=True):
            failed = _failed_tests(run)
            naming = {name for name in failed if bullet in trace.tests.get(name, [])}
            caught[job.key] = run.outcome == "completed" and bool(naming)
            if run.outcome != "completed":
                problems.append(
                    f"mutant {job.key} did not run its tests ({run.outcome}: {run.message}): fix the mutant"
                )
            elif not failed:
                problems.append(f"mutant {job.key} passes every hidden test: no test checks {bullet} sharply enough")
            elif not naming:
                problems.append(
                    f"mutant {job.key} is caught only by {', '.join(sorted(failed))}, which do not name {bullet}: "
                    "fix their markers or add a test"
                )
    return problems, caught


@dataclass
class DevCheckResult:
    problems: list[str]
    table: str  # the contract coverage table: one line per bullet


def run_dev_check(
    timeout_s: float = DEFAULT_TIMEOUT_S,
    progress: Callable[[str], None] | None = None,
    mutants: bool = True,
    only: tuple[Question, ...] | None = None,
) -> DevCheckResult:
    """All checks, static first; the dynamic ones run only on questions whose files are all present.

    ``only`` limits the contract tracing and the runs to some questions (while working on one); the file
    layout is always checked for the whole catalogue, since an orphan file belongs to no question.
    """
    say = progress or (lambda _text: None)
    questions = load_catalogue()
    problems = check_files(questions)
    chosen = only if only is not None else questions
    traces, trace_problems = trace_contracts(chosen)
    problems += trace_problems
    complete = tuple(q for q in chosen if all(p.is_file() for p in _question_files(q)))
    for kind, tests_dir in (("hidden tests", hidden_tests_dir()), ("public checks", checks_dir())):
        say(f"running the {kind} of {counted(len(complete), 'question')} on the solutions and on the stubs...")
        on_solutions = run_questions(complete, solutions_dir(), timeout_s=timeout_s, tests_dir=tests_dir)
        on_stubs = run_questions(complete, exercises_dir(), timeout_s=timeout_s, tests_dir=tests_dir)
        problems += check_runs(complete, on_solutions, on_stubs, kind)
    caught: dict[str, bool] | None = None
    if mutants:
        count = sum(len(trace.mutants) for trace in traces)
        say(f"running the hidden tests on {count} mutants of the solutions...")
        mutant_problems, caught = check_mutants(traces, timeout_s=timeout_s)
        problems += mutant_problems
    return DevCheckResult(problems, coverage_table(traces, caught))
