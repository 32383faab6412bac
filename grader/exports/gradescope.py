"""The Gradescope export: an autograder zip that runs this grader, and the results.json it writes.

Gradescope builds an image from the zip once (``setup.sh``) and runs ``run_autograder`` for every submission.
The zip holds a copy of the kit (package, hidden tests, stubs; never the solutions) and ``constraints.txt``,
the exact library versions the kit was tested with: ``setup.sh`` installs with them, so the platform grades
with what the teacher graded with. One Gradescope test per question carries its points, status and failures.

Visibility is Gradescope's own vocabulary (``visible``, ``after_due_date``, ``after_published``, ``hidden``),
chosen when the zip is written and applied to every question's test: a question's output names the hidden
tests it failed, which a teacher may not want students to read before the due date, so ``after_due_date`` is
the default. The summary at the top (integrity flags, files changed after submit) stays visible; it states
the total only when the questions are visible, since Gradescope itself hides the total while tests are.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from grader.book.archives import ArchiveError, extract_archive, is_archive
from grader.book.submissions import find_exercise_folder
from grader.exports.common import ExportError, assignment_args, one_submission, refuse_existing, truncate
from grader.kit import exercises_dir, hidden_tests_dir, kit_root
from grader.kit.catalogue import Question, load_catalogue
from grader.text.words import counted

__all__ = [
    "DEFAULT_VISIBILITY",
    "VISIBILITIES",
    "collect_submission",
    "gradescope_failure",
    "gradescope_results",
    "write_gradescope",
]

# Gradescope's visibility values, from most to least open (its autograder specification).
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
DEFAULT_VISIBILITY = "after_due_date"
# What a student reads at the top while the questions are not shown yet.
_WHEN_SHOWN = {
    "after_due_date": "each question's result (points and failing tests) is shown here after the due date.",
    "after_published": "each question's result (points and failing tests) is shown here once grades are published.",
    "hidden": "each question's result (points and failing tests) is shown to the course staff only.",
}

# How much of the failures a student sees per question: enough to act on, not a wall of tracebacks.
MAX_FAILURES_SHOWN = 3
MAX_MESSAGE_CHARS = 400
MAX_ERROR_CHARS = 2000

_IGNORED = ("__pycache__", ".pytest_cache")
_SCRIPT_MODE = stat.S_IFREG | 0o755
_FILE_MODE = stat.S_IFREG | 0o644
# The files at the kit's root that installing and grading need; constraints.txt pins every library.
_ROOT_FILES = ("pyproject.toml", "README.md", "constraints.txt")

_SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (written by `grade export gradescope`).
# It makes sure a Python >= 3.11 with venv and pip is there, then installs the kit (in /autograder/source/kit)
# into its own virtual environment: recent Ubuntu images refuse `pip install` into the system Python.
# constraints.txt pins every library to the version the kit was tested with.
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
"$VENV/bin/python" -m pip install -e "$KIT" -c "$KIT/constraints.txt"

# q30's Redis tests need a redis-server; without one they are skipped (they count neither way).
if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server || echo "setup.sh: no redis-server: q30's Redis tests will be skipped" >&2
fi
"""

_RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission (written by `grade export gradescope`): it finds the student's
# qNN_<slug>.py files (at any depth, or inside the zip written by `fastlings submit`), grades them with the
# kit's hidden tests and writes $AUTOGRADER_ROOT/results/results.json. Each path can be overridden, so the
# script also runs on a laptop: AUTOGRADER_ROOT, GRADER_KIT, GRADER_PYTHON, and GRADE_ARGS (extra `grade`
# options, e.g. "--timeout 120").
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
KIT="${GRADER_KIT:-$ROOT/source/kit}"
PYTHON="${GRADER_PYTHON:-$ROOT/venv/bin/python}"
SUBMISSION="$ROOT/submission"
RESULTS="$ROOT/results"
# When students see each question's result, chosen at export (grade export gradescope --visibility).
VISIBILITY="@VISIBILITY@"
# The assignment's questions and points, chosen at export (grade export gradescope --assignment).
ASSIGNMENT_ARGS="@ASSIGNMENT_ARGS@"

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
    (cd "$WORK" && "$PYTHON" -m grader run "$WORK/exercises" --json $ASSIGNMENT_ARGS ${GRADE_ARGS:-} \\
        > "$WORK/grade.json" 2>> "$WORK/errors.txt") || true
fi

"$PYTHON" -m grader.exports gradescope-results "$WORK/grade.json" "$RESULTS/results.json" "$WORK/errors.txt" \\
    --visibility "$VISIBILITY"
cat "$WORK/errors.txt" >&2
"""


def _question_output(question: dict[str, Any]) -> str:
    """What a student reads under one question: the verdict, the test count, the first failures, the flags."""
    counts = f"{question['tests_passed']}/{question['tests_total']} tests passed"
    if question.get("tests_skipped"):
        counts += f" ({question['tests_skipped']} skipped)"
    status = str(question["status"]).replace("_", " ")
    lines = [f"{status}: {counts}"]
    if question.get("message"):
        lines.append(truncate(question["message"], MAX_MESSAGE_CHARS))
    elif question["status"] not in ("passed", "failed") and question.get("reason"):
        lines.append(truncate(question["reason"], MAX_MESSAGE_CHARS))
    failures = question.get("failures") or []
    for failure in failures[:MAX_FAILURES_SHOWN]:
        lines.append(f"- {failure['test']}: {truncate(failure['message'], MAX_MESSAGE_CHARS)}")
    if len(failures) > MAX_FAILURES_SHOWN:
        lines.append(f"... and {len(failures) - MAX_FAILURES_SHOWN} more failing tests")
    for flag in question.get("flags") or []:
        lines.append(f"integrity flag (a person will read this code; the score is unchanged): {flag}")
    return "\n".join(lines)


def _gradescope_test(question: dict[str, Any], visibility: str) -> dict[str, Any]:
    return {
        "name": f"{question['id']} · {question['title']}",
        "number": str(int(question["id"][1:])),
        "score": float(question["points"]),
        "max_score": float(question["max_points"]),
        "status": "passed" if question["status"] == "passed" else "failed",
        "output": _question_output(question),
        "visibility": visibility,
    }


def _summary(report: dict[str, Any], tests: list[dict[str, Any]], visibility: str, warnings: Iterable[str]) -> str:
    """The top-level output: always visible, so it never names a hidden test; flags and warnings go here too."""
    score = round(sum(t["score"] for t in tests), 2)
    max_score = round(sum(t["max_score"] for t in tests), 2)
    passed = sum(1 for t in tests if t["status"] == "passed")
    if visibility == "visible":
        lines = [f"{score:g}/{max_score:g} points: {passed} of {counted(len(tests), 'question')} passed."]
    else:
        lines = [f"Graded {counted(len(tests), 'question')}: {_WHEN_SHOWN[visibility]}"]
    flagged = [(q["id"], flag) for q in report["questions"] for flag in q.get("flags") or []]
    if flagged:
        lines.append("Integrity flags (a person will read this code; flags never change a score):")
        lines.extend(f"- {qid}: {truncate(flag, MAX_MESSAGE_CHARS)}" for qid, flag in flagged)
    notes = list(dict.fromkeys(w.removeprefix("warning: ").strip() for w in (*report.get("warnings", ()), *warnings)))
    lines.extend(f"warning: {truncate(note, MAX_MESSAGE_CHARS)}" for note in notes if note)
    return "\n".join(lines)


def gradescope_results(
    report: dict[str, Any], visibility: str = DEFAULT_VISIBILITY, warnings: Iterable[str] = ()
) -> dict[str, Any]:
    """Turn one submission of ``grade --json`` into Gradescope's results.json: one Gradescope test per question.

    The total is the sum of the tests' scores, so that Gradescope's own sum and ours can never disagree.
    ``warnings`` are grading warnings from stderr (e.g. files changed after ``fastlings submit``). ``report``
    may be either shape of ``grade --json`` (see ``one_submission``).
    """
    report = one_submission(report)
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}")
    tests = [_gradescope_test(q, visibility) for q in report["questions"]]
    return {
        "score": round(sum(t["score"] for t in tests), 2),
        "execution_time": round(float(report.get("duration_s", 0.0))),
        "output": _summary(report, tests, visibility, warnings),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def gradescope_failure(reason: str) -> dict[str, Any]:
    """A results.json for a submission that could not be graded: Gradescope shows the reason, not a crash."""
    return {
        "score": 0.0,
        "output": "This submission could not be graded.\n" + truncate(reason, MAX_ERROR_CHARS),
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
    for name in _ROOT_FILES:
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


def write_gradescope(
    out: Path, visibility: str = DEFAULT_VISIBILITY, questions: tuple[Question, ...] | None = None
) -> Path:
    """Write a Gradescope autograder zip to ``out`` (a new ``.zip``); never overwrites anything.

    At the zip's root, as Gradescope requires: ``setup.sh``, ``run_autograder`` and the kit in ``kit/``, which
    Gradescope extracts to ``/autograder/source/kit``. ``visibility`` is when students see each question;
    ``questions`` the assignment's questions at its points (None: every question at the catalogue's).
    """
    refuse_existing(out)
    if out.suffix.lower() != ".zip":
        raise ExportError(f"{out} must end in .zip: Gradescope takes the autograder as a zip file")
    if visibility not in VISIBILITIES:
        raise ExportError(f"--visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}")
    needed = [(kit_root() / name, name) for name in _ROOT_FILES if name != "README.md"]
    for path, name in (*needed, (hidden_tests_dir(), "tests/hidden")):
        if not path.exists():
            raise ExportError(f"{path} is missing: export from a kit checkout (it needs {name})")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(out, "x", compression=zipfile.ZIP_DEFLATED)  # "x": fails if out appeared since
    except FileExistsError as exc:
        raise ExportError(f"{out} already exists: exports are never written over existing files") from exc
    try:
        with archive:
            _zip_member(archive, "setup.sh", _SETUP, _SCRIPT_MODE)
            run = _RUN.replace("@VISIBILITY@", visibility).replace("@ASSIGNMENT_ARGS@", assignment_args(questions))
            _zip_member(archive, "run_autograder", run, _SCRIPT_MODE)
            for path, name in _kit_files():
                _zip_member(archive, f"kit/{name}", path.read_bytes(), _FILE_MODE)
    except BaseException:
        out.unlink(missing_ok=True)  # no half-written autograder left behind
        raise
    return out
