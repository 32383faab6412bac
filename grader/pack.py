"""Write the candidate pack: everything a candidate needs, and nothing of the solutions or hidden tests.

The pack is an installable project of its own: the stubs, the public checks, this package (which holds no
solution and no hidden test), a pyproject that installs the `fastlings` command, a candidate README and
pristine copies of the stubs for `fastlings reset`. It is a folder, or a zip when OUT ends in `.zip`.
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from importlib import resources
from pathlib import Path

from grader import __version__
from grader.catalogue import load_catalogue
from grader.kit import checks_dir, exercises_dir, kit_root

__all__ = ["PackError", "write_pack"]

_PACK_PYPROJECT = """\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "fastapi-interview-exercises"
version = "{version}"
description = "FastAPI interview exercises with a practice loop (fastlings)."
readme = "README.md"
requires-python = ">=3.11"
dependencies = [
{dependencies}
]

[project.scripts]
fastlings = "grader.candidate.cli:main"

[tool.setuptools.packages.find]
include = ["grader*"]

[tool.setuptools.package-data]
"*" = ["*.toml", "*.md"]

[tool.pytest.ini_options]
testpaths = ["checks"]
addopts = ["--import-mode=importlib", "-p", "no:cacheprovider", "-p", "grader.fixtures"]
filterwarnings = ["ignore:Using `httpx` with `starlette.testclient`:UserWarning"]
"""


class PackError(Exception):
    """The pack cannot be written; the message says why."""


def _dependencies() -> list[str]:
    data = tomllib.loads((kit_root() / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data["project"]["dependencies"])


def _copy_package(destination: Path) -> None:
    source = Path(str(resources.files("grader")))
    # The per-question host helpers are the hidden tests' fakes and spies: they stay with the hidden tests.
    helpers = source / "host" / "helpers"

    def ignore(folder: str, names: list[str]) -> set[str]:
        hidden = {n for n in names if Path(folder) == helpers and n.startswith("q") and n.endswith(".py")}
        return hidden | set(shutil.ignore_patterns("__pycache__", "*.pyc")(folder, names))

    shutil.copytree(source, destination / "grader", ignore=ignore)


def _build(folder: Path) -> None:
    questions = load_catalogue()
    for sub in ("exercises", "checks", ".fastlings/original"):
        (folder / sub).mkdir(parents=True)
    for q in questions:
        stub, check = exercises_dir() / q.filename, checks_dir() / q.test_filename
        if not stub.is_file():
            raise PackError(f"{stub} is missing: run `grade dev-check`")
        shutil.copyfile(stub, folder / "exercises" / q.filename)
        shutil.copyfile(stub, folder / ".fastlings" / "original" / q.filename)
        if check.is_file():
            shutil.copyfile(check, folder / "checks" / q.test_filename)
    _copy_package(folder)
    dependencies = "\n".join(f'    "{dep}",' for dep in _dependencies())
    (folder / "pyproject.toml").write_text(
        _PACK_PYPROJECT.format(version=__version__, dependencies=dependencies), encoding="utf-8"
    )
    readme = resources.files("grader.candidate").joinpath("README.candidate.md").read_text(encoding="utf-8")
    (folder / "README.md").write_text(readme, encoding="utf-8")
    (folder / ".gitignore").write_text(".venv/\n__pycache__/\n*.egg-info/\n.fastlings/state.json\n", encoding="utf-8")


def write_pack(out: Path) -> Path:
    """Write the pack to ``out`` (a new folder, or a new ``.zip``); never overwrites anything."""
    if out.exists():
        raise PackError(f"{out} already exists: the pack is never written over existing files")
    if out.suffix == ".zip":
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / out.stem
            _build(folder)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.make_archive(str(out.with_suffix("")), "zip", root_dir=scratch, base_dir=out.stem)
        return out
    _build(out)
    return out
