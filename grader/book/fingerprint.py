"""The grading key: everything that decides a question's result, besides the candidate's file.

The gradebook reuses a stored result only for the same file under the same key. The kit's version alone was
not enough: after a hidden test changed, an old gradebook still reported 100% where a fresh one gave 0%; q30
counted 4 skipped tests before ``redis-server`` was installed and 13 passed after, under one version. The key
is the kit version, then a hash of

- the hidden tests and the code that runs them and scores them (the judge, the bridge, the host and its
  helpers, the fixtures, the scoring), and the catalogue's ids and slugs (which files are graded as which
  question); not its points, titles, levels or hints, which decide no outcome: the gradebook stores per-test
  outcomes and recomputes points whenever it is read, so changing a question's points regrades nothing;
- the versions of the libraries the tests and the exercises run on;
- which system tools the tests use are present (``redis-server``).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import shutil
from pathlib import Path

from grader import __version__
from grader.kit import hidden_tests_dir
from grader.kit.catalogue import load_catalogue

__all__ = ["grading_key"]

_GRADER = Path(__file__).resolve().parents[1]
# The grader's own files that decide an outcome (reports and the CLI only present it).
_DECIDING_CODE = (
    "judge/child.py",
    "judge/runner.py",
    "judge/fixtures.py",
    "book/scoring.py",
    "loading.py",
    "protocol.py",
)
_DECIDING_FOLDERS = ("judge/bridge", "host", "sandbox")
_DISTRIBUTIONS = (
    "fastapi",
    "starlette",
    "pydantic",
    "pydantic-core",
    "httpx",
    "anyio",
    "SQLAlchemy",
    "PyJWT",
    "python-jose",
    "slowapi",
    "redis",
    "python-multipart",
    "pytest",
)
_SYSTEM_TOOLS = ("redis-server",)


def _files(root: Path, pattern: str = "*") -> list[Path]:
    return sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def key_parts(tests_dir: Path | None = None) -> list[tuple[str, str]]:
    """Each ingredient of the key as (name, value): readable, so a changed key can be explained."""
    parts: list[tuple[str, str]] = []
    tests = tests_dir or hidden_tests_dir()
    deciding = [tests / p.relative_to(tests) for p in _files(tests, "*.py")]
    deciding += [_GRADER / name for name in _DECIDING_CODE]
    deciding += [p for folder in _DECIDING_FOLDERS for p in _files(_GRADER / folder, "*.py")]
    for path in deciding:
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"
        parts.append((f"file:{path.name}", digest))
    files = ",".join(f"{q.id}={q.slug}" for q in load_catalogue())
    parts.append(("catalogue:files", hashlib.sha256(files.encode()).hexdigest()))
    parts += [(f"package:{name}", _version(name)) for name in _DISTRIBUTIONS]
    parts += [(f"tool:{tool}", "present" if shutil.which(tool) else "absent") for tool in _SYSTEM_TOOLS]
    return parts


@functools.cache
def grading_key() -> str:
    """``<kit version>+<12 hex digits>``: equal keys grade a given file the same way."""
    digest = hashlib.sha256("\n".join(f"{name}={value}" for name, value in key_parts()).encode()).hexdigest()
    return f"{__version__}+{digest[:12]}"
