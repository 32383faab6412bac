"""The catalogue is the single source of truth: it must parse, validate, and resolve questions by any name."""

from __future__ import annotations

import pytest

from grader.kit.catalogue import CatalogueError, _parse, find_question, load_catalogue, select_questions


def _entry(**overrides: object) -> dict:
    entry = {"id": "q01", "slug": "demo", "title": "Demo", "level": "basic", "hints": ["look here"]}
    entry.update(overrides)
    return entry


def _catalogue(*entries: dict) -> dict:
    return {"format_version": 1, "level_points": {"basic": 1, "advanced": 3}, "question": list(entries)}


def test_packaged_catalogue_has_thirty_questions_in_order() -> None:
    questions = load_catalogue()
    assert [q.id for q in questions] == [f"q{n:02d}" for n in range(1, 31)]
    assert {q.level for q in questions[:8]} == {"basic"}
    assert {q.level for q in questions[8:15]} == {"intermediate"}
    assert {q.level for q in questions[15:]} == {"advanced"}


def test_points_default_to_the_level_and_can_be_overridden() -> None:
    default, custom = _parse(_catalogue(_entry(), _entry(id="q02", slug="other", level="advanced", points=7)))
    assert default.points == 1.0
    assert custom.points == 7.0


def test_file_names_derive_from_id_and_slug() -> None:
    (question,) = _parse(_catalogue(_entry()))
    assert question.filename == "q01_demo.py"
    assert question.test_filename == "test_q01_demo.py"


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        (_entry(id="1"), "id must look like q01"),
        (_entry(slug="Bad-Slug"), "lower_snake_case"),
        (_entry(level="expert"), "level must be one of"),
        (_entry(hints=[]), "non-empty hint"),
        (_entry(hints=["  "]), "non-empty hint"),
        (_entry(points=0), "positive number"),
    ],
)
def test_malformed_entries_are_refused_with_a_reason(entry: dict, complaint: str) -> None:
    with pytest.raises(CatalogueError, match=complaint):
        _parse(_catalogue(entry))


def test_duplicate_ids_and_slugs_are_refused() -> None:
    with pytest.raises(CatalogueError, match="unique"):
        _parse(_catalogue(_entry(), _entry()))
    with pytest.raises(CatalogueError, match="slugs must be unique"):
        _parse(_catalogue(_entry(), _entry(id="q02")))


def test_unknown_format_version_is_refused() -> None:
    with pytest.raises(CatalogueError, match="format_version"):
        _parse({"format_version": 99, "question": []})


@pytest.mark.parametrize(
    "key", ["3", "03", "q03", "Q03", "path_parameters", "q03_path_parameters", "q03_path_parameters.py"]
)
def test_a_question_is_found_by_number_id_or_slug(key: str) -> None:
    assert find_question(key).id == "q03"


def test_an_unknown_question_is_a_clear_error() -> None:
    with pytest.raises(CatalogueError, match="no question matches 'q99'"):
        find_question("q99")


def test_selection_by_question_and_level_keeps_catalogue_order() -> None:
    assert [q.id for q in select_questions(("q05", "2"))] == ["q02", "q05"]
    assert [q.id for q in select_questions((), ("intermediate",))] == [f"q{n:02d}" for n in range(9, 16)]
    assert select_questions(("q02",), ("advanced",)) == ()
