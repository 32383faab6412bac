"""`grade similarity`: answers identical or near-identical to each other or to the solution, per question.

Small synthetic answers keep every expected number in view: a kit folder of our own (FASTAPI_KIT_ROOT) holds a
q02 stub and solution, so the reports do not move when the kit's real solutions are edited.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from grader.book.gradebook import Gradebook
from grader.book.results import QuestionResult, RawRun
from grader.book.submissions import content_hash
from grader.cli import cli
from grader.kit import alternatives_dir, exercises_dir, solutions_dir
from grader.kit.catalogue import find_question
from grader.reports.similarity_html import render_similarity_section
from grader.scan.similarity import (
    MIN_CLASS_ANSWERS,
    MIN_SHARED,
    REFERENCE,
    Baseline,
    SimilarityReport,
    SimilarPair,
    cluster_pairs,
    compare_question,
    find_similar,
    graded_files,
    kit_baseline,
    render_similarity_table,
)

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
    # The same comparison through copydetect's own boilerplate argument (why grader.scan.similarity does not use it).
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
    pair |= {"baseline": 0.0, "stands_out": False}  # no alternative in this kit, too few answers; and too short
    assert overlap < MIN_SHARED
    assert json.loads(result.output) == {
        "threshold": 0.5,
        "noise_threshold": 25,
        "margin": 0.1,
        "min_shared": 400,
        "clusters": [],
        "baselines": {"q02": {"kit": None, "class": None, "baseline": 0.0}},
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
    table = _similarity("--gradebook", str(book_path), "-q", "2", "--no-reference", "--all").output
    assert table.splitlines()[:3] == [
        "question  first  second  similarity  shares       baseline",
        "q02       alice  bob     100%        100% / 100%  0%",
        "",
    ]
    clusters = _similarity("--gradebook", str(book_path), "-q", "2", "--no-reference").output
    assert clusters.startswith("0 clusters of answers stand out (0 students): pairs at 80% similarity or more")
    assert "1 other pair at 80% or more is no more alike than independent answers" in clusters
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
    assert "scores are unchanged. (--all lists every pair)\n" in empty.output
    assert empty.output.startswith("0 clusters of answers stand out (0 students)")


REPORT = SimilarityReport(
    0.8,
    (
        SimilarPair("q03", "<script>alert(1)</script>", "bob", 0.95, 0.9, False, 500, 0.5, True),
        SimilarPair("q03", "bob", REFERENCE, 1.0, 1.0, True, 510, 0.5, True),
        SimilarPair("q05", "ann", "cat", 0.9, 0.9, False, 120, 0.3, False),
    ),
    {"q03": 2, "q05": 2},
    (("x&y", "not compared: its source class/x&y is no longer there"),),
    {"q03": Baseline("q03", 0.5, None), "q05": Baseline("q05", 0.3, None)},
)
REPORT = replace(REPORT, clusters=cluster_pairs(REPORT.pairs))


def test_the_table_has_a_row_per_cluster_and_every_pair_with_all() -> None:
    assert render_similarity_table(REPORT) == (
        "rank  question  similarity  baseline  above  members\n"
        "1     q03       100%        50%       +50    <script>alert(1)</script>, bob, (reference solution)\n"
        "\n"
        "1 cluster of answers stands out (2 students): pairs at 80% similarity or more, at least 10 points above"
        " their question's baseline (how alike independent correct answers to it are) and sharing at least 400"
        " characters of their own text. 1 other pair at 80% or more is no more alike than independent answers to"
        " their question, or too short to tell, and not flagged. The stubs' own text is excluded; scores are"
        " unchanged. (--all lists every pair)\n"
        "x&y: not compared: its source class/x&y is no longer there"
    )
    assert render_similarity_table(REPORT, every_pair=True).splitlines()[:4] == [
        "question  first                      second                similarity  shares       baseline",
        "q03       <script>alert(1)</script>  bob                   95%         95% / 90%    50%       stands out",
        "q03       bob                        (reference solution)  100%        100% / 100%  50%       stands out,"
        " identical",
        "q05       ann                        cat                   90%         90% / 90%    30%",
    ]


def test_the_html_section_lists_the_clusters_and_escapes_every_name_and_link() -> None:
    links = {"bob": 'students/bob.html"onclick="x', "<script>alert(1)</script>": "students/script.html"}
    section = render_similarity_section(REPORT, links)
    assert (
        '<table class="clusters"><thead><tr><th class="num">Rank</th><th>Question</th><th>Submissions</th>'
        '<th class="num">Similarity</th><th class="num">Baseline</th><th class="num">Above it</th><th></th>'
        "</tr></thead><tbody>\n"
        '<tr id="cluster-1"><td class="num">1</td><td>q03</td><td><a href="students/script.html">'
        '&lt;script&gt;alert(1)&lt;/script&gt;</a>, <a href="students/bob.html&quot;onclick=&quot;x">bob</a>,'
        ' <em>(reference solution)</em></td><td class="num">100%</td><td class="num">50%</td>'
        '<td class="num">+50</td><td></td></tr>\n'
        "</tbody></table>"
    ) in section
    assert '<tr><td>q05</td><td class="num">2</td><td class="num">30%</td><td class="num">–</td>' in section
    assert "<li>x&amp;y: not compared: its source class/x&amp;y is no longer there</li>" in section
    assert "ann" not in section.split("</tbody></table>")[0], "a pair that does not stand out is not listed"
    assert "<script>" not in section
    assert find_question("q03").id == "q03"


def test_clusters_join_the_pairs_that_stand_out_and_rank_by_how_far_above_the_baseline() -> None:
    def pair(q: str, a: str, b: str, similarity: float, baseline: float, out: bool = True) -> SimilarPair:
        return SimilarPair(q, a, b, similarity, similarity, similarity == 1.0, 900, baseline, out)

    pairs = [
        pair("q05", "ann", "ben", 0.9, 0.5),
        pair("q05", "ben", "cy", 0.85, 0.5),  # ann - ben - cy: one cluster, though ann and cy are not a pair
        pair("q05", "dee", "eve", 0.99, 0.5, out=False),  # does not stand out: in no cluster
        pair("q07", "fay", REFERENCE, 1.0, 0.2),
        pair("q07", "gus", "hal", 0.95, 0.2),
        pair("q09", "ann", "ben", 0.95, 0.75),  # the same two students, another question: its own cluster
    ]
    clusters = cluster_pairs(pairs)
    assert [(c.rank, c.question_id, c.members, c.excess) for c in clusters] == [
        (1, "q07", ("fay", REFERENCE), 0.8),
        (2, "q07", ("gus", "hal"), 0.75),
        (3, "q05", ("ann", "ben", "cy"), 0.4),
        (4, "q09", ("ann", "ben"), 0.2),
    ]
    assert clusters[0].with_reference and clusters[0].students == ("fay",) and clusters[0].identical
    report = SimilarityReport(0.8, tuple(pairs), clusters=clusters)
    assert report.cluster_of("q05", "cy") == clusters[2] and report.cluster_of("q05", "dee") is None


# -- the baseline: real answers of the kit, compared as a class's are ------------------------------------------------

INDEPENDENT_Q03 = Path(__file__).parent / "data" / "independent_q03_path_parameters.py"


def _rename(text: str) -> str:
    """A copy with every function renamed: what copying and touching up looks like."""
    for index, name in enumerate(sorted(set(re.findall(r"def (\w+)\(", text)))):
        text = re.sub(rf"\b{name}\b", f"handler_{index}", text)
    return text


def _record_text(book: Gradebook, name: str, question_id: str, text: str) -> None:
    q = find_question(question_id)
    sid = book.submission_id(name, f"hash-{name}", "key", f"/nowhere/{name}")
    result = QuestionResult(q.id, q.slug, q.title, q.level, "passed", q.points, q.points, 1, 1, 0, 0.1)
    digest = hashlib.sha256(text.encode()).hexdigest()
    book.record(sid, result, RawRun(q.id, "completed", (), (), "", 0.1), digest, "key", text.encode())


def test_the_kit_baseline_is_the_reference_against_its_blind_alternative() -> None:
    for qid in ("q02", "q03", "q07"):
        q = find_question(qid)
        stub, solution, alternative = (
            (folder / q.filename).read_text() for folder in (exercises_dir(), solutions_dir(), alternatives_dir())
        )
        (pair,), _ = compare_question(qid, {"alt": alternative}, stub, solution, threshold=0)
        assert kit_baseline(q) == pair.similarity
    assert kit_baseline(find_question("q07")) < 0.5, "q07's two independent answers share little"


def test_an_independent_answer_to_a_short_question_is_not_flagged_a_copy_of_a_long_one_is(tmp_path: Path) -> None:
    """The issue's false alarm: an answer written independently is 94% like the reference on q03 (the reference
    is 300 characters of code: there is little room to differ). It is listed with --all, never flagged; a copy of
    q07's reference and a copy of a classmate's q07, each with renamed functions, are flagged, as clusters."""
    q03, q07 = find_question("q03"), find_question("q07")
    alternative = (alternatives_dir() / q07.filename).read_text()
    with Gradebook(tmp_path / "class.sqlite3") as book:
        _record_text(book, "dee", "q03", INDEPENDENT_Q03.read_text())
        _record_text(book, "ann", "q07", _rename((solutions_dir() / q07.filename).read_text()))
        _record_text(book, "ben", "q07", alternative)
        _record_text(book, "cy", "q07", _rename(alternative))
        stored = book.latest()
    (dee,) = find_similar([s for s in stored if s.name == "dee"], (q03,)).pairs
    report = find_similar([s for s in stored if s.name != "dee"], (q07,))
    assert dee.second == REFERENCE and dee.similarity >= 0.9 and not dee.stands_out
    assert dee.baseline == kit_baseline(q03) and dee.overlap < MIN_SHARED
    expected = [("q07", ("ann", REFERENCE)), ("q07", ("ben", "cy"))]
    assert [(c.question_id, c.members) for c in report.clusters] == expected
    assert all(c.similarity == 1.0 and c.baseline == kit_baseline(q07) for c in report.clusters)


def test_a_class_whose_answers_are_all_alike_raises_its_own_baseline(tmp_path: Path) -> None:
    """Six students handing in q07 with renamed functions (the teacher wrote it on the board): the class's typical
    similarity is 100%, so nothing stands out from it, though each pair is far above the kit's baseline."""
    q07 = find_question("q07")
    solution = (solutions_dir() / q07.filename).read_text()
    with Gradebook(tmp_path / "class.sqlite3") as book:
        for index in range(MIN_CLASS_ANSWERS + 1):
            _record_text(book, f"s{index}", "q07", _rename(solution).replace("handler_", f"h{index}_"))
        stored = book.latest()
    report = find_similar(stored, (q07,), reference=False)
    assert report.baselines["q07"].typical == 1.0 and report.baselines["q07"].value == 1.0
    assert len(report.pairs) == 15 and report.clusters == ()
    fewer = find_similar(stored[: MIN_CLASS_ANSWERS - 1], (q07,), reference=False)
    assert fewer.baselines["q07"].typical is None and len(fewer.clusters) == 1, "too few answers for a class level"


def test_without_copydetect_similarity_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """copydetect is the `grader` extra (never in a candidate's pack): without it, one line says what to install."""
    Gradebook(tmp_path / "g.sqlite3").close()
    monkeypatch.setitem(sys.modules, "copydetect", None)  # import copydetect now raises ImportError
    result = _similarity("--gradebook", str(tmp_path / "g.sqlite3"), "-q", "2")
    assert result.exit_code == 2
    assert 'comparing answers needs copydetect, the kit\'s `grader` extra: pip install -e ".[grader]"' in result.output
    assert "Traceback" not in result.output
