"""The question catalogue: the single source of truth for ids, slugs, titles, levels, points and hints.

Everything that needs to know which questions exist reads :func:`load_catalogue`; file names are derived
from a question's id and slug here and nowhere else.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "LEVELS",
    "CatalogueError",
    "Question",
    "explain_empty_selection",
    "find_question",
    "load_catalogue",
    "select_questions",
]

LEVELS = ("basic", "intermediate", "advanced")
SUPPORTED_FORMAT = 1
_ID_RE = re.compile(r"^q\d\d$")
_SLUG_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogueError(ValueError):
    """The catalogue file is malformed, or a selection names no known question."""


@dataclass(frozen=True)
class Question:
    """One exercise of the kit, as the catalogue describes it."""

    id: str
    slug: str
    title: str
    level: str
    points: float
    hints: tuple[str, ...]

    @property
    def number(self) -> int:
        return int(self.id[1:])

    @property
    def module_name(self) -> str:
        """The file stem shared by the stub, the solution and (prefixed with ``test_``) the hidden tests."""
        return f"{self.id}_{self.slug}"

    @property
    def filename(self) -> str:
        return f"{self.module_name}.py"

    @property
    def test_filename(self) -> str:
        return f"test_{self.module_name}.py"


def _parse(data: dict) -> tuple[Question, ...]:
    if data.get("format_version") != SUPPORTED_FORMAT:
        raise CatalogueError(f"catalogue format_version must be {SUPPORTED_FORMAT}")
    level_points = data.get("level_points", {})
    questions: list[Question] = []
    for index, raw in enumerate(data.get("question", []), start=1):
        where = f"question #{index} ({raw.get('id', '?')})"
        qid, slug, level = raw.get("id", ""), raw.get("slug", ""), raw.get("level", "")
        if not _ID_RE.match(qid):
            raise CatalogueError(f"{where}: id must look like q01")
        if not _SLUG_RE.match(slug):
            raise CatalogueError(f"{where}: slug must be lower_snake_case")
        if level not in LEVELS:
            raise CatalogueError(f"{where}: level must be one of {', '.join(LEVELS)}")
        points = raw.get("points", level_points.get(level))
        if not isinstance(points, (int, float)) or points <= 0:
            raise CatalogueError(f"{where}: points must be a positive number")
        hints = raw.get("hints", [])
        if not hints or not all(isinstance(h, str) and h.strip() for h in hints):
            raise CatalogueError(f"{where}: needs at least one non-empty hint")
        questions.append(
            Question(qid, slug, str(raw.get("title", "")).strip() or slug, level, float(points), tuple(hints))
        )
    ids = [q.id for q in questions]
    if ids != sorted(set(ids)):
        raise CatalogueError("question ids must be unique and in ascending order")
    if len({q.slug for q in questions}) != len(questions):
        raise CatalogueError("question slugs must be unique")
    return tuple(questions)


@cache
def load_catalogue() -> tuple[Question, ...]:
    """Read and validate the packaged catalogue (cached: it never changes while the process runs)."""
    text = resources.files("grader.kit").joinpath("catalogue.toml").read_text(encoding="utf-8")
    return _parse(tomllib.loads(text))


def find_question(key: str, questions: tuple[Question, ...] | None = None) -> Question:
    """Resolve ``3``, ``03``, ``q03``, ``q03_path_parameters`` or ``path_parameters`` to a question."""
    questions = load_catalogue() if questions is None else questions
    wanted = key.strip().lower().removesuffix(".py")
    if wanted.isdigit():
        wanted = f"q{int(wanted):02d}"
    for question in questions:
        if wanted in (question.id, question.slug, question.module_name):
            return question
    raise CatalogueError(f"no question matches {key!r} (try a number like 3, an id like q03, or a slug)")


def select_questions(
    keys: tuple[str, ...] = (), levels: tuple[str, ...] = (), questions: tuple[Question, ...] | None = None
) -> tuple[Question, ...]:
    """The questions named by ``keys`` (all when empty), narrowed to ``levels`` (all when empty), in catalogue order."""
    questions = load_catalogue() if questions is None else questions
    chosen = {find_question(k, questions).id for k in keys} if keys else {q.id for q in questions}
    return tuple(q for q in questions if q.id in chosen and (not levels or q.level in levels))


def explain_empty_selection(
    keys: tuple[str, ...] = (), levels: tuple[str, ...] = (), questions: tuple[Question, ...] | None = None
) -> str:
    """Why ``select_questions(keys, levels)`` is empty, in one sentence naming what each option kept.

    The only way to select nothing is a level that none of the named questions (or none at all) has:
    ``-q 3 --level advanced`` says that q03 is basic.
    """
    questions = load_catalogue() if questions is None else questions
    named = [find_question(k, questions) for k in keys] if keys else []
    wanted = " or ".join(levels)
    if named:
        found = ", ".join(f"{q.id} is {q.level}" for q in dict.fromkeys(named))
        return f"no question selected: {found}, and --level keeps only {wanted} questions"
    if levels:
        return f"no question selected: this catalogue has no {wanted} question"
    return "no question selected: the catalogue is empty"
