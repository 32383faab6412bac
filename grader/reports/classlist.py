"""Reports over a batch: the class table for the terminal, the class JSON, CSV and JUnit XML."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree as ET

import click

from grader import __version__
from grader.catalogue import Question
from grader.gradebook import StoredSubmission
from grader.reports.table import render_sandbox
from grader.safetext import printable, spreadsheet_cell

# How a later run recognises a report it may replace (nothing else is ever written over).
CSV_SIGNATURE = "student,"
JUNIT_SIGNATURE = 'name="fastapi-interview-kit"'

__all__ = [
    "CSV_SIGNATURE",
    "JUNIT_SIGNATURE",
    "render_class_csv",
    "render_class_json",
    "render_class_table",
    "render_junit",
]


def _fmt(value: float) -> str:
    return f"{value:g}"


def _note(sub: StoredSubmission) -> str:
    return printable(sub.problem or "; ".join(sub.warnings))


def render_class_table(submissions: list[StoredSubmission]) -> str:
    headers = ("student", "score", "percent", "passed", "note")
    rows = []
    for sub in submissions:
        r = sub.result
        passed = sum(q.passed for q in r.questions)
        rows.append(
            (
                sub.name,
                f"{_fmt(r.score)}/{_fmt(r.max_score)}",
                f"{r.percent:g}%",
                f"{passed}/{len(r.questions)}",
                _note(sub),
            )
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = [click.style("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), bold=True)]
    for sub, row in zip(submissions, rows, strict=True):
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=True)]
        if sub.problem:
            cells[4] = click.style(cells[4], fg="magenta")
        lines.append("  ".join(cells).rstrip())
    if submissions:
        mean = sum(s.result.percent for s in submissions) / len(submissions)
        lines.append("")
        sandbox_line = render_sandbox(class_sandbox(submissions))
        if sandbox_line:
            lines.append(sandbox_line)
        lines.append(click.style(f"{len(submissions)} submissions, mean {mean:.1f}%", bold=True))
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


def submission_to_dict(sub: StoredSubmission) -> dict:
    data = sub.result.to_dict()
    data.update(
        name=sub.name,
        source=sub.source,
        content_hash=sub.content_hash,
        kit_version=sub.kit_version,
        graded_at=sub.graded_at,
        problem=sub.problem,
        warnings=list(sub.warnings),
    )
    return data


def render_class_json(submissions: list[StoredSubmission], gradebook: str) -> str:
    return json.dumps(
        {
            "kit_version": __version__,
            "gradebook": gradebook,
            "submissions": [submission_to_dict(s) for s in submissions],
        },
        indent=2,
        ensure_ascii=False,
    )


def render_class_csv(submissions: list[StoredSubmission], questions: tuple[Question, ...]) -> str:
    """One row per student, one column of points per question, then the totals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *(q.id for q in questions), "score", "max_score", "percent", "problem"])
    for sub in submissions:
        points = {q.id: q.points for q in sub.result.questions}
        r = sub.result
        max_score = r.max_score or sum(q.points for q in questions)
        writer.writerow(
            [
                spreadsheet_cell(printable(sub.name)),
                *(_fmt(points.get(q.id, 0.0)) for q in questions),
                _fmt(r.score),
                _fmt(max_score),
                r.percent,
                spreadsheet_cell(printable(sub.problem)),
            ]
        )
    return buffer.getvalue()


def render_junit(submissions: list[StoredSubmission]) -> str:
    """JUnit XML: a test suite per submission, a test case per question (CI systems display these natively)."""
    root = ET.Element("testsuites", name="fastapi-interview-kit")
    for sub in submissions:
        questions = sub.result.questions
        failures = sum(q.status in ("failed", "missing") for q in questions)
        errors = sum(q.status in ("error", "timeout") for q in questions) + (1 if sub.problem else 0)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=printable(sub.name),
            tests=str(len(questions) or 1),
            failures=str(failures),
            errors=str(errors),
            time=f"{sub.result.duration_s:.2f}",
        )
        properties = ET.SubElement(suite, "properties")
        sandbox = sub.result.sandbox
        ET.SubElement(properties, "property", name="sandbox.active", value=",".join(sandbox["active"]))
        ET.SubElement(properties, "property", name="sandbox.missing", value=",".join(sandbox["missing"]))
        if sub.problem:
            case = ET.SubElement(suite, "testcase", classname=printable(sub.name), name="submission")
            ET.SubElement(case, "error", message=printable(sub.problem))
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
            if q.status in ("failed", "missing"):
                detail = "\n".join(printable(f"{f.test}: {f.message}") for f in q.failures)
                ET.SubElement(case, "failure", message=summary).text = detail or printable(q.message)
            elif q.status in ("error", "timeout"):
                ET.SubElement(case, "error", message=summary).text = printable(q.message)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
