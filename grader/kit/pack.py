"""Write the candidate pack: everything a candidate needs, and nothing of the solutions or hidden tests.

The pack is an installable project of its own: the stubs, the public checks, this package (which holds no
solution and no hidden test), a pyproject that installs the `fastlings` command, a candidate README,
pristine copies of the stubs for `fastlings reset`, and the kit's ``constraints.txt`` (the exact versions the
kit is tested with), which the README's install line uses, so the candidate practises on the versions the
grader runs. It is a folder, or an archive when OUT ends in `.zip`, `.tar.gz`, `.tgz` or `.tar`; the archive
holds one folder named like OUT without its suffix (``week3.tar.gz`` unpacks to ``week3/``).

A pack can hold a subset of the questions (an assignment): the pack's copy of the catalogue then lists only
those, so `fastlings` in the pack knows no others. Its title and instructions go at the top of its README.
"""

from __future__ import annotations

import json
import re
import shutil
import tarfile
import tempfile
import tomllib
import zipfile
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from grader import __version__
from grader.book.archives import archive_stem
from grader.kit import checks_dir, exercises_dir, kit_root
from grader.kit.catalogue import Question, load_catalogue
from grader.kit.hints import seal

__all__ = ["PACK_MARKER", "PackError", "write_pack"]

PACK_MARKER = ".fastlings/pack.json"  # written into every pack: what --force may replace
CONSTRAINTS = "constraints.txt"
# OUT's suffix decides what is written (shutil.make_archive's format), any other name is a folder.
_ARCHIVE_FORMATS = {".zip": "zip", ".tar.gz": "gztar", ".tgz": "gztar", ".tar": "tar"}
# Archive suffixes a pack is not written as: a folder with such a name would look like an archive.
_OTHER_ARCHIVES = (".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".7z", ".rar", ".gz", ".bz2", ".xz")

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
addopts = ["--import-mode=importlib", "-p", "no:cacheprovider", "-p", "grader.judge.fixtures"]
filterwarnings = ["ignore:Using `httpx` with `starlette.testclient`:UserWarning"]
"""


class PackError(Exception):
    """The pack cannot be written; the message says why."""


# Dependencies of the kit that practice never imports: the grader's report plugin, and the HTML report's highlighter
# (pytest brings Pygments anyway). The teacher-side extras (copydetect: the `grader` extra) are never read here.
_GRADER_ONLY = {"pytest-json-report", "pygments"}


def _dependencies() -> list[str]:
    """The kit's dependencies a candidate's practice needs: the web stack, pytest, uvicorn and the exercises' own."""
    data = tomllib.loads((kit_root() / "pyproject.toml").read_text(encoding="utf-8"))
    return [
        dep
        for dep in data["project"]["dependencies"]
        if re.split(r"[\s<>=!~;\[]", dep, maxsplit=1)[0].lower() not in _GRADER_ONLY
    ]


def _copy_package(destination: Path) -> None:
    source = Path(str(resources.files("grader")))
    # The per-question host helpers are the hidden tests' fakes and spies: they stay with the hidden tests.
    helpers = source / "host" / "helpers"
    # Teacher-side tools a candidate never runs (platform exports, similarity between classmates).
    similarity = {"similarity.py", "similarity_files.py", "similarity_model.py", "similarity_text.py"}
    teacher_only = {source: {"exports"}, source / "scan": similarity, source / "reports": {"similarity_html.py"}}

    def ignore(folder: str, names: list[str]) -> set[str]:
        hidden = {n for n in names if Path(folder) == helpers and n.startswith("q") and n.endswith(".py")}
        hidden |= teacher_only.get(Path(folder), set()) & set(names)
        return hidden | set(shutil.ignore_patterns("__pycache__", "*.pyc")(folder, names))

    shutil.copytree(source, destination / "grader", ignore=ignore)


def _catalogue_subset(text: str, keep: set[str]) -> str:
    """The catalogue's text with only the ``[[question]]`` entries whose id is in ``keep`` (comments kept)."""
    head, *entries = re.split(r"(?m)^(?=\[\[question\]\]\s*$)", text)
    kept = [entry for entry in entries if (match := re.search(r'(?m)^id\s*=\s*"(q\d\d)"', entry)) and match[1] in keep]
    return head + "".join(kept)


_HINTS_RE = re.compile(r"(?ms)^hints\s*=\s*\[.*?^\]")


def _seal_hints(text: str) -> str:
    """The catalogue's text with every question's hints sealed (``grader.kit.hints``): only `fastlings hint` shows
    one."""
    head, *entries = re.split(r"(?m)^(?=\[\[question\]\]\s*$)", text)
    sealed = []
    for entry in entries:
        qid = tomllib.loads(entry.replace("[[question]]", "", 1))["id"]
        block = _HINTS_RE.search(entry)
        if block is None:
            raise PackError(f"{qid}: its hints are not a `hints = [...]` list the pack can seal")
        hints = tomllib.loads(block[0])["hints"]
        lines = "".join(f"  {json.dumps(seal(qid, index, hint))},\n" for index, hint in enumerate(hints))
        sealed.append(entry[: block.start()] + f"hints = [\n{lines}]" + entry[block.end() :])
    return head + "".join(sealed)


def _readme(title: str | None, instructions: str | None) -> str:
    readme = resources.files("grader.candidate").joinpath("README.candidate.md").read_text(encoding="utf-8")
    heading, _, rest = readme.partition("\n")
    if title:
        heading = f"# {title.strip()}"
    if instructions and instructions.strip():
        rest = f"\n## Instructions\n\n{instructions.strip()}\n{rest}"
    return f"{heading}\n{rest}"


def _build(
    folder: Path, questions: tuple[Question, ...], title: str | None = None, instructions: str | None = None
) -> None:
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
    catalogue = folder / "grader" / "kit" / "catalogue.toml"
    text = catalogue.read_text(encoding="utf-8")
    if len(questions) != len(load_catalogue()):
        text = _catalogue_subset(text, {q.id for q in questions})
    catalogue.write_text(_seal_hints(text), encoding="utf-8")
    if (kit_root() / CONSTRAINTS).is_file():
        shutil.copyfile(kit_root() / CONSTRAINTS, folder / CONSTRAINTS)
    dependencies = "\n".join(f'    "{dep}",' for dep in _dependencies())
    (folder / "pyproject.toml").write_text(
        _PACK_PYPROJECT.format(version=__version__, dependencies=dependencies), encoding="utf-8"
    )
    (folder / "README.md").write_text(_readme(title, instructions), encoding="utf-8")
    ignored = ".venv/\n__pycache__/\n*.egg-info/\n.fastlings/state.json\n.fastlings/backups/\n"
    (folder / ".gitignore").write_text(ignored, encoding="utf-8")
    marker = {
        "kit_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "title": title or "",
        "questions": [q.id for q in questions],
        # Every question of the kit, so that fastlings can tell one left out of this pack from one that does not exist.
        "kit_questions": {q.id: q.slug for q in load_catalogue()},
    }
    (folder / PACK_MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")


def _archive_format(out: Path) -> str | None:
    """The archive format OUT's name asks for (``zip``, ``gztar``, ``tar``), None for a folder."""
    name = out.name.lower()
    for suffix, fmt in sorted(_ARCHIVE_FORMATS.items(), key=lambda item: -len(item[0])):
        if name.endswith(suffix):
            return fmt
    if name.endswith(_OTHER_ARCHIVES):
        raise PackError(f"{out.name}: a pack is a folder, a .zip, a .tar.gz (.tgz) or a .tar, not this kind of archive")
    return None


def _is_pack(path: Path) -> bool:
    """Whether ``path`` is a pack written by ``grade pack`` (the only thing --force may replace)."""
    if path.is_dir() and not path.is_symlink():
        return (path / PACK_MARKER).is_file() or (
            (path / ".fastlings" / "original").is_dir() and (path / "grader" / "candidate").is_dir()
        )
    if not path.is_file():
        return False
    names: list[str] = []
    try:
        if _archive_format(path) == "zip":
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        elif _archive_format(path) is not None:
            with tarfile.open(path) as archive:
                names = archive.getnames()
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, PackError):
        return False
    return any(name.endswith(PACK_MARKER) or "/.fastlings/original/" in name for name in names)


def write_pack(
    out: Path,
    *,
    questions: tuple[Question, ...] | None = None,
    title: str | None = None,
    instructions: str | None = None,
    force: bool = False,
) -> Path:
    """Write the pack to ``out`` (a new folder, or a new ``.zip``, ``.tar.gz``, ``.tgz`` or ``.tar``) for ``questions``
    (default: all of them).

    Nothing is overwritten, except, with ``force``, an earlier pack at ``out`` (never any other folder or file).
    """
    questions = load_catalogue() if questions is None else questions
    if not questions:
        raise PackError("no question selected: the pack would be empty")
    fmt = _archive_format(out)
    if out.exists() or out.is_symlink():
        if not force:
            raise PackError(
                f"{out} already exists: the pack is never written over existing files (--force replaces a pack)"
            )
        if not _is_pack(out):
            raise PackError(
                f"{out} already exists and is not a pack written by `grade pack`: --force will not replace it"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    # Built beside OUT and renamed into place: a failed build leaves no half-written pack, and a pack being
    # replaced (--force) stays whole until the new one is complete.
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".pack-") as scratch:
        stem = archive_stem(out.name) if fmt is not None else out.name
        folder = Path(scratch) / stem
        _build(folder, questions, title, instructions)
        if fmt is not None:
            built = Path(shutil.make_archive(str(Path(scratch) / "pack"), fmt, root_dir=scratch, base_dir=stem))
            if out.exists():
                out.unlink()
            built.replace(out)
        else:
            if out.exists():
                shutil.rmtree(out)
            folder.replace(out)
    return out
