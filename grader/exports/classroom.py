"""The GitHub Classroom export: a workflow that grades each push once and reports the kit's own score.

How Classroom's current autograding records points (``classroom-resources/autograding-grading-reporter``):
each grading step leaves a base64 JSON result in a step output; the reporter step reads one per *runner*
from the environment variable ``<RUNNER ID>_RESULTS`` and hands Classroom the sum of every test's ``score``
over the runners whose ``max_score`` is non-zero, out of the sum of those ``max_score`` values. A test's
score may be fractional, so Classroom can record exactly what ``grade`` computes.

The older ``education/autograding`` action (``autograding.json``) and the per-command graders award a
test's points only when its command exits 0: with one test per question a question earned all or nothing
(44/67 where ``grade`` gave 49.12/67), and the workflow graded every push twice (once for the report, once
more question by question). Here one step runs ``grade --json`` once and ``classroom_results`` turns its
report into one runner per question, each holding one entry per hidden test that counted, so the reporter's
log shows each question's share of passed tests, and the entries' scores add up to ``grade``'s points.

The only approximation left is float arithmetic: the reporter adds the scores one by one as JavaScript
doubles, which can give 49.120000000000005 for 49.12. ``settle_total`` nudges the last scoring entry by a
few units in the last place so that the reporter's running sum lands exactly on ``grade``'s total.

This module is what runs in the workflow, on every push; the workflow and its README, written once by `grade
export github-classroom`, are ``classroom_workflow``'s (their names re-exported here).
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from grader.exports.classroom_workflow import GRADE_STEP_ID, REPORTER, workflow_text, write_github_classroom
from grader.exports.common import load_report, one_submission, truncate
from grader.kit.catalogue import Question, load_catalogue

__all__ = [
    "GRADE_STEP_ID",
    "REPORTER",
    "classroom_results",
    "github_output",
    "settle_total",
    "workflow_text",
    "write_classroom_outputs",
    "write_github_classroom",
]

MAX_NAME_CHARS = 160
# Steps past this many ulps away from grade's total would mean a wrong sum, not float rounding.
_MAX_ULPS = 256


def _points(value: float) -> int | float:
    """A catalogue value as JSON shows it best: ``3``, not ``3.0``; ``2.25`` as it is."""
    return int(value) if float(value).is_integer() else float(value)


def _entry(name: str, passed: bool, score: float = 0.0, message: str = "", test_code: str = "") -> dict[str, Any]:
    """One test of a runner's result, with every key the reporter reads (a missing line_no prints 'undefined')."""
    return {
        "name": truncate(name, MAX_NAME_CHARS),
        "status": "pass" if passed else "fail",
        "score": score,
        "message": message,
        "test_code": test_code,
        "filename": "",
        "line_no": 0,
        "duration": 0,
    }


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _question_entries(question: dict[str, Any], label: str) -> list[dict[str, Any]]:
    """One entry per hidden test that counted: passed ones first (the first carries the question's points)."""
    countable = int(question["tests_total"]) - int(question.get("tests_skipped") or 0)
    passed = int(question["tests_passed"])
    points = float(question["points"])
    status = str(question["status"])
    if status not in ("passed", "failed", "timeout") or countable <= 0:
        # grade's own one-line reason when it gives one ("missing: a file named q03.py was found..."), else ours.
        said = _first_line(str(question.get("message") or ""))
        reason = question.get("reason") or (f"{status.replace('_', ' ')}: {said}" if said else status.replace("_", " "))
        return [_entry(f"{label}: {_first_line(reason)}", False, points)]
    entries = [
        _entry(f"{label}: hidden test passed ({i} of {passed})", True, points if i == 1 else 0.0)
        for i in range(1, passed + 1)
    ]
    failures = [f for f in question.get("failures") or [] if f.get("test") != "(timeout)"][: countable - passed]
    for failure in failures:
        message = str(failure.get("message", ""))
        entries.append(_entry(f"{label}: {failure['test']}: {_first_line(message)}", False, message=message))
    unfinished = countable - passed - len(failures)
    why = _first_line(str(question.get("message") or "")) or "did not pass"
    entries.extend(_entry(f"{label}: hidden test {why}", False) for _ in range(unfinished))
    if entries and not entries[0]["score"] and points:
        entries[0]["score"] = points  # cannot happen with the kit's scoring; never lose points if it does
    for entry in entries:
        if entry["status"] == "fail":
            entry["test_code"] = f"grade exercises -q {question['id']} -v"
            break
    return entries


def _js_sum(values: Iterable[float]) -> float:
    """Add as the reporter does (JavaScript numbers are IEEE doubles, added left to right)."""
    total = 0.0
    for value in values:
        total += value
    return total


def settle_total(results: dict[str, dict[str, Any]], target: float) -> None:
    """Make the reporter's running sum of the scores equal ``target`` exactly, in place.

    The last scoring entry takes the difference (a few ulps): after it only zeros are added, and adding zero
    is exact. Runners with a zero ``max_score`` are skipped, as the reporter skips them.
    """
    entries = [t for r in results.values() if r["max_score"] for t in r["tests"]]
    scores = [float(t["score"]) for t in entries]
    if _js_sum(scores) == target:
        return
    last = max((i for i, score in enumerate(scores) if score), default=len(scores) - 1)
    if last < 0:
        return
    prefix = _js_sum(scores[:last])
    candidate = target - prefix
    for direction in (math.inf, -math.inf):
        probe = candidate
        for _ in range(_MAX_ULPS):
            if prefix + probe == target:
                entries[last]["score"] = probe
                return
            probe = math.nextafter(probe, direction)


def classroom_results(
    report: dict[str, Any] | None,
    questions: tuple[Question, ...] | None = None,
    fail_under: float = 100.0,
    problem: str = "",
) -> dict[str, dict[str, Any]]:
    """The reporter's result for each runner (one per question, by id), from one submission's report.

    ``report`` is either shape of ``grade --json``; None means grading produced no report: every question then
    says why (``problem``) and scores 0. A runner's status is ``fail`` (the reporter turns the run red) for a
    question that did not pass while the submission is below ``fail_under`` percent, ``error`` when nothing
    could be graded.
    """
    questions = questions or load_catalogue()
    report = one_submission(report) if report is not None else None
    graded = {q["id"]: q for q in report["questions"]} if report is not None else {}
    below = report is None or _exact_percent(report) < fail_under
    results: dict[str, dict[str, Any]] = {}
    for question in questions:
        label = f"{question.id} · {question.title}"
        found = graded.get(question.id)
        if found is None:
            why = problem if report is None else "not graded (not in the report)"
            tests = [_entry(f"{label}: {_first_line(why) or 'not graded'}", False)]
            status = "error" if report is None else "fail"
        else:
            tests = _question_entries(found, label)
            status = "pass" if found["status"] == "passed" or not below else "fail"
        results[question.id] = {"version": 1, "status": status, "max_score": _points(question.points), "tests": tests}
    if report is not None:
        total = float(report["score"])
        difference = round(total - sum(float(q["points"]) for q in report["questions"]), 6)
        if abs(difference) > 0.005 + 1e-9 and results:
            # grade's total is not the plain sum of its questions (e.g. a late penalty): say so, keep it equal.
            last = results[questions[-1].id]["tests"]
            last.append(_entry(f"adjustment to grade's total ({difference:+g} points)", difference >= 0, difference))
        settle_total(results, total)
    return results


def _exact_percent(report: dict[str, Any]) -> float:
    """The submission's percent, unrounded (the report's ``percent`` is rounded to one decimal): 39.17% is below
    a threshold of 39.2. An incomplete report (no score) counts as nothing."""
    score, max_score = report.get("score"), report.get("max_score")
    if score is None or not max_score:
        return 0.0
    return 100.0 * float(score) / float(max_score)


def github_output(results: dict[str, dict[str, Any]]) -> str:
    """``name=value`` lines for ``$GITHUB_OUTPUT``: each runner's result as one-line base64 JSON."""
    lines = []
    for runner, result in results.items():
        encoded = base64.b64encode(json.dumps(result, ensure_ascii=False).encode()).decode("ascii")
        lines.append(f"{runner}={encoded}\n")
    return "".join(lines)


def _log_table(report: dict[str, Any] | None, problem: str) -> str:
    """What the grading step prints in the Actions log: grade's own points per question and the total."""
    if report is None:
        return f"could not grade this push: {problem or 'grade wrote no report'}"
    lines = []
    for q in report["questions"]:
        tests = f"{q['tests_passed']}/{q['tests_total']} tests"
        points = f"{float(q['points']):g}/{float(q['max_points']):g}"
        lines.append(f"{q['id']}  {str(q['status']).replace('_', ' '):<13} {points:>9}  {tests}")
    lines.append(
        f"total {float(report['score']):g}/{float(report['max_score']):g} points ({report.get('percent', 0):g}%),"
        " reported to GitHub Classroom"
    )
    return "\n".join(lines)


def write_classroom_outputs(
    report_path: Path,
    output_path: Path,
    fail_under: float = 100.0,
    errors_path: Path | None = None,
    questions: tuple[Question, ...] | None = None,
) -> str:
    """Read ``grade --json``'s report, append the runners' results to ``$GITHUB_OUTPUT``; return the log text.

    A missing or unreadable report (grade refused the folder, crashed, was killed) still gives Classroom a
    result for every question, saying why, so the run never ends without a grade.
    """
    problem = ""
    if errors_path is not None and errors_path.is_file():
        lines = errors_path.read_text(encoding="utf-8", errors="replace").splitlines()
        problem = next((line for line in lines if line.startswith("error") or "Error" in line), "")
        problem = problem or next((line for line in lines if line.strip()), "")
    try:
        report: dict[str, Any] | None = load_report(report_path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        report, problem = None, problem or f"grade wrote no usable report ({exc})"
    results = classroom_results(report, questions, fail_under=fail_under, problem=problem)
    with output_path.open("a", encoding="utf-8") as handle:
        handle.write(github_output(results))
    return _log_table(report, problem)
