"""`grade similarity`: answers identical or near-identical to each other or to the solution, per question.

Small synthetic answers keep every expected number in view: a kit folder of our own (FASTAPI_KIT_ROOT) holds a
q02 stub and solution, so the reports do not move when the kit's real solutions are edited.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from grader.catalogue import find_question
from grader.cli import cli
from grader.gradebook import Gradebook
from grader.kit import exercises_dir
from grader.reports.similarity_html import render_similarity_section
from grader.results import QuestionResult, RawRun
from grader.similarity import (
    REFERENCE,
    SimilarityReport,
    SimilarPair,
    compare_question,
    graded_files,
    render_similarity_table,
)
from grader.submissions import content_hash

STUB = '''"""Q02: answer GET / with a greeting."""

from fastapi import FastAPI

app = FastAPI(title="Basic app")


# TODO: add GET / answering {"message": "Hello World"} and GET /health answering {"status": "ok"}
'''
ROUTES = """

@app.get("/")
def read_root() -> dict[str, str]:
    greeting = {"message": "Hello World"}
    return greeting


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
"""
SOLUTION = STUB + ROUTES
# The same answer with other names and strings: copydetect's filtering sees through both.
RENAMED = STUB + ROUTES.replace("read_root", "home").replace("greeting", "payload").replace("ok", "fine")
OWN_WORK = (
    STUB
    + """

@app.api_route("/", methods=["GET"])
async def root():
    return JSONResponse(content=dict(message="Hello " + "World"))


app.add_api_route("/health", lambda: {"status": "ok"}, methods=["GET"])
"""
)


def test_the_stub_s_own_text_never_counts_as_similarity() -> None:
    stub = (exercises_dir() / "q10_dependency_injection.py").read_text()  # a stub with much code of its own
    first = stub + "\n\ndef alpha(values: list[int]) -> int:\n    return sum(v * v for v in values if v > 0)\n"
    second = stub + '\n\nclass Beta:\n    """Holds a name."""\n\n    def __init__(self, name: str) -> None:\n'
    second += "        self.name = name.strip().title()\n"
    with_stub, compared = compare_question("q10", {"a": first, "b": second}, stub=stub, threshold=0)
    without_stub, _ = compare_question("q10", {"a": first, "b": second}, stub=None, threshold=0)
    assert compared == 2
    assert [(p.first, p.second, p.similarity) for p in with_stub] == [("a", "b", 0.0)]
    assert without_stub[0].similarity > 0.6, "the stub alone makes these two look alike"


def test_untouched_stubs_and_empty_files_are_not_compared() -> None:
    answers = {"ann": STUB, "ben": STUB.replace("\n", "\r\n"), "cat": "  \n", "dan": SOLUTION}
    pairs, compared = compare_question("q02", answers, stub=STUB, reference=SOLUTION, threshold=0)
    assert compared == 1
    assert pairs == [SimilarPair("q02", "dan", REFERENCE, 1.0, 1.0, True, pairs[0].overlap)]
    assert pairs[0].overlap > 0


def test_copies_with_other_names_are_near_identical_and_own_work_is_not() -> None:
    answers = {"alice": SOLUTION, "bob": RENAMED, "frank": OWN_WORK}
    pairs, compared = compare_question("q02", answers, stub=STUB, reference=SOLUTION, threshold=0.5)
    assert compared == 3
    assert [(p.first, p.second, p.similarity, p.identical) for p in pairs] == [
        ("alice", REFERENCE, 1.0, True),
        ("alice", "bob", 1.0, False),
        ("bob", REFERENCE, 1.0, False),
    ]
    everything, _ = compare_question("q02", answers, stub=STUB, reference=SOLUTION, threshold=0)
    franks = [p for p in everything if "frank" in (p.first, p.second)]
    assert len(franks) == 3 and max(p.similarity for p in franks) < 0.5


def test_repeated_code_of_the_student_s_own_is_kept_whatever_the_stub() -> None:
    # copydetect 0.5.0's own boilerplate path drops repeated fingerprints: two routes of one shape lose one.
    route = """
@app.get("/NAME/{item_id}")
def read_NAME(item_id: int, q: str | None = None):
    if q is None:
        return {"id": item_id, "q": None, "total": item_id * 2 + 1}
    return {"id": item_id, "q": q, "total": item_id * 2 + 1}
"""
    header = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    both = header + route.replace("NAME", "items") + route.replace("NAME", "users")
    one = header + route.replace("NAME", "items")
    unrelated = "import os\nimport sys\n\n\ndef elsewhere(value):\n    print('nothing shared', value, sys.argv)\n"
    unrelated += "    return [value for value in range(10) if value % 3 == 0]\n"
    answers = {"both": both, "one": one}
    plain, _ = compare_question("q02", answers, stub=None, threshold=0)
    with_stub, _ = compare_question("q02", answers, stub=unrelated, threshold=0)
    assert with_stub == plain
    assert (plain[0].first_share, plain[0].second_share) == (1.0, 1.0)
    # The same comparison through copydetect's own boilerplate argument (why grader.similarity does not use it).
    from copydetect import CodeFingerprint, compare_files

    boiler = np.unique(np.array(list(CodeFingerprint("s.py", 25, 1, fp=io.StringIO(unrelated)).hashes)))
    prints = [CodeFingerprint("x.py", 25, 1, boilerplate=boiler, fp=io.StringIO(text)) for text in (both, one)]
    _overlap, shares, _slices = compare_files(*prints)
    assert round(float(shares[0]), 3) == 0.868, "copydetect drops the repeated route although the stub lacks it"


def _kit(root: Path) -> Path:
    """A kit folder with our own q02 stub and solution (the catalogue and hidden tests stay the package's)."""
    for folder, text in (("exercises", STUB), ("solutions", SOLUTION)):
        (root / folder).mkdir(parents=True)
        (root / folder / "q02_basic_app.py").write_text(text)
    return root


def _similarity(*args: str) -> Result:
    return CliRunner().invoke(cli, ["similarity", *args])


def test_grade_similarity_reads_the_files_the_gradebook_graded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTAPI_KIT_ROOT", str(_kit(tmp_path / "kit")))
    school = tmp_path / "class"
    texts = {"alice": SOLUTION, "bob": RENAMED, "carol": STUB, "frank": OWN_WORK, "gone": SOLUTION}
    for name, text in texts.items():
        (school / name / "work").mkdir(parents=True)
        (school / name / "work" / "q02_basic_app.py").write_text(text)
    with zipfile.ZipFile(school / "bob.zip", "w") as archive:  # bob handed in a zip
        archive.write(school / "bob" / "work" / "q02_basic_app.py", "exercises/q02_basic_app.py")
    sources = {name: school / name for name in texts} | {"bob": school / "bob.zip"}
    book_path = tmp_path / "class.sqlite3"
    with Gradebook(book_path) as book:
        for name, source in sources.items():
            digest = content_hash(school / name / "work")
            book.submission_id(name, digest, "key", str(source))
        book.submission_id("erin", "", "key", str(school / "erin.zip"), problem="erin.zip is not a zip or tar archive")
    shutil.rmtree(school / "bob")
    shutil.rmtree(school / "gone")
    (school / "frank" / "work" / "q02_basic_app.py").write_text(OWN_WORK + "\n# edited later\n")

    result = _similarity("--gradebook", str(book_path), "-q", "2", "--json", "--threshold", "0.5")
    assert result.exit_code == 0, result.output
    overlap = compare_question("q02", {"a": SOLUTION, "b": RENAMED}, stub=STUB, threshold=0)[0][0].overlap
    pair = {"question": "q02", "similarity": 1.0, "first_share": 1.0, "second_share": 1.0, "overlap": overlap}
    assert json.loads(result.output) == {
        "threshold": 0.5,
        "noise_threshold": 25,
        "pairs": [
            {**pair, "first": "alice", "second": REFERENCE, "identical": True},
            {**pair, "first": "alice", "second": "bob", "identical": False},
            {**pair, "first": "bob", "second": REFERENCE, "identical": False},
        ],
        "compared": {"q02": 3},
        "skipped": [
            {"name": "erin", "reason": "not compared: erin.zip is not a zip or tar archive"},
            {"name": "frank", "reason": "its files changed since it was graded"},
            {"name": "gone", "reason": f"not compared: its source {school / 'gone'} is no longer there"},
        ],
    }
    table = _similarity("--gradebook", str(book_path), "-q", "2", "--no-reference").output
    assert table.splitlines()[:3] == [
        "question  first  second  similarity  shares",
        "q02       alice  bob     100%        100% / 100%",
        "",
    ]
    with Gradebook(book_path) as book:
        assert all(not s.result.questions for s in book.latest()), "nothing was graded or scored"


def _record(book: Gradebook, name: str, text: str | None, status: str = "passed") -> None:
    """A graded q02 for ``name``, whose folder is gone; the gradebook keeps ``text`` (None: it kept no file)."""
    q = find_question("q02")
    sid = book.submission_id(name, f"hash-{name}", "key", f"/nowhere/{name}")
    points = q.points if status == "passed" else 0.0
    result = QuestionResult(q.id, q.slug, q.title, q.level, status, points, q.points, 1, 1, 0, 0.1)  # type: ignore[arg-type]
    digest = hashlib.sha256(text.encode()).hexdigest() if text is not None else ""
    content = text.encode() if text is not None else None
    book.record(sid, result, RawRun(q.id, "completed", (), (), "", 0.1), digest, "key", content)


def test_the_graded_text_the_gradebook_kept_is_compared_after_the_folders_are_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FASTAPI_KIT_ROOT", str(_kit(tmp_path / "kit")))
    book_path = tmp_path / "class.sqlite3"
    with Gradebook(book_path) as book:
        _record(book, "alice", SOLUTION)
        _record(book, "bob", RENAMED)
        _record(book, "dora", None, status="not_attempted")  # no file to compare, none needed
        _record(book, "old", None)  # graded before files were kept: read again from its (gone) folder
        stored = {s.name: s for s in book.latest()}
    assert graded_files(stored["alice"], [find_question("q02")]) == {"q02": SOLUTION}
    assert graded_files(stored["dora"], [find_question("q02")]) == {}
    assert graded_files(stored["old"], [find_question("q02")]) is None

    result = _similarity("--gradebook", str(book_path), "-q", "2", "--json", "--threshold", "0.5")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [(p["first"], p["second"]) for p in report["pairs"]] == [
        ("alice", REFERENCE),
        ("alice", "bob"),
        ("bob", REFERENCE),
    ]
    assert report["compared"] == {"q02": 2}
    assert report["skipped"] == [{"name": "old", "reason": "not compared: its source /nowhere/old is no longer there"}]


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = _similarity("--gradebook", str(tmp_path / "none.sqlite3"))
    assert missing.exit_code == 2 and "does not exist: grade a class first" in missing.output
    assert "Traceback" not in missing.output
    Gradebook(tmp_path / "g.sqlite3").close()
    high = _similarity("--gradebook", str(tmp_path / "g.sqlite3"), "--threshold", "1.5")
    assert high.exit_code == 2 and "1.5 is not in the range 0<=x<=1" in high.output
    empty = _similarity("--gradebook", str(tmp_path / "g.sqlite3"), "-q", "2")
    assert empty.exit_code == 0
    assert empty.output.endswith("scores are unchanged\n") and empty.output.startswith("0 pairs at 80% similarity")


REPORT = SimilarityReport(
    0.8,
    (
        SimilarPair("q03", "<script>alert(1)</script>", "bob", 0.95, 0.9, False, 300),
        SimilarPair("q03", "bob", REFERENCE, 1.0, 1.0, True, 310),
    ),
    {"q03": 2},
    (("x&y", "not compared: its source class/x&y is no longer there"),),
)


def test_the_table_has_a_row_per_pair() -> None:
    assert render_similarity_table(REPORT) == (
        "question  first                      second                similarity  shares\n"
        "q03       <script>alert(1)</script>  bob                   95%         95% / 90%\n"
        "q03       bob                        (reference solution)  100%        100% / 100%  identical\n"
        "\n"
        "2 pairs at 80% similarity or more, the stubs' own text excluded (shares: of each side's own tokens, the part"
        " found in the other); scores are unchanged\n"
        "x&y: not compared: its source class/x&y is no longer there"
    )


def test_the_html_section_escapes_every_name_and_link() -> None:
    links = {"bob": 'students/bob.html"onclick="x', "<script>alert(1)</script>": "students/script.html"}
    assert render_similarity_section(REPORT, links) == (
        '<section id="similarity">\n'
        "<h2>Similar submissions</h2>\n"
        '<p class="summary">2 pairs of answers share 80% or more of their own text (the stub&#x27;s text excluded;'
        " names and strings do not hide a copy). This is for a person to read: no score was changed.</p>\n"
        '<table><thead><tr><th>Question</th><th>Submission</th><th>Similar to</th><th class="num">Similarity</th>'
        '<th class="num">Shares</th><th></th></tr></thead><tbody>\n'
        '<tr><td>q03</td><td><a href="students/script.html">&lt;script&gt;alert(1)&lt;/script&gt;</a></td>'
        '<td><a href="students/bob.html&quot;onclick=&quot;x">bob</a></td><td class="num">95%</td>'
        '<td class="num">95% / 90%</td><td></td></tr>\n'
        '<tr><td>q03</td><td><a href="students/bob.html&quot;onclick=&quot;x">bob</a></td>'
        '<td><em>(reference solution)</em></td><td class="num">100%</td><td class="num">100% / 100%</td>'
        "<td>identical</td></tr>\n"
        "</tbody></table>\n"
        '<p class="summary">Notes on submissions:</p><ul>\n'
        "<li>x&amp;y: not compared: its source class/x&amp;y is no longer there</li>\n"
        "</ul>\n"
        "</section>"
    )
    assert "<script>" not in render_similarity_section(REPORT)
    assert find_question("q03").id == "q03"
