"""Hand mutants of the trust code: does the kit's own suite notice when a layer of the wall is weakened?

Why: mutmut forks one process per mutant and runs tests in-process; the code that confines candidate code forks
hosts, enters namespaces, mounts and installs seccomp filters, which it cannot mutate or run that way. So the
realistic bugs a refactor introduces there (a Landlock rule granting write where read was meant, seccomp letting
TCP through whatever the test named, capabilities dropped from the bounding set only, a frame limit 1024 times
larger, ...) are written by hand in ``bench/trust-mutants.toml``, each with the tests that must catch it.

For each mutant the kit is copied into a scratch folder, the one edit is applied there (``old`` must occur exactly
once in ``file``), and the mapped tests run against the copy (``PYTHONPATH`` puts the copy first; the app hosts'
zygote inherits that path). A mutant is killed when the tests fail, or hang past ``--timeout`` (then the whole
process group of the run is killed). The checkout is never touched.

A kill means something only if the same tests pass without the mutant: before any mutant, every distinct set of
mapped tests runs once on an unmutated copy (a control run), and a control that fails stops everything with an
error. Every mutant's ``old`` is checked against its file first too, so a stale mutant fails at once.

    python bench/trust_mutants.py                 # every mutant (tens of minutes on two cores)
    python bench/trust_mutants.py -m sandbox      # those of one module group (sandbox, bridge, host, candidate...)
    python bench/trust_mutants.py -n cgroup-pids-unset -n rlimits-soft-only   # some mutants, by name
    python bench/trust_mutants.py --list          # the mutants and their tests, without running anything

Prints killed / total per module group and exits 1 when a group is under 90%.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import click

KIT = Path(__file__).resolve().parent.parent
MUTANTS = KIT / "bench" / "trust-mutants.toml"
GOAL = 0.9


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]  # pytest node ids or files, relative to the kit
    why: str
    equivalent: str = ""  # why no test can tell it apart (listed for the record, never run or counted)

    @property
    def group(self) -> str:
        parts = Path(self.file).parts
        return parts[1] if len(parts) > 2 else Path(self.file).stem


def load_mutants() -> list[Mutant]:
    data = tomllib.loads(MUTANTS.read_text(encoding="utf-8"))
    return [
        Mutant(m["name"], m["file"], m["old"], m["new"], tuple(m["tests"]), m.get("why", ""), m.get("equivalent", ""))
        for m in data["mutant"]
    ]


def _copy_kit(into: Path) -> Path:
    copy = into / "kit"
    for part in ("grader", "tests", "solutions", "exercises", "checks"):
        shutil.copytree(KIT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "constraints.txt", "README.md"):
        shutil.copy2(KIT / name, copy / name)
    return copy


def check_edits(mutants: list[Mutant]) -> None:
    """Every mutant's ``old`` occurs exactly once in its file (of the checkout), before anything runs."""
    for mutant in mutants:
        text = (KIT / mutant.file).read_text(encoding="utf-8")
        if text.count(mutant.old) != 1:
            raise click.ClickException(f"{mutant.name}: `old` occurs {text.count(mutant.old)} times in {mutant.file}")


def _pytest(copy: Path, tests: tuple[str, ...], timeout_s: float) -> int | None:
    """Run ``tests`` against the kit copy ``copy``; pytest's exit code, or None when it ran past ``timeout_s``
    (its whole process group is then killed: hosts, zygotes and all)."""
    env = {**os.environ, "PYTHONPATH": str(copy), "FASTAPI_KIT_ROOT": str(copy)}
    env.pop("KIT_WEAKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
        cwd=copy,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        return None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def control(tests: tuple[str, ...], scratch: Path, timeout_s: float) -> None:
    """The mapped tests must pass on an unmutated copy: else a kill would prove nothing (a ClickException)."""
    copy = _copy_kit(scratch)
    try:
        code = _pytest(copy, tests, timeout_s)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    if code != 0:
        how = f"ran past {timeout_s:g} s" if code is None else f"exited {code}"
        raise click.ClickException(
            f"control run failed: on the unmutated kit, pytest {' '.join(tests)} {how}; no mutant was run"
        )


def run_mutant(mutant: Mutant, scratch: Path, timeout_s: float) -> str:
    """``killed`` when the mapped tests fail on the mutated copy, ``timeout`` when they hang, else ``SURVIVED``."""
    copy = _copy_kit(scratch)
    try:
        target = copy / mutant.file
        text = target.read_text(encoding="utf-8")
        if text.count(mutant.old) != 1:
            raise click.ClickException(f"{mutant.name}: `old` occurs {text.count(mutant.old)} times in {mutant.file}")
        target.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
        code = _pytest(copy, mutant.tests, timeout_s)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    if code is None:
        return "timeout"
    return "SURVIVED" if code in (0, 5) else "killed"


@click.command()
@click.option("-m", "--module", "groups", multiple=True, help="Only the mutants of this group (sandbox, bridge...).")
@click.option("-n", "--name", "names", multiple=True, help="Only the mutant of this name.")
@click.option("--list", "list_only", is_flag=True, help="List the mutants and their tests; run nothing.")
@click.option("--timeout", "timeout_s", default=900.0, show_default=True, help="Seconds one test run may take.")
def main(groups: tuple[str, ...], names: tuple[str, ...], list_only: bool, timeout_s: float) -> None:
    """Run the hand mutants of the trust code and print killed / total per module group."""
    mutants = [m for m in load_mutants() if (not groups or m.group in groups) and (not names or m.name in names)]
    unknown = set(names) - {m.name for m in load_mutants()}
    if unknown:
        raise click.ClickException(f"no mutant named {', '.join(sorted(unknown))}")
    if list_only:
        for mutant in mutants:
            click.echo(f"{mutant.group:<9} {mutant.name}: {mutant.why}\n          tests: {' '.join(mutant.tests)}")
        return
    check_edits(mutants)
    for mutant in mutants:
        if mutant.equivalent:
            click.echo(f"equivalent {mutant.group:<9} {mutant.name}: {mutant.equivalent}")
    mutants = [m for m in mutants if not m.equivalent]
    killed: dict[str, list[bool]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="trust-mutants-") as scratch:
        test_sets = list(dict.fromkeys(tuple(sorted(m.tests)) for m in mutants))
        for number, tests in enumerate(test_sets):
            folder = Path(scratch) / f"control-{number}"
            folder.mkdir()
            control(tests, folder, timeout_s)
            click.echo(f"control  passes   {' '.join(tests)}")
        for mutant in mutants:
            folder = Path(scratch) / mutant.name
            folder.mkdir()
            outcome = run_mutant(mutant, folder, timeout_s)
            killed[mutant.group].append(outcome != "SURVIVED")
            click.echo(f"{outcome:<8} {mutant.group:<9} {mutant.name}")
    failing = False
    for group, outcomes in sorted(killed.items()):
        share = sum(outcomes) / len(outcomes)
        failing = failing or share < GOAL
        click.echo(f"{group:<9} {sum(outcomes)}/{len(outcomes)} killed ({share:.0%})")
    sys.exit(1 if failing else 0)


if __name__ == "__main__":
    main()
