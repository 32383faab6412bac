"""Benchmark: a full `grade` run against one bare `pytest --target DIR` over the same hidden tests.

Both are measured in the same run, alternating, as fresh processes (what a user waits for), and the script
prints the median wall time of each and their ratio. The goal (issue #9) is a ratio of at most 1.0: with
both going through the sandboxed app hosts, the grader's judge-per-question must cost no more than running
all the tests in one process (it forks from a warm parent and uses every core).

    python bench/grade_vs_pytest.py                 # against solutions/, 3 rounds
    python bench/grade_vs_pytest.py exercises -n 5
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

KIT = Path(__file__).resolve().parent.parent


def wall_time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=KIT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


@click.command()
@click.argument("target", default="solutions", type=click.Path(exists=True, file_okay=False))
@click.option("-n", "--rounds", default=3, show_default=True, type=click.IntRange(min=1))
def main(target: str, rounds: int) -> None:
    """Print median wall times of `pytest tests/hidden --target TARGET` and `grade TARGET`, and their ratio."""
    baseline = [sys.executable, "-m", "pytest", "-q", "tests/hidden", "--target", target]
    grading = [sys.executable, "-m", "grader", target, "--json"]
    pytest_times, grade_times = [], []
    for round_number in range(1, rounds + 1):
        pytest_times.append(wall_time(baseline))
        grade_times.append(wall_time(grading))
        click.echo(f"round {round_number}: pytest {pytest_times[-1]:.2f}s  grade {grade_times[-1]:.2f}s", err=True)
    pytest_median, grade_median = statistics.median(pytest_times), statistics.median(grade_times)
    click.echo(f"bare pytest over the hidden tests: {pytest_median:.2f}s (median of {rounds})")
    click.echo(f"grade, one process per question:  {grade_median:.2f}s (median of {rounds})")
    click.echo(f"ratio grade / pytest: {grade_median / pytest_median:.2f} (goal: <= 1.0)")


if __name__ == "__main__":
    main()
