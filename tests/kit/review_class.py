"""A small class in a gradebook, filled through its API (no grading), for the review app's tests.

Three students on q02, q10 and q16 (1, 2 and 3 points); carol's q02 answer tries to inject HTML and script into
every page that shows it, and alice's q16 carries an integrity flag.
"""

from __future__ import annotations

from pathlib import Path

from grader.book.gradebook import Gradebook
from grader.book.results import QuestionResult, RawRun, TestFailure, TestOutcome
from grader.kit.catalogue import find_question

QUESTIONS = ("q02", "q10", "q16")
TOTALS = {"q02": 8, "q10": 13, "q16": 15}
INJECTION = '</pre></textarea><script>alert("x")</script><img src=x onerror=alert(1)>'
RUBRIC = """\
[[q02]]
id = "clear"
text = "clear, idiomatic route"
points = 0.5

[[q02]]
id = "blocking"
text = "blocking call in an async route"
points = -0.5

[[q10]]
id = "errors"
text = "a clear error model"
points = 0.5
"""


def _answer(name: str, qid: str) -> bytes:
    body = f'"""{qid}: an answer."""\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n'
    if name == "carol" and qid == "q02":
        body += f"\n# {INJECTION}\nGREETING = {INJECTION!r}\n"
    return body.encode()


def record(book: Gradebook, sid: int, name: str, qid: str, passed: int, flags: tuple[str, ...] = ()) -> None:
    q = find_question(qid)
    total = TOTALS[qid]
    points = round(q.points * passed / total, 2)
    status = "passed" if passed == total else "failed"
    failures = tuple(
        TestFailure(f"test_{qid}_{n}", f"[{qid}.1] AssertionError: {INJECTION if name == 'carol' else 'no'}")
        for n in range(total - passed)
    )
    result = QuestionResult(
        q.id, q.slug, q.title, q.level, status, points, q.points, passed, total, 0, 0.5, failures=failures,
        flags=flags,
    )  # fmt: skip
    tests = tuple(TestOutcome(f.test, "failed", f.message) for f in failures)
    run = RawRun(q.id, "completed", (), tests, "", 0.5, flags)  # type: ignore[arg-type]
    content = _answer(name, qid)
    book.record(sid, result, run, f"hash-{name}-{qid}", "test-key", content)


def make_class(path: Path) -> Path:
    """alice 8/8, 10/13, 12/15 (flagged q16); bob 8/8, 13/13, 0/15; carol 4/8, 0/13, 15/15."""
    scores = {"alice": (8, 10, 12), "bob": (8, 13, 0), "carol": (4, 0, 15)}
    with Gradebook(path) as book:
        for name, passed in scores.items():
            sid = book.submission_id(name, f"h-{name}", "test-key", f"class/{name}")
            for qid, n in zip(QUESTIONS, passed, strict=True):
                flags = ("imports gc (line 3)",) if (name, qid) == ("alice", "q16") else ()
                record(book, sid, name, qid, n, flags)
    return path
