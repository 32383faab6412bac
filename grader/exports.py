"""Export the grading to the platforms teachers already use: a Gradescope autograder and a GitHub Classroom setup.

Both exports run this same grader rather than re-implementing it: Gradescope gets a zip holding a copy of the
kit (package, hidden tests, stubs; never the solutions) and two scripts that install it once and grade each
submission with ``grade --json``; GitHub Classroom gets a workflow that installs the kit from wherever the
teacher keeps it, plus one autograding test per question so that points show per question.

The JSON → Gradescope conversion and the search for the student's files live here, in Python, so that the
shell scripts stay short and the logic is tested like the rest of the kit. ``run_autograder`` calls them as::

    python -m grader.exports gradescope-collect SUBMISSION_DIR DEST_DIR
    python -m grader.exports gradescope-results REPORT.json RESULTS.json [ERRORS.txt]
"""

from __future__ import annotations

import json
import shutil
import stat
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from grader.archives import ArchiveError, extract_archive, is_archive
from grader.catalogue import Question, load_catalogue
from grader.kit import exercises_dir, hidden_tests_dir, kit_root
from grader.submissions import find_exercise_folder

__all__ = [
    "ExportError",
    "collect_submission",
    "gradescope_failure",
    "gradescope_results",
    "main",
    "write_github_classroom",
    "write_gradescope",
]

# How much of the failures a student sees per question: enough to act on, not a wall of tracebacks.
MAX_FAILURES_SHOWN = 3
MAX_MESSAGE_CHARS = 400
MAX_ERROR_CHARS = 2000
# GitHub Classroom's runner counts a test's timeout in minutes; one question takes seconds, its time limit 60 s.
CLASSROOM_TIMEOUT_MIN = 3

_IGNORED = ("__pycache__", ".pytest_cache")
_SCRIPT_MODE = stat.S_IFREG | 0o755
_FILE_MODE = stat.S_IFREG | 0o644

_GRADESCOPE_SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (written by `grade export gradescope`).
# It makes sure a Python >= 3.11 with venv and pip is there, then installs the kit (in /autograder/source/kit)
# into its own virtual environment: recent Ubuntu images refuse `pip install` into the system Python.
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
KIT="$ROOT/source/kit"
VENV="$ROOT/venv"

apt_install() {
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

pick_python() {
    local candidate
    for candidate in python3 python3.13 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 \\
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if ! PYTHON="$(pick_python)"; then
    apt_install python3.11 python3.11-venv python3-pip
    PYTHON=python3.11
fi

if ! "$PYTHON" -m venv "$VENV"; then
    # Debian and Ubuntu ship venv (ensurepip) and pip in packages of their own.
    rm -rf "$VENV"
    apt_install "$("$PYTHON" -c 'import sys; print(f"python3.{sys.version_info.minor}-venv")')" python3-pip
    "$PYTHON" -m venv "$VENV"
fi

"$VENV/bin/python" -m pip install --upgrade pip
# Editable, so that the installed `grader` finds the hidden tests next to it in the kit folder.
"$VENV/bin/python" -m pip install -e "$KIT"

# q30's Redis tests need a redis-server; without one they are skipped (they count neither way).
if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server || echo "setup.sh: no redis-server: q30's Redis tests will be skipped" >&2
fi
"""

_GRADESCOPE_RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission (written by `grade export gradescope`): it finds the student's
# qNN_<slug>.py files (at any depth, or inside the zip written by `fastlings submit`), grades them with the
# kit's hidden tests and writes $AUTOGRADER_ROOT/results/results.json. Each path can be overridden, so the
# script also runs on a laptop: AUTOGRADER_ROOT, GRADER_KIT, GRADER_PYTHON, and GRADE_ARGS (extra `grade`
# options, e.g. "-q 2" to grade one question).
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
KIT="${GRADER_KIT:-$ROOT/source/kit}"
PYTHON="${GRADER_PYTHON:-$ROOT/venv/bin/python}"
SUBMISSION="$ROOT/submission"
RESULTS="$ROOT/results"

# The kit's own copy of the grader and its hidden tests, whatever else the interpreter has installed.
export FASTAPI_KIT_ROOT="$KIT"
export PYTHONPATH="$KIT${PYTHONPATH:+:$PYTHONPATH}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$RESULTS"
: > "$WORK/errors.txt"

# Word splitting is wanted: GRADE_ARGS holds several options.
# shellcheck disable=SC2086
if "$PYTHON" -m grader.exports gradescope-collect "$SUBMISSION" "$WORK/exercises" 2>> "$WORK/errors.txt"; then
    (cd "$WORK" && "$PYTHON" -m grader run "$WORK/exercises" --json ${GRADE_ARGS:-} \\
        > "$WORK/grade.json" 2>> "$WORK/errors.txt") || true
fi

"$PYTHON" -m grader.exports gradescope-results "$WORK/grade.json" "$RESULTS/results.json" "$WORK/errors.txt"
cat "$WORK/errors.txt" >&2
"""

_WORKFLOW = """\
# Grades every push with the FastAPI interview kit's hidden tests (written by `grade export github-classroom`).
name: Autograding

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
  KIT_TOKEN: ${{{{ secrets.KIT_TOKEN }}}}

jobs:
  grade:
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
            if [ -n "$KIT_TOKEN" ]; then url="${{url/#https:\\/\\//https://x-access-token:$KIT_TOKEN@}}"; fi
            git clone --quiet --depth 1 ${{KIT_REF:+--branch "$KIT_REF"}} "$url" "$RUNNER_TEMP/kit"
            kit="$RUNNER_TEMP/kit"
          fi
          # Editable: the installed grader then finds the hidden tests in the kit folder.
          python -m pip install -e "$kit"
          echo "FASTAPI_KIT_ROOT=$(cd "$kit" && pwd)" >> "$GITHUB_ENV"

      - name: Grade every question
        id: grade
        run: grade exercises --fail-under {fail_under} --json > grade.json

      - name: Upload the grade report
        if: ${{{{ !cancelled() && steps.install.outcome == 'success' }}}}
        uses: actions/upload-artifact@v4
        with:
          name: grade-report
          path: grade.json

      - name: Points per question (GitHub Classroom)
        if: ${{{{ !cancelled() && steps.install.outcome == 'success' }}}}
        uses: education/autograding@v1
"""

_CLASSROOM_README = """\
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
   Do not add tests in Classroom's web form: Classroom would rewrite these two files.

## What happens on every push

- The workflow installs the kit and runs `grade exercises --fail-under {fail_under} --json > grade.json`: the
  run turns red below {fail_under}%, and `grade.json` (the full report, with failure messages) is attached to
  the run as the `grade-report` artifact.
- `education/autograding@v1` then runs the {count} tests of `.github/classroom/autograding.json`, one per
  question (`grade exercises -q qNN --fail-under 100`), so Classroom shows points per question:
  {total:g} in all.

## Good to know

- Students can edit the workflow in their own repository, and a workflow they edit can read what it
  installs (the hidden tests) and the secrets it is given (`KIT_TOKEN`). Treat Classroom's scores as
  feedback, give the token read access to the kit only, and grade the final submissions yourself with
  `grade` (a whole class folder at once, see the kit's README).
- Questions whose Redis tests need a `redis-server` (q30) have them skipped on GitHub's runners unless you
  add a step installing one (`sudo apt-get install -y redis-server`); skipped tests count neither way.
- Newer Classroom assignments generate one workflow step per test instead of `autograding.json`; if yours
  does, keep this workflow and delete the generated one.
"""


class ExportError(Exception):
    """The export cannot be written; the message (one line) says why."""


# ---------------------------------------------------------------------------------------------- Gradescope


def _question_output(question: dict[str, Any]) -> str:
    """What a student reads under one question: the verdict, the test count and the first few failures."""
    counts = f"{question['tests_passed']}/{question['tests_total']} tests passed"
    if question.get("tests_skipped"):
        counts += f" ({question['tests_skipped']} skipped)"
    lines = [f"{question['status']}: {counts}"]
    if question.get("message"):
        lines.append(_truncate(question["message"], MAX_MESSAGE_CHARS))
    failures = question.get("failures") or []
    for failure in failures[:MAX_FAILURES_SHOWN]:
        lines.append(f"- {failure['test']}: {_truncate(failure['message'], MAX_MESSAGE_CHARS)}")
    if len(failures) > MAX_FAILURES_SHOWN:
        lines.append(f"... and {len(failures) - MAX_FAILURES_SHOWN} more failing tests")
    return "\n".join(lines)


def _truncate(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _gradescope_test(question: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": f"{question['id']} · {question['title']}",
        "number": str(int(question["id"][1:])),
        "score": float(question["points"]),
        "max_score": float(question["max_points"]),
        "status": "passed" if question["passed"] else "failed",
        "output": _question_output(question),
        "visibility": "visible",
    }


def gradescope_results(report: dict[str, Any]) -> dict[str, Any]:
    """Turn the report of ``grade --json`` into Gradescope's results.json: one Gradescope test per question.

    The total is the sum of the tests' scores, so that Gradescope's own sum and ours can never disagree.
    """
    tests = [_gradescope_test(q) for q in report["questions"]]
    score = round(sum(t["score"] for t in tests), 2)
    max_score = round(sum(t["max_score"] for t in tests), 2)
    passed = sum(1 for t in tests if t["status"] == "passed")
    return {
        "score": score,
        "execution_time": round(float(report.get("duration_s", 0.0))),
        "output": f"{score:g}/{max_score:g} points: {passed} of {len(tests)} questions passed.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def gradescope_failure(reason: str) -> dict[str, Any]:
    """A results.json for a submission that could not be graded: Gradescope shows the reason, not a crash."""
    return {
        "score": 0.0,
        "output": "This submission could not be graded.\n" + _truncate(reason, MAX_ERROR_CHARS),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def collect_submission(source: Path, dest: Path) -> list[str]:
    """Copy the student's exercise files from ``source`` into the new folder ``dest``; return their names.

    Gradescope hands over whatever the student uploaded: loose files, a folder tree (a GitHub upload) or the
    zip written by ``fastlings submit``. Loose files win; otherwise the first archive holding exercise files
    is extracted (safely: untrusted input). ``grade`` then sees one flat submission folder.
    """
    questions = load_catalogue()
    folder = find_exercise_folder(source, questions)
    with tempfile.TemporaryDirectory(prefix="collect-") as scratch:
        if folder is None:
            folder = _folder_from_archives(source, Path(scratch), questions)
        if folder is None:
            raise ExportError(
                "no exercise file (qNN_<slug>.py) found in the submission, nor a zip of them from `fastlings submit`"
            )
        dest.mkdir(parents=True)
        names = [q.filename for q in questions if (folder / q.filename).is_file()]
        for name in names:
            shutil.copyfile(folder / name, dest / name)
    return names


def _folder_from_archives(source: Path, scratch: Path, questions: tuple[Question, ...]) -> Path | None:
    for index, archive in enumerate(sorted(p for p in source.rglob("*") if is_archive(p))):
        destination = scratch / str(index)
        destination.mkdir()
        try:
            extract_archive(archive, destination)
        except ArchiveError:
            continue
        folder = find_exercise_folder(destination, questions)
        if folder is not None:
            return folder
    return None


def _kit_files() -> Iterator[tuple[Path, str]]:
    """(path, name inside the kit) of everything grading needs: no solutions, no candidate checks, no bench."""
    root = kit_root()
    for name in ("pyproject.toml", "README.md"):
        yield root / name, name
    package = Path(str(resources.files("grader")))
    for folder, prefix in ((package, "grader"), (hidden_tests_dir(), "tests/hidden"), (exercises_dir(), "exercises")):
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and path.suffix != ".pyc" and not any(p in _IGNORED for p in relative.parts):
                yield path, f"{prefix}/{relative.as_posix()}"


def _zip_member(archive: zipfile.ZipFile, name: str, data: str | bytes, mode: int) -> None:
    """Add one file with explicit Unix permissions: Gradescope needs run_autograder to be executable."""
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _refuse_existing(out: Path) -> None:
    if out.exists():
        raise ExportError(f"{out} already exists: exports are never written over existing files")


def write_gradescope(out: Path) -> Path:
    """Write a Gradescope autograder zip to ``out`` (a new ``.zip``); never overwrites anything.

    At the zip's root, as Gradescope requires: ``setup.sh``, ``run_autograder`` and the kit in ``kit/``, which
    Gradescope extracts to ``/autograder/source/kit``.
    """
    _refuse_existing(out)
    if out.suffix.lower() != ".zip":
        raise ExportError(f"{out} must end in .zip: Gradescope takes the autograder as a zip file")
    for path, name in ((kit_root() / "pyproject.toml", "pyproject.toml"), (hidden_tests_dir(), "tests/hidden")):
        if not path.exists():
            raise ExportError(f"{path} is missing: export from a kit checkout (it needs {name})")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(out, "x", compression=zipfile.ZIP_DEFLATED)  # "x": fails if out appeared since
    except FileExistsError as exc:
        raise ExportError(f"{out} already exists: exports are never written over existing files") from exc
    try:
        with archive:
            _zip_member(archive, "setup.sh", _GRADESCOPE_SETUP, _SCRIPT_MODE)
            _zip_member(archive, "run_autograder", _GRADESCOPE_RUN, _SCRIPT_MODE)
            for path, name in _kit_files():
                _zip_member(archive, f"kit/{name}", path.read_bytes(), _FILE_MODE)
    except BaseException:
        out.unlink(missing_ok=True)  # no half-written autograder left behind
        raise
    return out


# ------------------------------------------------------------------------------------------ GitHub Classroom


def _points(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def classroom_tests(questions: tuple[Question, ...]) -> list[dict[str, Any]]:
    """One autograding test per question: it passes when ``grade -q qNN`` scores 100% on that question."""
    return [
        {
            "name": f"{q.id} · {q.title}",
            "setup": "",
            "run": f"grade exercises -q {q.id} --fail-under 100",
            "input": "",
            "output": "",
            "comparison": "included",
            "timeout": CLASSROOM_TIMEOUT_MIN,
            "points": _points(q.points),
        }
        for q in questions
    ]


def write_github_classroom(out: Path, fail_under: float = 100.0) -> Path:
    """Write the GitHub Classroom files to the new folder ``out``: the workflow, autograding.json, a README."""
    _refuse_existing(out)
    if not 0 <= fail_under <= 100:
        raise ExportError(f"--fail-under must be between 0 and 100, not {fail_under:g}")
    questions = load_catalogue()
    workflows, classroom = out / ".github" / "workflows", out / ".github" / "classroom"
    workflows.mkdir(parents=True)
    classroom.mkdir(parents=True)
    (workflows / "classroom.yml").write_text(_WORKFLOW.format(fail_under=f"{fail_under:g}"), encoding="utf-8")
    autograding = {"tests": classroom_tests(questions)}
    (classroom / "autograding.json").write_text(
        json.dumps(autograding, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    readme = _CLASSROOM_README.format(
        fail_under=f"{fail_under:g}", count=len(questions), total=sum(q.points for q in questions)
    )
    (out / "README.md").write_text(readme, encoding="utf-8")
    return out


# ------------------------------------------------------------------------------ entry point for run_autograder


def _write_results(report_path: Path, out_path: Path, errors_path: Path | None) -> None:
    errors = ""
    if errors_path is not None and errors_path.is_file():
        errors = errors_path.read_text(encoding="utf-8", errors="replace").strip()
    try:
        results = gradescope_results(json.loads(report_path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # Whatever went wrong, Gradescope gets a results.json that says so rather than a failed autograder.
        results = gradescope_failure(errors or f"the grader produced no report ({exc})")
    else:
        warnings = [line for line in errors.splitlines() if line.startswith("warning:")]
        if warnings:
            results["output"] += "\n" + "\n".join(warnings)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


_USAGE = (
    "usage: python -m grader.exports gradescope-collect SUBMISSION_DIR DEST_DIR\n"
    "       python -m grader.exports gradescope-results REPORT.json RESULTS.json [ERRORS.txt]"
)


def main(argv: list[str] | None = None) -> int:
    """The two steps of ``run_autograder`` that are easier to get right in Python than in bash."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 3 and args[0] == "gradescope-collect":
        try:
            names = collect_submission(Path(args[1]), Path(args[2]))
        except (ExportError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"collected {len(names)} exercise files: {', '.join(names)}", file=sys.stderr)
        return 0
    if len(args) in (3, 4) and args[0] == "gradescope-results":
        _write_results(Path(args[1]), Path(args[2]), Path(args[3]) if len(args) == 4 else None)
        return 0
    print(_USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
