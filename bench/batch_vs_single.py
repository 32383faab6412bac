"""Benchmark: a class graded as one batch against one `grade` call per submission, in the same run.

It generates N submissions (a seeded mixture of reference solutions, untouched stubs, and broken files:
syntax errors, exceptions at import, missing files), then times

- the batch: `grade CLASS --gradebook <fresh file> --json`, one process pool for every (student, question),
  grading each distinct file once (the untouched stubs are the same bytes in every submission);
- the baseline: `grade STUDENT --json` once per submission, one after the other;

and prints submissions per minute for each and their ratio. Issue #6's goal: the batch at least 1.8x faster
on a 2-core machine.

    python bench/batch_vs_single.py                      # 100 submissions, all questions (slow: minutes)
    python bench/batch_vs_single.py -n 40 -q 2 -q 14     # a quicker look
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

KIT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(KIT))

from grader.kit.catalogue import select_questions  # noqa: E402

BROKEN = {
    "syntax": "def broken(:\n",
    "raises": "raise RuntimeError('boom at import')\n",
}


def make_class(root: Path, count: int, question_keys: tuple[str, ...], seed: int = 7) -> None:
    rng = random.Random(seed)
    questions = select_questions(question_keys)
    for index in range(count):
        student = root / f"student{index:03d}"
        student.mkdir(parents=True)
        for q in questions:
            roll = rng.random()
            # Like a real class: every answer is the student's own (a distinct file), while a question left
            # untouched is the stub exactly as it was handed out (the same bytes for everyone).
            own = f"# {student.name}\n"
            if roll < 0.45:
                (student / q.filename).write_text(own + (KIT / "solutions" / q.filename).read_text())
            elif roll < 0.8:
                shutil.copyfile(KIT / "exercises" / q.filename, student / q.filename)
            elif roll < 0.9:
                (student / q.filename).write_text(own + BROKEN[rng.choice(sorted(BROKEN))])
            # else: the file is missing
        if not any(student.iterdir()):
            shutil.copyfile(KIT / "exercises" / questions[0].filename, student / questions[0].filename)


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=KIT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


@click.command()
@click.option("-n", "--submissions", default=100, show_default=True, type=click.IntRange(min=1))
@click.option("-q", "--question", "question_keys", multiple=True, help="Restrict to these questions.")
def main(submissions: int, question_keys: tuple[str, ...]) -> None:
    """Print submissions per minute for one batch and for one `grade` per submission, and the ratio."""
    selection = [arg for key in question_keys for arg in ("-q", key)]
    with tempfile.TemporaryDirectory(prefix="bench-class-") as scratch:
        room = Path(scratch) / "class"
        make_class(room, submissions, question_keys)
        grade = [sys.executable, "-m", "grader"]
        batch_s = timed([*grade, str(room), *selection, "--gradebook", str(Path(scratch) / "book.sqlite3"), "--json"])
        click.echo(f"batch: {submissions} submissions in {batch_s:.1f}s", err=True)
        single_s = sum(timed([*grade, str(student), *selection, "--json"]) for student in sorted(room.iterdir()))
        click.echo(f"single: {submissions} submissions in {single_s:.1f}s", err=True)
    batch_rate, single_rate = 60 * submissions / batch_s, 60 * submissions / single_s
    questions = len(select_questions(question_keys))
    click.echo(f"{submissions} submissions x {questions} questions")
    click.echo(f"one batch:              {batch_rate:7.1f} submissions/min ({batch_s:.1f}s)")
    click.echo(f"one grade per student:  {single_rate:7.1f} submissions/min ({single_s:.1f}s)")
    click.echo(f"ratio batch / single: {batch_rate / single_rate:.2f} (goal: >= 1.8)")


if __name__ == "__main__":
    main()
