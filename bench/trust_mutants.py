"""Hand mutants of the trust code: does the kit's own suite notice when a layer of the wall is weakened?

Why: mutmut forks one process per mutant and runs tests in-process; the code that confines candidate code forks
hosts, enters namespaces, mounts and installs seccomp filters, which it cannot mutate or run that way. So the
realistic bugs a refactor introduces there (a Landlock rule granting write where read was meant, seccomp letting
TCP through whatever the test named, capabilities dropped from the bounding set only, a frame limit 1024 times
larger, ...) are written by hand in ``bench/trust-mutants.toml``, each with the tests that must catch it.

For each mutant the kit is copied into a scratch folder, the one edit is applied there (``old`` must occur exactly
once in ``file``), and the mapped tests run against the copy (``PYTHONPATH`` puts the copy first; the app hosts'
zygote inherits that path). A mutant is killed when the tests fail. The checkout is never touched.

    python bench/trust_mutants.py                 # every mutant (several minutes on two cores)
    python bench/trust_mutants.py -m sandbox      # those of one module group (sandbox, bridge, host, protocol)
    python bench/trust_mutants.py --list          # the mutants and their tests, without running anything

Prints killed / total per module and exits 1 when a module is under 90%.
"""

from __future__ import annotations

import os
import shutil
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


def run_mutant(mutant: Mutant, scratch: Path) -> bool:
    """True when the mapped tests fail on the mutated copy (the mutant is killed)."""
    copy = _copy_kit(scratch)
    target = copy / mutant.file
    text = target.read_text(encoding="utf-8")
    if text.count(mutant.old) != 1:
        raise click.ClickException(f"{mutant.name}: `old` occurs {text.count(mutant.old)} times in {mutant.file}")
    target.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(copy), "FASTAPI_KIT_ROOT": str(copy)}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *mutant.tests],
        cwd=copy,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=1800,
    )
    shutil.rmtree(copy, ignore_errors=True)
    return completed.returncode not in (0, 5)


@click.command()
@click.option("-m", "--module", "groups", multiple=True, help="Only the mutants of this group (sandbox, bridge...).")
@click.option("--list", "list_only", is_flag=True, help="List the mutants and their tests; run nothing.")
def main(groups: tuple[str, ...], list_only: bool) -> None:
    """Run the hand mutants of the trust code and print killed / total per module group."""
    mutants = [m for m in load_mutants() if not groups or m.group in groups]
    if list_only:
        for mutant in mutants:
            click.echo(f"{mutant.group:<9} {mutant.name}: {mutant.why}\n          tests: {' '.join(mutant.tests)}")
        return
    killed: dict[str, list[bool]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="trust-mutants-") as scratch:
        for mutant in mutants:
            if mutant.equivalent:
                click.echo(f"equivalent {mutant.group:<9} {mutant.name}: {mutant.equivalent}")
                continue
            folder = Path(scratch) / mutant.name
            folder.mkdir()
            outcome = run_mutant(mutant, folder)
            killed[mutant.group].append(outcome)
            click.echo(f"{'killed  ' if outcome else 'SURVIVED'} {mutant.group:<9} {mutant.name}")
    failing = False
    for group, outcomes in sorted(killed.items()):
        share = sum(outcomes) / len(outcomes)
        failing = failing or share < GOAL
        click.echo(f"{group:<9} {sum(outcomes)}/{len(outcomes)} killed ({share:.0%})")
    sys.exit(1 if failing else 0)


if __name__ == "__main__":
    main()
