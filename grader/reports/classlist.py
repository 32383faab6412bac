"""Reports over a batch: the class table for the terminal, the class JSON, CSV and JUnit XML."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree as ET

import click

from grader.book.gradebook import StoredSubmission
from grader.book.results import STATUS_SYMBOLS
from grader.kit.catalogue import Question
from grader.reports.review_parts import any_reviewed, review_properties, reviewed_text
from grader.reports.summary import class_mean, incomplete_note
from grader.reports.table import STATUS_COLOURS, elapsed_text, render_sandbox, render_table, status_label
from grader.text.safetext import printable, spreadsheet_cell
from grader.text.words import counted

# How a later run recognises a report it may replace (nothing else is ever written over).
CSV_SIGNATURE = "student,"
JUNIT_SIGNATURE = 'name="fastapi-interview-kit"'

__all__ = [
    "CSV_SIGNATURE",
    "JUNIT_SIGNATURE",
    "UNGRADED_SYMBOL",
    "flag_summary",
    "grid_legend",
    "render_class_csv",
    "render_class_table",
    "render_junit",
    "status_grid",
    "submission_notes",
]


# A question a submission has no result for yet (its grading stopped or still runs): not a status of its own.
UNGRADED_SYMBOL = "?"
INCOMPLETE = "incomplete"
# What a time taken from a file on this disk is worth: a copy (cp -r, a download) gives it the copy's time.
FILE_TIME = "a file time on this disk: a copy dates it anew, check it against your platform's record"


def _fmt(value: float) -> str:
    return f"{value:g}"


def flag_summary(sub: StoredSubmission) -> str:
    """``integrity flags: q02, q07`` when a static read flagged code worth a human look (never a score)."""
    flagged = [q.id for q in sub.result.questions if q.flags]
    return f"integrity flags: {', '.join(flagged)}" if flagged else ""


def misnamed_note(sub: StoredSubmission) -> str:
    """``q03: a file named q03.py was found instead: rename it ..., or ... --map q03=q03.py`` for each question that
    is missing only because its file has another name: shown without -v, since it is the one thing to fix."""
    return "; ".join(
        f"{q.id}: {q.message}" for q in sub.result.questions if q.status == "missing" and q.message.startswith("a file")
    )


def time_source_text(sub: StoredSubmission) -> str:
    """Where the submission's time comes from, in words ('' when no time is known)."""
    if not sub.submitted_at:
        return ""
    return {
        "manifest": "the time fastlings submit wrote",
        "teacher": "the time you gave (--submission-times)",
        "file": FILE_TIME,
    }.get(sub.time_source, "")


def late_note(sub: StoredSubmission) -> str:
    """``late by 1 d 2 h, -20% (submitted ...; 60% before)`` when the submission came after its due date; the time
    is said to be a file time when it is one."""
    if not sub.lateness or not sub.lateness.late:
        return ""
    text = f"{sub.lateness.describe()} (submitted {sub.lateness.submitted_at}, due {sub.lateness.due}"
    if sub.time_source == "file":
        text += f"; {FILE_TIME}"
    return text + (f"; {sub.result.percent:g}% before the penalty)" if sub.lateness.penalty_percent else ")")


def submission_notes(sub: StoredSubmission) -> list[str]:
    """What a reader must know beside the score: the problem, an unfinished grading, lateness, warnings, flags."""
    notes = (sub.problem, incomplete_note(sub), late_note(sub), *sub.warnings, misnamed_note(sub), flag_summary(sub))
    return [note for note in notes if note]


def _note(sub: StoredSubmission) -> str:
    return printable("; ".join(submission_notes(sub)))


def status_grid(sub: StoredSubmission, questions: tuple[Question, ...]) -> str:
    """One coloured symbol per question, in catalogue order: the class's state at a glance."""
    by_id = {q.id: q for q in sub.result.questions}
    cells = []
    for question in questions:
        result = by_id.get(question.id)
        if result is None and question.id in sub.ungraded:
            cells.append(click.style(UNGRADED_SYMBOL, fg="yellow"))
            continue
        status = result.status if result else "missing"
        cells.append(click.style(STATUS_SYMBOLS[status], fg=STATUS_COLOURS[status]))
    return "".join(cells)


def grid_legend(ungraded: bool = False) -> str:
    """The grid's symbols; ``ungraded`` adds the one for a question not graded yet."""
    legend = "  ".join(f"{symbol} {status_label(status)}" for status, symbol in STATUS_SYMBOLS.items())
    return legend + (f"  {UNGRADED_SYMBOL} not graded yet" if ungraded else "")


def render_class_table(
    submissions: list[StoredSubmission],
    questions: tuple[Question, ...],
    verbose: bool = False,
    elapsed_s: float | None = None,
) -> str:
    """One row per student with a per-question status grid; ``-v`` adds each student's question table.

    A student whose grading is not finished shows ``incomplete`` rather than a score. The footer gives the class
    mean (``reports.summary``) and, after a run, its wall-clock time (``elapsed_s``).
    """
    headers = ("student", "score", "percent", "passed", "questions", "note")
    rows = []
    for sub in submissions:
        r = sub.result
        passed = sum(q.passed for q in r.questions)
        asked = len(r.questions) + len(sub.ungraded)
        rows.append(
            (
                printable(sub.name),
                INCOMPLETE if sub.incomplete else f"{_fmt(sub.final_score)}/{_fmt(r.max_score)}",
                "-" if sub.incomplete else f"{sub.final_percent:g}%",
                f"{passed}/{asked}",
                "",  # the grid: styled, so padded by its known width below
                _note(sub),
            )
        )
    if any_reviewed(submissions):  # the human review (issue 22): questions reviewed, recommendation
        headers = (*headers, "reviewed")
        rows = [(*row, reviewed_text(sub)) for row, sub in zip(rows, submissions, strict=True)]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    widths[4] = max(len(headers[4]), len(questions))
    numbers = "".join(str(q.number % 10) for q in questions)  # the units digit: 1234567890123...
    lines = [click.style("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), bold=True)]
    lines.append(" " * (sum(widths[:4]) + 8) + click.style(numbers, dim=True))
    for sub, row in zip(submissions, rows, strict=True):
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=True)]
        cells[4] = status_grid(sub, questions) + " " * (widths[4] - len(questions))
        if sub.problem or sub.warnings or flag_summary(sub) or sub.incomplete:
            cells[5] = click.style(cells[5], fg="magenta" if sub.problem else "yellow")
        lines.append("  ".join(cells).rstrip())
    if submissions:
        lines.append(click.style(grid_legend(any(s.incomplete for s in submissions)), dim=True))
        summary = class_mean(submissions)
        lines.append("")
        sandbox_line = render_sandbox(class_sandbox(submissions))
        if sandbox_line:
            lines.append(sandbox_line)
        lines.append(click.style(f"{counted(len(submissions), 'submission')}; {summary.sentence()}", bold=True))
        if summary.incomplete:
            lines.append(
                click.style(
                    f"{counted(summary.incomplete, 'submission')} incomplete: some questions are not graded yet"
                    " (a run was stopped or still runs); run the same grading again to finish",
                    fg="yellow",
                )
            )
    if elapsed_s is not None:
        lines.append(f"time: {elapsed_text(elapsed_s)} elapsed")
    if verbose:
        for sub in submissions:
            lines += ["", click.style(f"== {printable(sub.name)} ==", bold=True)]
            lines.append(
                render_table(sub.result, verbose=True, notes=tuple(submission_notes(sub)), ungraded=sub.ungraded)
            )
    return "\n".join(lines)


def class_sandbox(submissions: list[StoredSubmission]) -> dict[str, list[str]]:
    """The layers active for every graded question of every submission; the rest are missing somewhere."""
    reports = [s.result.sandbox for s in submissions if s.result.sandbox["active"] or s.result.sandbox["missing"]]
    if not reports:
        return {"active": [], "missing": []}
    active = set.intersection(*(set(r["active"]) for r in reports))
    every = [layer for r in reports for layer in (*r["active"], *r["missing"])]
    ordered = list(dict.fromkeys(every))
    return {"active": [x for x in ordered if x in active], "missing": [x for x in ordered if x not in active]}


def render_class_csv(submissions: list[StoredSubmission], questions: tuple[Question, ...]) -> str:
    """One row per student: points per question, the totals, then each question's status and the notes.

    The status columns say why a zero is a zero (``not_attempted``, ``missing``, ``error``...); ``reasons``
    gives each unpassed question's reason in one cell, and ``notes`` the submission's problem, its
    warnings (files changed after submit) and its integrity flags.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "student",
            *(q.id for q in questions),
            "score",
            "max_score",
            "percent",
            *(f"{q.id}_status" for q in questions),
            "reasons",
            "notes",
            "submitted_at",
            "penalty_percent",
            "final_score",
            "final_percent",
            "time_source",
        ]
    )
    for sub in submissions:
        by_id = {q.id: q for q in sub.result.questions}
        r = sub.result
        max_score = r.max_score or sum(q.points for q in questions)
        reasons = "; ".join(f"{q.id} {by_id[q.id].reason}" for q in questions if q.id in by_id and by_id[q.id].reason)
        if sub.incomplete:  # no number of a half-graded submission is its score
            max_score = round(sum(q.points for q in questions), 2)
            totals: list[object] = [INCOMPLETE, _fmt(max_score), INCOMPLETE]
            finals: list[object] = [INCOMPLETE, INCOMPLETE]
        else:
            totals, finals = [_fmt(r.score), _fmt(max_score), r.percent], [_fmt(sub.final_score), sub.final_percent]
        writer.writerow(
            [
                spreadsheet_cell(printable(sub.name)),
                *(_question_points(sub, by_id, q.id) for q in questions),
                *totals,
                *(_question_status(sub, by_id, q.id) for q in questions),
                spreadsheet_cell(printable(reasons)),
                spreadsheet_cell(_note(sub)),
                spreadsheet_cell(printable(sub.submitted_at)),
                _fmt(sub.lateness.penalty_percent if sub.lateness else 0.0),
                *finals,
                sub.time_source if sub.submitted_at else "",
            ]
        )
    return buffer.getvalue()


def _question_points(sub: StoredSubmission, by_id: dict, question_id: str) -> str:
    if question_id in by_id:
        return _fmt(by_id[question_id].points)
    return "" if question_id in sub.ungraded else _fmt(0.0)


def _question_status(sub: StoredSubmission, by_id: dict, question_id: str) -> str:
    if question_id in by_id:
        return by_id[question_id].status
    return "not_graded" if question_id in sub.ungraded else "missing"


def render_junit(submissions: list[StoredSubmission]) -> str:
    """JUnit XML: a test suite per submission, a test case per question (CI systems display these natively).

    Each suite's properties carry its score, maximum, percent and final (after any late penalty) score and
    percent, or ``incomplete`` for a submission not fully graded, and the class mean (the same in every suite:
    the root element of JUnit XML holds suites only).
    """
    root = ET.Element("testsuites", name="fastapi-interview-kit")
    mean = class_mean(submissions).sentence()
    for sub in submissions:
        questions = sub.result.questions
        failures = sum(q.status in ("failed", "missing", "not_attempted") for q in questions)
        errors = sum(q.status in ("error", "timeout") for q in questions) + (1 if sub.problem else 0)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=printable(sub.name),
            tests=str(len(questions) + len(sub.ungraded) or 1),
            failures=str(failures),
            errors=str(errors),
            time=f"{sub.result.duration_s:.2f}",
        )
        if sub.ungraded:
            suite.set("skipped", str(len(sub.ungraded)))
        properties = ET.SubElement(suite, "properties")
        for name, value in review_properties(sub):  # the human review (issue 22)
            ET.SubElement(properties, "property", name=name, value=value)
        for name, value in _score_properties(sub):
            ET.SubElement(properties, "property", name=name, value=value)
        ET.SubElement(properties, "property", name="class.mean", value=mean)
        sandbox = sub.result.sandbox
        ET.SubElement(properties, "property", name="sandbox.active", value=",".join(sandbox["active"]))
        ET.SubElement(properties, "property", name="sandbox.missing", value=",".join(sandbox["missing"]))
        for warning in sub.warnings:
            ET.SubElement(properties, "property", name="warning", value=printable(warning))
        if late_note(sub):
            ET.SubElement(properties, "property", name="late", value=printable(late_note(sub)))
        for q in questions:
            for flag in q.flags:
                ET.SubElement(properties, "property", name=f"integrity.{q.id}", value=printable(flag))
        if sub.problem:
            case = ET.SubElement(suite, "testcase", classname=printable(sub.name), name="submission")
            ET.SubElement(case, "error", message=printable(sub.problem))
        for qid in sub.ungraded:
            case = ET.SubElement(suite, "testcase", classname=printable(sub.name), name=qid)
            ET.SubElement(case, "skipped", message="not graded yet: the submission is incomplete")
        for q in questions:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=printable(f"{sub.name}.{q.level}"),
                name=f"{q.id}_{q.slug}",
                time=f"{q.duration_s:.2f}",
            )
            summary = (
                f"{q.status}: {q.tests_passed}/{q.tests_total} tests, {_fmt(q.points)}/{_fmt(q.max_points)} points"
            )
            if q.status in ("failed", "missing", "not_attempted"):
                detail = "\n".join(printable(f"{f.test}: {f.message}") for f in q.failures)
                ET.SubElement(case, "failure", message=summary).text = detail or printable(q.reason)
            elif q.status in ("error", "timeout"):
                ET.SubElement(case, "error", message=summary).text = printable(q.message)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _score_properties(sub: StoredSubmission) -> list[tuple[str, str]]:
    """The score a JUnit suite carries: grade's own numbers, or ``incomplete`` while questions are not graded."""
    r = sub.result
    if sub.incomplete:
        return [(name, INCOMPLETE) for name in ("score", "percent", "final_score", "final_percent")] + [
            ("incomplete", ",".join(sub.ungraded))
        ]
    return [
        ("score", _fmt(r.score)),
        ("max_score", _fmt(r.max_score)),
        ("percent", f"{r.percent:g}"),
        ("final_score", _fmt(sub.final_score)),
        ("final_percent", f"{sub.final_percent:g}"),
    ]
