"""Export the grading to the platforms teachers already use: a Gradescope autograder and a GitHub Classroom setup.

Both exports run this same grader rather than re-implementing it, and both report ``grade``'s own score:
``grader.exports.gradescope`` writes a zip holding a copy of the kit and two scripts that install it once
(with the kit's pinned library versions) and grade each submission with ``grade --json``;
``grader.exports.classroom`` writes a workflow that grades each push once and hands Classroom's reporter one
result per question carrying the points ``grade`` gave it.

The conversions from ``grade --json`` and the search for the student's files live here, in Python, so that
the shell scripts stay short and the logic is tested like the rest of the kit. The scripts call::

    python -m grader.exports gradescope-collect SUBMISSION_DIR DEST_DIR
    python -m grader.exports gradescope-results REPORT.json RESULTS.json [ERRORS.txt] [--visibility V]
    python -m grader.exports classroom-results REPORT.json GITHUB_OUTPUT [--fail-under P] [--errors ERRORS.txt]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grader.exports.classroom import classroom_results, write_classroom_outputs, write_github_classroom
from grader.exports.common import ExportError, assignment_questions, load_report
from grader.exports.gradescope import (
    DEFAULT_VISIBILITY,
    VISIBILITIES,
    collect_submission,
    gradescope_failure,
    gradescope_results,
    write_gradescope,
)

__all__ = [
    "DEFAULT_VISIBILITY",
    "VISIBILITIES",
    "ExportError",
    "classroom_results",
    "collect_submission",
    "gradescope_failure",
    "gradescope_results",
    "main",
    "write_github_classroom",
    "write_gradescope",
]


def _write_gradescope_results(
    report_path: Path, out_path: Path, errors_path: Path | None, visibility: str = DEFAULT_VISIBILITY
) -> None:
    errors = ""
    if errors_path is not None and errors_path.is_file():
        errors = errors_path.read_text(encoding="utf-8", errors="replace").strip()
    warnings = [line for line in errors.splitlines() if line.startswith("warning:")]
    try:
        results = gradescope_results(load_report(report_path), visibility, warnings)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # Whatever went wrong, Gradescope gets a results.json that says so rather than a failed autograder.
        results = gradescope_failure(errors or f"the grader produced no report ({exc})")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader.exports", description="Steps the platforms' scripts run.")
    steps = parser.add_subparsers(dest="step", required=True)
    collect = steps.add_parser("gradescope-collect", help="copy the student's exercise files into a new folder")
    collect.add_argument("submission", type=Path)
    collect.add_argument("dest", type=Path)
    results = steps.add_parser("gradescope-results", help="write Gradescope's results.json from grade --json")
    results.add_argument("report", type=Path)
    results.add_argument("results", type=Path)
    results.add_argument("errors", type=Path, nargs="?")
    results.add_argument("--visibility", choices=VISIBILITIES, default=DEFAULT_VISIBILITY)
    classroom = steps.add_parser("classroom-results", help="append the reporter's results to $GITHUB_OUTPUT")
    classroom.add_argument("report", type=Path)
    classroom.add_argument("output", type=Path)
    classroom.add_argument("--fail-under", type=float, default=100.0)
    classroom.add_argument("--errors", type=Path, default=None)
    classroom.add_argument("-q", "--question", action="append", help="the assignment's questions (default: all)")
    classroom.add_argument("--points", action="append", help="Q=POINTS where the assignment differs")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The steps of ``run_autograder`` and of the Classroom workflow that are easier to get right in Python."""
    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exit_:  # argparse has printed the usage: bad usage is exit 2, as everywhere in the kit
        return int(exit_.code or 0)
    if args.step == "gradescope-collect":
        try:
            names = collect_submission(args.submission, args.dest)
        except (ExportError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"collected {len(names)} exercise files: {', '.join(names)}", file=sys.stderr)
        return 0
    if args.step == "gradescope-results":
        _write_gradescope_results(args.report, args.results, args.errors, args.visibility)
        return 0
    try:
        questions = assignment_questions(args.question, args.points)
        print(write_classroom_outputs(args.report, args.output, args.fail_under, args.errors, questions))
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc}", file=sys.stderr)
        return 1
    return 0
