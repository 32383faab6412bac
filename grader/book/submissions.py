"""Turn what the user names on the command line into submissions: folders of qNN_<slug>.py files.

A path can be a submission folder, a submission archive (zip or tar, e.g. from the candidate's ``submit``),
or a class folder whose every subfolder or archive is one student's submission, named by the student's id.
A folder holding what ``fastlings submit`` zipped (its ``manifest.json`` beside ``exercises/``), or an
``exercises/`` folder of answers, is one submission, graded exactly as its zip would be; a candidate's whole
pack folder is refused with the path to grade instead.
Archives are extracted safely into a scratch folder; an unusable one becomes a submission with a
``problem``, so one bad student never stops the others. Every submission is then taken in (``intake``): its
exercise files are copied into a private folder, and only that copy is hashed, scanned and graded.

Names come from the file system as they are: a name holding a byte that is not UTF-8 (read by Python with
``surrogateescape``) is graded like any other and shown with that byte escaped (``b\\xffd``). A full disk
while unpacking or taking in is not the student's problem: it is let through to stop the run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader.book.archives import ArchiveError, archive_stem, extract_archive, is_archive
from grader.book.diskfull import is_disk_full
from grader.book.intake import IntakeError, copy_regular_file, near_misses, take_in
from grader.book.lateness import submission_time
from grader.book.manifest import MANIFEST_NAME, Manifest, read_manifest
from grader.kit.catalogue import Question, load_catalogue
from grader.text.safetext import printable

__all__ = [
    "MANIFEST_NAME",
    "Submission",
    "content_hash",
    "find_exercise_folder",
    "pack_folder_message",
    "resolve_submissions",
]

_SEARCH_DEPTH = 4
_PACK_MARKER = Path(".fastlings") / "pack.json"  # what `grade pack` writes into every pack (grader.kit.pack)


@dataclass(frozen=True)
class Submission:
    name: str
    source: Path
    folder: Path | None
    problem: str = ""
    warnings: tuple[str, ...] = ()
    rejected: tuple[tuple[str, str], ...] = ()  # (file name, why it was not taken in)
    misnamed: tuple[tuple[str, str], ...] = ()  # (expected file name, the file that was surely meant for it)
    manifest: Manifest | None = None  # what `fastlings submit` recorded, checked (None: no manifest)
    # ISO 8601: the manifest's time, else (none, no time, or in the future) the newest time of what was handed in
    submitted_at: str = ""
    time_source: str = ""  # "manifest", or "file" (a modification time on this disk), or "" (unknown)

    def __post_init__(self) -> None:
        # Names and messages come from folder, archive and member names the candidate chose.
        object.__setattr__(self, "name", printable(self.name))
        object.__setattr__(self, "problem", printable(self.problem))
        object.__setattr__(self, "warnings", tuple(printable(w) for w in self.warnings))

    def rejection(self, filename: str) -> str | None:
        """Why ``filename`` was not taken in (a link, a FIFO, too large), or None."""
        return dict(self.rejected).get(filename)

    def near_miss(self, filename: str) -> str | None:
        """The submitted file that was surely meant as ``filename`` (``q03.py`` for q03's file), or None."""
        return dict(self.misnamed).get(filename)


def _exercise_files(folder: Path, questions: tuple[Question, ...], extra: tuple[str, ...] = ()) -> list[Path]:
    names = list(dict.fromkeys([*(q.filename for q in questions), *extra]))  # in order, each once
    return [folder / name for name in names if (folder / name).is_file()]


def find_exercise_folder(
    root: Path, questions: tuple[Question, ...] | None = None, extra: tuple[str, ...] = ()
) -> Path | None:
    """The folder under ``root`` (itself included, a few levels deep) holding the most exercise files.

    ``extra`` are more file names (relative paths) that count as exercise files: those ``--map`` names.
    """
    questions = questions or load_catalogue()
    best, best_count = None, 0
    frontier = [(root, 0)]
    while frontier:
        folder, depth = frontier.pop()
        count = len(_exercise_files(folder, questions, extra))
        if count > best_count:
            best, best_count = folder, count
        if depth < _SEARCH_DEPTH:
            frontier.extend(
                (child, depth + 1)
                for child in sorted(folder.iterdir())
                if child.is_dir() and not child.is_symlink() and not child.name.startswith((".", "__"))
            )
    return best


def content_hash(folder: Path, questions: tuple[Question, ...] | None = None) -> str:
    """A hash of the exercise files' names and bytes: equal hashes mean an unchanged submission."""
    digest = hashlib.sha256()
    for path in _exercise_files(folder, questions or load_catalogue()):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _file_time(paths: list[Path]) -> str:
    """The newest modification time among ``paths``, ISO 8601 in UTC ('' when none can be read)."""
    times = []
    for path in paths:
        with contextlib.suppress(OSError):
            times.append(path.stat().st_mtime)
    return datetime.fromtimestamp(max(times), UTC).isoformat(timespec="seconds") if times else ""


def _dated(manifest: Manifest | None, file_time: str) -> tuple[str, str, str]:
    """(the submission's time, a note when the manifest's time is not used, where the time comes from)."""
    claimed = manifest.created_at if manifest else ""
    when, note = submission_time(claimed, file_time)
    source = "manifest" if claimed and when == claimed and not note else "file" if when else ""
    return when, note, source


def _from_archive(archive: Path, scratch: Path, name: str, extra: tuple[str, ...] = ()) -> Submission:
    destination = scratch / f"{len(list(scratch.iterdir()))}-{archive.name}"
    destination.mkdir()
    try:
        extract_archive(archive, destination)
    except (ArchiveError, OSError) as exc:  # an unreadable archive is this student's error, not the batch's
        if is_disk_full(exc):
            raise
        return Submission(name, archive, None, problem=str(exc))
    folder = find_exercise_folder(destination, extra=extra)
    if folder is None:
        return Submission(name, archive, None, problem=f"{archive.name} holds none of the kit's exercise files")
    manifest = read_manifest(folder / MANIFEST_NAME, destination / MANIFEST_NAME)
    warnings = manifest.warnings(folder) if manifest else ()
    when, note, source = _dated(manifest, _file_time([archive]))
    warnings += (note,) if note else ()
    return Submission(
        name, archive, folder, warnings=warnings, manifest=manifest, submitted_at=when, time_source=source
    )


def _is_submission_folder(folder: Path, extra: tuple[str, ...] = ()) -> bool:
    return bool(_exercise_files(folder, load_catalogue(), extra))


def _is_pack_folder(folder: Path) -> bool:
    """A candidate's pack as `grade pack` wrote it (its marker, or its pristine stubs beside the practice tool)."""
    return (folder / _PACK_MARKER).is_file() or (
        (folder / ".fastlings" / "original").is_dir() and (folder / "grader" / "candidate").is_dir()
    )


def pack_folder_message(folder: Path) -> str:
    """What to grade instead of a candidate's whole pack folder: its answers, or the zips `fastlings submit` wrote."""
    zips = sorted(p.name for p in folder.glob("submission-*.zip") if p.is_file())
    answers = folder / "exercises"
    where = f"grade {answers}" + (f", or the zip fastlings submit wrote: grade {folder / zips[-1]}" if zips else "")
    return f"{folder} is a candidate's whole pack folder (stubs, checks, the practice tool): {where}"


def _is_unpacked_submission(folder: Path, extra: tuple[str, ...] = ()) -> bool:
    """One submission whose exercise files lie one level down: an unzipped `fastlings submit` zip (its manifest
    beside ``exercises/``) or a folder holding an ``exercises/`` folder of answers. Never a pack folder."""
    if _is_pack_folder(folder):
        return False
    if (folder / MANIFEST_NAME).is_file() and find_exercise_folder(folder, extra=extra) is not None:
        return True
    return _is_submission_folder(folder / "exercises", extra)


def resolve_submissions(paths: list[Path], scratch: Path, mapping: dict[str, str] | None = None) -> list[Submission]:
    """Expand ``paths`` into submissions, extracting archives into ``scratch``.

    ``mapping`` ({expected file name: path inside each submission}) grades a misnamed file on purpose.

    Raises ``ValueError`` for a path that is none of the three accepted kinds (the CLI turns it into a
    one-line error); a class folder's bad entries become submissions with a ``problem`` instead.
    """
    submissions: list[Submission] = []
    mapped = tuple(mapping.values()) if mapping else ()  # files --map names count as exercise files
    for path in paths:
        if is_archive(path):
            submissions.append(_from_archive(path, scratch, archive_stem(path.name), mapped))
        elif path.is_dir() and _is_submission_folder(path, mapped):
            submissions.append(Submission(path.resolve().name, path, path))
        elif path.is_dir() and _is_pack_folder(path):
            raise ValueError(printable(pack_folder_message(path)))
        elif path.is_dir() and _is_unpacked_submission(path, mapped):
            folder = find_exercise_folder(path, extra=mapped)
            submissions.append(Submission(path.resolve().name, path, folder))
        elif path.is_dir():
            entries = [
                p
                for p in sorted(path.iterdir())
                if not p.name.startswith((".", "__")) and (p.is_dir() or is_archive(p))
            ]
            if not entries:
                hint = _near_miss_hint(path)
                message = f"{path} holds none of the kit's exercise files, nor submissions to grade{hint}"
                raise ValueError(printable(message))
            for entry in entries:
                if entry.is_dir():
                    folder = find_exercise_folder(entry, extra=mapped)
                    problem = "" if folder else f"{entry.name} holds none of the kit's exercise files"
                    submissions.append(Submission(entry.name, entry, folder, problem=problem))
                else:
                    submissions.append(_from_archive(entry, scratch, archive_stem(entry.name), mapped))
        elif path.is_file():
            raise ValueError(printable(f"{path} is a file, not a folder or a zip/tar archive"))
        else:
            raise ValueError(printable(f"{path} does not exist"))
    names = [s.name for s in submissions]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"several submissions are named {', '.join(duplicates)}: names must be unique")
    return [
        _take_in(submission, scratch / "intake" / str(index), mapping or {})
        for index, submission in enumerate(submissions)
    ]


def _near_miss_hint(folder: Path) -> str:
    """``: q03.py looks like q03_path_parameters.py (rename it)`` when misnamed exercise files are there."""
    misnamed = near_misses(folder, [q.filename for q in load_catalogue()])
    if not misnamed:
        return ""
    pairs = ", ".join(f"{found} looks like {expected}" for expected, found in sorted(misnamed.items())[:3])
    return f": {pairs} (rename to grade them)"


def _take_in(submission: Submission, destination: Path, mapping: dict[str, str]) -> Submission:
    """The same submission, its folder replaced by a private copy of its exercise files (and manifest).

    A ``mapping`` entry copies the named file in under the expected name (and says so in the warnings). A
    mapping applies to the submissions that hold the named file: the others keep their correctly named file
    (``--map q03=q03.py`` over a class is for the students who wrote ``q03.py``, not against the rest).
    """
    if submission.folder is None:
        return submission
    original = submission.folder
    names = [q.filename for q in load_catalogue()]
    try:
        rejected = take_in(original, destination, names)
    except OSError as exc:
        if is_disk_full(exc):
            raise
        return Submission(submission.name, submission.source, None, problem=f"cannot be read: {exc.strerror}")
    mapped: list[str] = []
    mapped_files: list[Path] = []
    for expected, found in mapping.items():
        source = original / found
        if not os.path.lexists(source):
            continue  # this submission has no such file: its correctly named file, if any, is graded as usual
        # The named file replaces the correctly named one (taken in above, or refused): it is what was asked for.
        (destination / expected).unlink(missing_ok=True)
        rejected.pop(expected, None)
        if not source.parent.resolve().is_relative_to(original.resolve()):
            rejected[expected] = f"{found} is outside the submission"
            continue
        try:
            copy_regular_file(source, destination / expected)
        except IntakeError as exc:
            rejected[expected] = f"{found} {exc}"
            continue
        mapped.append(f"{expected} graded from {found} (--map)")
        mapped_files.append(source)
    manifest, warnings, when = submission.manifest, submission.warnings, submission.submitted_at
    source = submission.time_source
    if manifest is None:
        # Beside the exercise files, or at the submission's root: an unzipped `fastlings submit` zip keeps its
        # manifest beside exercises/, and is read exactly as the zip would be.
        roots = [original] + ([submission.source] if submission.source.is_dir() else [])
        for root in roots:
            with contextlib.suppress(IntakeError):  # no manifest, or not a plain small file: read as absent
                copy_regular_file(root / MANIFEST_NAME, destination / MANIFEST_NAME)
                break
        manifest = read_manifest(destination / MANIFEST_NAME)
        warnings = manifest.warnings(destination) if manifest else ()
    if not when:  # a folder (an archive was dated by itself): the manifest's time, else its newest file's
        # What was handed in, for the submission's time: the exercise files and the files graded through --map.
        handed_in = [original / name for name in names if (original / name).is_file()] + mapped_files
        when, note, source = _dated(manifest, _file_time(handed_in))
        warnings += (note,) if note else ()
    warnings += tuple(mapped) + tuple(f"not graded: {why}" for why in rejected.values())
    misnamed = near_misses(original, [n for n in names if n not in mapping])
    return Submission(
        submission.name,
        submission.source,
        destination,
        submission.problem,
        warnings,
        tuple(sorted(rejected.items())),
        tuple(sorted(misnamed.items())),
        manifest,
        when,
        source,
    )
