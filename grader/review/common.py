"""What the review app and the feedback pages share: the templates, the contract sentences a failure names."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from grader.book.gradebook import StoredSubmission
from grader.book.results import STATUS_SYMBOLS, QuestionResult
from grader.kit import exercises_dir
from grader.kit.contracts import Bullet, contract_bullets
from grader.reports.html_page import CSP, CSS, fmt
from grader.reports.html_student import highlight_diff, highlight_python, pygments_css

__all__ = ["bullets_broken", "code_html", "environment"]

_LEADING_IDS = re.compile(r"^\[(q\d\d\.\d+(?:, q\d\d\.\d+)*)\] ")
TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Jinja2 with autoescape on for every template: whatever a candidate wrote reaches the page as text."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(CSP=CSP, CSS=Markup(CSS), PYGMENTS_CSS=Markup(pygments_css()), SYMBOLS=STATUS_SYMBOLS)
    env.filters["points"] = fmt
    return env


@lru_cache(maxsize=64)
def _bullets(stub: Path) -> dict[str, str]:
    if not stub.is_file():
        return {}
    bullets, _ = contract_bullets(stub.read_text(encoding="utf-8"))
    return {b.id: b.text for b in bullets}


def bullets_broken(q: QuestionResult) -> list[Bullet]:
    """The contract bullets the question's failures name, in the contract's order, each once."""
    known = _bullets(exercises_dir() / f"{q.id}_{q.slug}.py")
    named: set[str] = set()
    for failure in q.failures:
        match = _LEADING_IDS.match(failure.message)
        if match:
            named.update(match[1].split(", "))
    return [Bullet(bid, text) for bid, text in known.items() if bid in named] + [
        Bullet(bid, "") for bid in sorted(named - known.keys())
    ]


def code_html(sub: StoredSubmission, question_id: str, label: str) -> tuple[Markup, Markup]:
    """The highlighted diff against the stub (files named by ``label``, not the student) and the whole file."""
    source = sub.sources.get(question_id)
    if source is None:
        return Markup(""), Markup("")
    diff = replace(sub, name=label).diff_against_stub(question_id)
    # Pygments escapes the code it formats; highlight_* also make it printable first.
    return Markup(highlight_diff(diff) if diff else ""), Markup(highlight_python(source))
