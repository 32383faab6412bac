"""Benchmark: how long a candidate waits for fastlings, against the time to import FastAPI and pytest.

Measured in the same run, in a fresh candidate pack (``grade pack``), alternating so that a busy machine
weighs on every figure alike:

- the floor: a fresh interpreter that imports ``fastapi`` and ``pytest`` and exits (no check can be faster
  in a new process);
- one-shot: ``fastlings check 3`` (a basic question) and ``fastlings check 16`` (JWT, more imports), as fresh
  processes, what a candidate waits for at the prompt; goal (issue 12): at most 1.0 s;
- save to verdict: a running ``fastlings watch`` (outside a terminal, so it prints plain lines), the time from
  writing q02's file to the line that gives its verdict; goal: at most 0.3 s on a 2-core machine.

Each figure is the median of ``--rounds`` (5) and is printed with its ratio to the floor.

    python bench/fastlings_speed.py
    python bench/fastlings_speed.py --rounds 9
"""

from __future__ import annotations

import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

KIT = Path(__file__).resolve().parent.parent
FASTLINGS = str(Path(sys.executable).with_name("fastlings"))
Q02 = "q02_basic_app.py"


def _wall(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


class _Watch:
    """A `fastlings watch` whose plain output is read line by line, with a deadline."""

    def __init__(self, pack: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [FASTLINGS, "watch", "--interval", "0.05"],
            cwd=pack,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        self._fd = self.process.stdout.fileno()
        self._buffer = b""

    def wait_for(self, marker: bytes, timeout_s: float = 60.0) -> float:
        """Read until a line holding ``marker``; the time it arrived (perf_counter)."""
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            if marker in self._buffer:
                self._buffer = self._buffer.split(marker, 1)[1]
                return time.perf_counter()
            ready, _, _ = select.select([self._fd], [], [], 0.01)
            if ready:
                chunk = os.read(self._fd, 65536)
                if not chunk:
                    break
                self._buffer += chunk
        raise RuntimeError(f"fastlings watch never printed {marker!r}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@click.command()
@click.option("-n", "--rounds", default=5, show_default=True, type=click.IntRange(min=1))
def main(rounds: int) -> None:
    """Print fastlings' one-shot check and watch save-to-verdict times against the import floor."""
    from grader.kit.pack import write_pack

    solution = (KIT / "solutions" / Q02).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="fastlings-bench-") as scratch:
        pack = write_pack(Path(scratch) / "pack")
        env = {**os.environ, "FASTAPI_KIT_ROOT": str(pack), "NO_COLOR": "1"}
        floor_command = [sys.executable, "-c", "import fastapi, pytest"]
        floor, q03, q16, verdicts = [], [], [], []
        watch = _Watch(pack, env)
        try:
            watch.wait_for(b"progress [")  # warm, and the first question's verdict is in
            for round_number in range(1, rounds + 1):
                floor.append(_wall(floor_command, pack, env))
                q03.append(_wall([FASTLINGS, "check", "3"], pack, env))
                q16.append(_wall([FASTLINGS, "check", "16"], pack, env))
                started = time.perf_counter()
                (pack / "exercises" / Q02).write_text(f"{solution}\n# round {round_number}\n", encoding="utf-8")
                verdicts.append(watch.wait_for(b"progress [") - started)
                click.echo(
                    f"round {round_number}: floor {floor[-1]:.2f}s  check 3 {q03[-1]:.2f}s  check 16 {q16[-1]:.2f}s"
                    f"  save-to-verdict {verdicts[-1]:.3f}s",
                    err=True,
                )
        finally:
            watch.stop()
            shutil.rmtree(pack, ignore_errors=True)
    base = statistics.median(floor)
    click.echo(f"floor (fresh python: import fastapi, pytest): {base:.2f}s (median of {rounds})")
    for label, samples, goal in (
        ("one-shot `fastlings check 3`", q03, 1.0),
        ("one-shot `fastlings check 16`", q16, 1.0),
        ("watch, save to verdict (q02)", verdicts, 0.3),
    ):
        median = statistics.median(samples)
        click.echo(f"{label:<32} {median:6.3f}s  ratio to floor {median / base:.2f}  (goal <= {goal:.1f}s)")


if __name__ == "__main__":
    main()
