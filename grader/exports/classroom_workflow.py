"""The files `grade export github-classroom` writes into an assignment's template repository.

A workflow (``.github/workflows/classroom.yml``) that installs the kit, grades each push once with ``grade
--json``, hands the report to ``python -m grader.exports classroom-results`` (``grader.exports.classroom``: how
the points reach Classroom exactly) and runs Classroom's reporter over one runner per question; and a README
for the teacher beside it. Both are templates filled in with the assignment's questions, points and threshold;
what they say is kept here as text, whole, so that it reads as the file it becomes.
"""

from __future__ import annotations

from pathlib import Path

from grader.exports.common import ExportError, assignment_args, refuse_existing
from grader.kit.catalogue import Question, load_catalogue

__all__ = ["GRADE_STEP_ID", "REPORTER", "workflow_text", "write_github_classroom"]

REPORTER = "classroom-resources/autograding-grading-reporter@v1"
GRADE_STEP_ID = "grade"

_WORKFLOW = """\
# Grades every push once with the FastAPI interview kit's hidden tests and reports the kit's own score to
# GitHub Classroom (written by `grade export github-classroom`; the README beside .github/ explains it).
name: Autograding Tests

"on":
  push:
  workflow_dispatch:

permissions:
  checks: write
  actions: read
  contents: read

env:
  # TEACHER: where to get the grading kit (it holds the hidden tests). Either a git URL that `git clone`
  # accepts, e.g. https://github.com/your-org/fastapi-kit.git (for a private repository, add a repository or
  # organisation secret KIT_TOKEN: a token that can read it), or a folder path inside this repository.
  KIT_SOURCE: "https://github.com/YOUR-ORG/YOUR-KIT-REPOSITORY.git"
  # Optional: the branch or tag of the kit to grade with (empty: its default branch).
  KIT_REF: ""
  KIT_TOKEN: ${{ secrets.KIT_TOKEN }}

jobs:
  run-autograding-tests:
    name: Autograding
    runs-on: ubuntu-latest
    # GitHub Classroom's own first commit to the new repository is not a submission.
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 30
    steps:
      - name: Check out the submission
        uses: actions/checkout@v4

      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.11"

      - name: Install the grading kit
        id: install
        run: |
          if [ -d "$KIT_SOURCE" ]; then
            kit="$KIT_SOURCE"
          else
            url="$KIT_SOURCE"
            if [ -n "$KIT_TOKEN" ]; then url="${url/#https:\\/\\//https://x-access-token:$KIT_TOKEN@}"; fi
            git clone --quiet --depth 1 ${KIT_REF:+--branch "$KIT_REF"} "$url" "$RUNNER_TEMP/kit"
            kit="$RUNNER_TEMP/kit"
          fi
          # Editable: the installed grader then finds the hidden tests in the kit folder. The constraints are
          # the library versions the kit was tested with.
          if [ -f "$kit/constraints.txt" ]; then
            python -m pip install -e "$kit" -c "$kit/constraints.txt"
          else
            python -m pip install -e "$kit"
          fi
          echo "FASTAPI_KIT_ROOT=$(cd "$kit" && pwd)" >> "$GITHUB_ENV"

      - name: Grade every question (once)
        id: @GRADE_STEP_ID@
        run: |
          set +e
          # Exit 1 below a threshold or 2 on unusable input: the next command reports either to Classroom.
          grade exercises --json@ASSIGNMENT_ARGS@ > grade.json 2> grade-errors.txt
          cat grade-errors.txt >&2
          python -m grader.exports classroom-results grade.json "$GITHUB_OUTPUT"@ASSIGNMENT_ARGS@ \\
            --fail-under @FAIL_UNDER@ --errors grade-errors.txt

      - name: Upload the grade report
        if: ${{ !cancelled() && steps.install.outcome == 'success' }}
        uses: actions/upload-artifact@v4
        with:
          name: grade-report
          path: grade.json

      - name: Report the points to GitHub Classroom
        if: ${{ !cancelled() && steps.@GRADE_STEP_ID@.outcome == 'success' }}
        uses: @REPORTER@
        env:
@ENV@
        with:
          runners: @RUNNERS@
"""

_README = """\
# GitHub Classroom autograding for the FastAPI interview kit

Written by `grade export github-classroom`. This README is for you, the teacher: copy only the `.github/`
folder into the assignment's template repository (the one holding the students' `exercises/` stubs, e.g.
made with `grade pack`).

## What to do

1. Put the kit somewhere the workflow can fetch it, **not** in the template repository: the kit holds the
   hidden tests. A private repository of your organisation works well.
2. Edit `.github/workflows/classroom.yml`: set `KIT_SOURCE` to that repository's git URL (and `KIT_REF` to a
   tag, to grade a whole term with the same tests). For a private kit repository, add an organisation secret
   `KIT_TOKEN`: a fine-grained token with read access to it.
3. Commit `.github/` to the template repository, then create the assignment from it in GitHub Classroom.
   Do not add tests in Classroom's web form: Classroom would write its own `classroom.yml` over this one.

## What happens on every push

- The workflow installs the kit (with its `constraints.txt`: the library versions it was tested with) and
  grades the submission **once**: `grade exercises --json > grade.json`. `grade.json`, the full report with
  every failure message, is attached to the run as the `grade-report` artifact.
- `python -m grader.exports classroom-results` turns that report into one result per question, in the
  format of Classroom's reporter, and prints the kit's table in the log.
- `{reporter}` hands Classroom the points: {total:g} in all, over {count} questions.
  The run turns red below {fail_under}%.

## The score is the kit's score

Classroom records the sum of the results' scores. Each question's result carries the points `grade` gives
it, partial credit included (6 of 8 tests on a 3-point question: 2.25 points), so Classroom's total equals
`grade`'s (`grade exercises` on the same commit prints the same number). Two things differ on the way:

- The reporter's log table ("Test runner summary") computes each question's points from the *share of
  entries passed*, not from the scores Classroom records: each question lists one entry per hidden test
  that counted, so the two agree up to the two-decimal rounding of each question (at most 0.005 a
  question); its "Total:" row can differ from the recorded total by that much.
- The reporter adds the scores as floating-point numbers; the export adjusts the last scoring entry by a
  few units in the last decimal place (10^-15 points) so that the sum lands on `grade`'s total exactly,
  rather than on 49.120000000000005.

Classroom's own handling of the recorded number is not published: if its gradebook shows whole points,
the rounding is Classroom's.

## Good to know

- Students can edit the workflow in their own repository, and a workflow they edit can read what it
  installs (the hidden tests) and the secrets it is given (`KIT_TOKEN`). Treat Classroom's scores as
  feedback, give the token read access to the kit only, and grade the final submissions yourself with
  `grade` (a whole class folder at once, see the kit's README).
- Questions whose Redis tests need a `redis-server` (q30) have them skipped on GitHub's runners unless you
  add a step installing one (`sudo apt-get install -y redis-server`); skipped tests count neither way.
"""


def workflow_text(questions: tuple[Question, ...], fail_under: float) -> str:
    """The workflow: install, grade once, upload the report, hand one runner per question to the reporter."""
    env = "\n".join(
        f'          {q.id.upper()}_RESULTS: "${{{{ steps.{GRADE_STEP_ID}.outputs.{q.id} }}}}"' for q in questions
    )
    return (
        _WORKFLOW.replace("@GRADE_STEP_ID@", GRADE_STEP_ID)
        .replace("@FAIL_UNDER@", f"{fail_under:g}")
        .replace("@REPORTER@", REPORTER)
        .replace("@ENV@", env)
        .replace("@RUNNERS@", ",".join(q.id for q in questions))
        .replace("@ASSIGNMENT_ARGS@", f" {args}" if (args := assignment_args(questions)) else "")
    )


def write_github_classroom(out: Path, fail_under: float = 100.0, questions: tuple[Question, ...] | None = None) -> Path:
    """Write the GitHub Classroom files to the new folder ``out``: the workflow and a README for the teacher.

    ``questions`` are the assignment's questions at its points (None: every question at the catalogue's)."""
    refuse_existing(out)
    if not 0 <= fail_under <= 100:
        raise ExportError(f"--fail-under must be between 0 and 100, not {fail_under:g}")
    questions = questions or load_catalogue()
    workflows = out / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "classroom.yml").write_text(workflow_text(questions, fail_under), encoding="utf-8")
    readme = _README.format(
        fail_under=f"{fail_under:g}",
        count=len(questions),
        total=sum(q.points for q in questions),
        reporter=REPORTER,
    )
    (out / "README.md").write_text(readme, encoding="utf-8")
    return out
