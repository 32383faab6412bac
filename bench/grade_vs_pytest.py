"""Benchmark: a full `grade` run against bare pytest runs over the same hidden tests, and the cost of one host.

Measured in the same run, alternating, as fresh processes (what a user waits for): `pytest tests/hidden` (every
test in one process, through sandboxed app hosts), `pytest tests/hidden --in-process` (the module in the test
process: no host, no sandbox, the floor) and `grade` (a judge per question, every layer on). It prints the
median wall time of each and the ratios of grade to both baselines. Goals: grade <= 1.0x bare pytest (issue
#9) and grade <= 1.2x the in-process floor (issue #18: the exec'd zygote, the services and every layer cost
no more than that). Then it starts app hosts one after another and prints the median cost of starting one
(spawn from the zygote, sandbox, hello, import of the q02 solution), and the zygote's own start.

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
    in_process = [*baseline, "--in-process"]
    grading = [sys.executable, "-m", "grader", target, "--json"]
    pytest_times, floor_times, grade_times = [], [], []
    for round_number in range(1, rounds + 1):
        pytest_times.append(wall_time(baseline))
        floor_times.append(wall_time(in_process))
        grade_times.append(wall_time(grading))
        click.echo(
            f"round {round_number}: pytest {pytest_times[-1]:.2f}s  in-process {floor_times[-1]:.2f}s"
            f"  grade {grade_times[-1]:.2f}s",
            err=True,
        )
    pytest_median, grade_median = statistics.median(pytest_times), statistics.median(grade_times)
    floor_median = statistics.median(floor_times)
    click.echo(f"bare pytest over the hidden tests:  {pytest_median:.2f}s (median of {rounds})")
    click.echo(f"pytest --in-process (the floor):    {floor_median:.2f}s (median of {rounds})")
    click.echo(f"grade, one process per question:   {grade_median:.2f}s (median of {rounds})")
    click.echo(f"ratio grade / pytest:     {grade_median / pytest_median:.2f} (goal: <= 1.0)")
    click.echo(f"ratio grade / in-process: {grade_median / floor_median:.2f} (goal: <= 1.2)")
    zygote_s, host_s = host_start_costs(target)
    click.echo(f"starting the zygote: {zygote_s:.2f}s; starting one host: {host_s * 1000:.0f} ms (median of 20)")


def host_start_costs(target: str, starts: int = 20) -> tuple[float, float]:
    """The zygote's start (first host, minus a later one) and the median cost of one more host, loaded."""
    from grader.judge.bridge import HostOptions, launch

    module = KIT / target / "q02_basic_app.py"
    options = HostOptions(protected=(KIT,))
    times = []
    for _ in range(starts + 1):
        started = time.perf_counter()
        host = launch(module, options)
        host.load()
        times.append(time.perf_counter() - started)
        host.close()
    one = statistics.median(times[1:])
    return times[0] - one, one


if __name__ == "__main__":
    main()
