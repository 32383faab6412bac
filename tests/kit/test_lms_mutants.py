"""The LMS grade CSVs and their options, whole: late work, custom items, maxima, refusals and the atomic write.

Written against the mutants of ``grader/reports/lms.py`` that ``tests/kit/test_lms.py`` let through (``python
bench/mutation.py -m reports.lms``). Submissions are built in memory; no grading, no gradebook.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from grader.book.gradebook import StoredSubmission
from grader.book.lateness import Lateness
from grader.book.results import QuestionResult, SubmissionResult
from grader.kit.catalogue import Question
from grader.reports.lms import (
    DEFAULT_ITEM,
    LmsCsvError,
    lms_destination,
    lms_options,
    render_canvas_csv,
    render_lms_csv,
    render_moodle_csv,
    write_lms_reports,
)

BOM = "\ufeff"
Q1 = Question("q01", "first", "First", "basic", 1.125, ("h",))
Q2 = Question("q02", "second", "Second", "intermediate", 2.0, ("h",))
LATE = Lateness("2026-12-02T00:00:00+00:00", "2026-12-01T00:00:00+00:00", 86400.0, 10.0)
ON_TIME = Lateness("2026-11-30T00:00:00+00:00", "2026-12-01T00:00:00+00:00", 0.0, 0.0)


def _sub(name: str, points: tuple[float, ...], **extra: object) -> StoredSubmission:
    questions = tuple(
        QuestionResult(
            q.id, q.slug, q.title, q.level, "passed" if p == q.points else "failed", p, q.points, 1, 1, 0, 0.1
        )
        for q, p in zip((Q1, Q2), points, strict=False)
    )
    result = SubmissionResult(name, questions, 0.2)
    return StoredSubmission(1, name, "h", "k", f"/c/{name}", "", (), "t", result, **extra)  # type: ignore[arg-type]


def test_late_work_is_scored_after_its_penalty_and_says_so() -> None:
    late = _sub("lea", (1.125, 2.0), lateness=LATE)
    punctual = _sub("pat", (1.125, 1.0), lateness=ON_TIME)
    assert render_canvas_csv([late, punctual], (Q1, Q2)) == (
        f"{BOM}Student,ID,SIS User ID,SIS Login ID,Section,{DEFAULT_ITEM}\r\n"
        "Points Possible,,,,,3.12\r\n"  # 3.125 rounded to two decimals
        "lea,,,lea,,2.81\r\n"
        "pat,,,pat,,2.12\r\n"
    )
    assert render_moodle_csv([late, punctual]) == (
        f"{BOM}ID number,{DEFAULT_ITEM} (Real),{DEFAULT_ITEM} (Feedback)\r\n"
        'lea,2.81,"3.12/3.12 points (100%), 2 of 2 questions passed; late by 1 d, -10%: 2.81 points after the'
        ' late policy"\r\n'
        'pat,2.12,"2.12/3.12 points (67.9%), 1 of 2 questions passed"\r\n'
    )


def test_every_note_goes_in_the_feedback_in_order() -> None:
    flagged = QuestionResult("q02", "second", "Second", "intermediate", "failed", 0.5, 2.0, 1, 4, 0, 0.1, flags=("x",))
    also = QuestionResult("q03", "third", "Third", "basic", "failed", 0.0, 1.0, 0, 4, 0, 0.1, flags=("y", "z"))
    sub = StoredSubmission(
        2,
        "=bob",
        "h",
        "k",
        "/c/bob",
        "bob.zip: cut short",
        ("files changed after submit: q02_second.py", "not on the roster"),
        "t",
        SubmissionResult("=bob", (flagged, also), 0.1),
        lateness=LATE,
    )
    assert render_moodle_csv([sub], None, item="Week 3") == (
        f"{BOM}ID number,Week 3 (Real),Week 3 (Feedback)\r\n"
        "'=bob,0.45,\"0.5/3 points (16.7%), 0 of 2 questions passed; late by 1 d, -10%: 0.45 points after the late"
        " policy; not graded: bob.zip: cut short; files changed after submit: q02_second.py; not on the roster;"
        ' integrity flags (a person reads the code; scores unchanged): q02, q03"\r\n'
    )


def test_the_maximum_without_questions_is_the_largest_submission_s() -> None:
    small, large = _sub("ann", (1.125,)), _sub("bob", (0.0, 2.0))
    three = (Q1, Q2, Question("q03", "third", "Third", "advanced", 3.0, ("h",)))
    assert render_canvas_csv([small], three).splitlines()[1] == "Points Possible,,,,,6.12", "the questions asked"
    assert render_canvas_csv([small, large]).splitlines()[1] == "Points Possible,,,,,3.12"
    assert render_canvas_csv([large, small], ()).splitlines()[1] == "Points Possible,,,,,3.12"
    assert render_canvas_csv([], item="=SUM(A1)") == (
        f"{BOM}Student,ID,SIS User ID,SIS Login ID,Section,'=SUM(A1)\r\nPoints Possible,,,,,0\r\n"
    )


def test_the_renderer_is_chosen_by_name() -> None:
    subs = [_sub("ann", (1.125, 2.0))]
    assert render_lms_csv("canvas", subs, (Q1,)) == render_canvas_csv(subs, (Q1,))
    assert render_lms_csv("moodle", subs) == render_moodle_csv(subs)
    with pytest.raises(KeyError):
        render_lms_csv("blackboard", subs)


# ------------------------------------------------------------------------------------ where it is written


def test_no_option_is_no_report_and_one_alone_is_refused(tmp_path: Path) -> None:
    assert lms_destination(None, None) == {}
    for lms, path in (("canvas", None), (None, tmp_path / "g.csv")):
        with pytest.raises(LmsCsvError) as refused:
            lms_destination(lms, path)
        assert refused.value.message == "--lms and --lms-csv go together: e.g. --lms canvas --lms-csv grades-canvas.csv"
        assert refused.value.exit_code == 2


def test_a_file_is_replaced_only_when_an_earlier_run_wrote_it(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    assert lms_destination("moodle", path) == {"moodle": path}
    for lms in ("canvas", "moodle"):
        path.write_text(render_lms_csv(lms, [_sub("ann", (1.125,))]), encoding="utf-8", newline="")
        assert lms_destination("canvas", path) == {"canvas": path}, f"{lms}'s own file"
    path.write_bytes(b"\xef\xbb\xbfStudent,ID,SIS User ID,SIS Login ID,Section,FastAPI interview kit\n")
    assert lms_destination("moodle", path) == {"moodle": path}, "line ends do not matter"
    for near in (" \r\n", "\t\n", ",XX\r\n"):
        path.write_text(f"{BOM}Student,ID,SIS User ID,SIS Login ID,Section,FastAPI interview kit{near}", newline="")
        with pytest.raises(LmsCsvError, match="exists and was not written by grade"):
            lms_destination("canvas", path)
    for foreign in ("Student,ID,SIS User ID,SIS Login ID,Section,FastAPI interview kit\r\n", "my grades\r\n", ""):
        path.write_text(foreign, encoding="utf-8", newline="")
        with pytest.raises(LmsCsvError) as refused:
            lms_destination("canvas", path)
        assert refused.value.message == f"{path} exists and was not written by grade: choose a new file"
    path.write_bytes(b"\xff\xfe not utf-8\r\n")
    with pytest.raises(LmsCsvError, match="exists and was not written by grade"):
        lms_destination("canvas", path)
    with pytest.raises(LmsCsvError) as refused:
        lms_destination("canvas", tmp_path)
    assert refused.value.message == f"{tmp_path} cannot be read (Is a directory): choose a new file"


def test_reports_are_written_whole_and_nothing_is_left_beside_them(tmp_path: Path) -> None:
    subs = [_sub("ann", (1.125, 2.0))]
    canvas, moodle = tmp_path / "c.csv", tmp_path / "m.csv"
    moodle.write_text("old", encoding="utf-8")
    more = (Q1, Q2, Question("q03", "third", "Third", "advanced", 3.0, ("h",)))
    write_lms_reports(subs, more, {"csv": None, "canvas": canvas, "moodle": moodle})
    assert canvas.read_bytes() == render_canvas_csv(subs, more).encode("utf-8")
    assert canvas.read_text(encoding="utf-8").splitlines()[1] == "Points Possible,,,,,6.12"
    assert moodle.read_bytes() == render_moodle_csv(subs).encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv", "m.csv"]
    write_lms_reports(subs, (Q1,), {"canvas": None, "moodle": None})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv", "m.csv"]


def test_the_options_are_declared_once_for_both_commands(tmp_path: Path) -> None:
    @click.command()  # declared here, so that the options are made under a mutant
    @lms_options
    def _options(lms: str | None, lms_csv: Path | None, lms_unusable: str) -> None:
        click.echo(f"{lms!r} {lms_csv!r} {lms_unusable}")

    runner = CliRunner()
    assert runner.invoke(_options, []).output == "None None zero\n"
    out = tmp_path / "g.csv"
    given = ["--lms", "moodle", "--lms-csv", str(out), "--lms-unusable", "blank"]
    assert runner.invoke(_options, given).output == f"'moodle' {out!r} blank\n"
    assert runner.invoke(_options, ["--lms-unusable", "none"]).exit_code == 2
    assert runner.invoke(_options, ["--lms", "blackboard"]).exit_code == 2
    assert runner.invoke(_options, ["--lms-csv", str(tmp_path)]).exit_code == 2, "a folder is no CSV file"
    help_text = " ".join(runner.invoke(_options, ["--help"]).output.split())
    assert "--lms [canvas|moodle] The layout of --lms-csv: Canvas's or Moodle's grade import." in help_text
    assert "--lms-csv FILE Write a grade CSV that Canvas or Moodle imports (with --lms)." in help_text
