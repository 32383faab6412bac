"""Where the kit's folders are. The grader runs from a checkout (``pip install -e .``), so the hidden tests,
stubs and solutions sit next to the package; ``FASTAPI_KIT_ROOT`` points elsewhere when needed."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "alternatives_dir",
    "checks_dir",
    "default_target_dir",
    "exercises_dir",
    "hidden_tests_dir",
    "kit_root",
    "solutions_dir",
    "state_dir",
]


def kit_root() -> Path:
    override = os.environ.get("FASTAPI_KIT_ROOT")
    return Path(override).resolve() if override else Path(__file__).resolve().parents[2]


def exercises_dir() -> Path:
    return kit_root() / "exercises"


def solutions_dir() -> Path:
    return kit_root() / "solutions"


def alternatives_dir() -> Path:
    """Independent answers written blind from the stubs: the fairness guard, and the similarity baseline."""
    return kit_root() / "tests" / "alternatives"


def hidden_tests_dir() -> Path:
    return kit_root() / "tests" / "hidden"


def checks_dir() -> Path:
    """The public checks: a few visible tests per question, shipped to candidates."""
    return kit_root() / "checks"


def state_dir() -> Path:
    """The candidate's own state: progress, revealed hints, pristine stubs and backups."""
    return kit_root() / ".fastlings"


def default_target_dir() -> Path:
    """What tests run against when no --target is given: the solutions in the kit, the stubs in a candidate pack."""
    return solutions_dir() if solutions_dir().is_dir() else exercises_dir()
