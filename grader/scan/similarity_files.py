"""Which text of each submission similarity compares: the graded files the gradebook kept, else the source again.

The gradebook keeps the text of every file it graded, so answers are compared as they were graded, long after a
submission's folder or archive is gone. A gradebook from before files were kept (or one lacking a graded file)
still has each submission's source path and the hash of its exercise files: they are read again from there
(archives extracted safely, files taken in as grading takes them in), and a submission whose source is gone,
unusable or changed since it was graded says so in a note.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from grader.book.archives import is_archive
from grader.book.gradebook import StoredSubmission
from grader.book.intake import take_in
from grader.book.submissions import content_hash, find_exercise_folder, resolve_submissions
from grader.kit.catalogue import Question, load_catalogue

__all__ = ["graded_files", "load_submission_files"]

# A question graded with one of these statuses ran its file: the gradebook holds that file's text.
_RAN = ("passed", "failed", "timeout")


def graded_files(stored: StoredSubmission, questions: Iterable[Question]) -> dict[str, str] | None:
    """The graded files' text the gradebook kept (question id → text), or None when it lacks some of them.

    It lacks them when a question has no stored result, or ran its file (passed, failed, timed out) without
    the file's text being kept (a gradebook from before files were kept). A question without a file (missing,
    not attempted, refused at intake) has no text to compare, and needs none.
    """
    results = {q.id: q for q in stored.result.questions}
    files = {}
    for question in questions:
        text = stored.sources.get(question.id)
        result = results.get(question.id)
        if text is not None:
            files[question.id] = text
        elif result is None or result.status in _RAN or (result.status == "error" and not stored.sources):
            return None  # an error may be a file that did not import: known only if the gradebook kept files
    return files


def load_submission_files(
    stored: StoredSubmission, questions: Iterable[Question], scratch: Path
) -> tuple[dict[str, str], str]:
    """The stored submission's exercise files (question id → text), and a note.

    The files are the graded text the gradebook kept when it holds them all (see ``graded_files``); otherwise
    they are read again from the submission's source. The note is empty when the files are those that were
    graded; otherwise it says why they could not be read (the source is gone or unusable) or that they changed
    since grading (then they are compared all the same).
    """
    questions = tuple(questions)
    if stored.problem:
        return {}, f"not compared: {stored.problem}"
    kept = graded_files(stored, questions)
    if kept is not None:
        return kept, ""
    source = Path(stored.source)
    if not source.exists():
        return {}, f"not compared: its source {source} is no longer there"
    destination = scratch / hashlib.sha256(f"{stored.id}:{stored.source}".encode()).hexdigest()[:16]
    destination.mkdir(parents=True)
    if is_archive(source):
        try:
            (submission,) = resolve_submissions([source], destination)
        except ValueError as exc:
            return {}, f"not compared: {exc}"
        folder = submission.folder
        if folder is None:
            return {}, f"not compared: {submission.problem}"
    else:
        found = find_exercise_folder(source, questions)
        if found is None:
            return {}, f"not compared: {source} holds none of the kit's exercise files"
        folder = destination / "files"
        # Every exercise file, as grading took them in (regular files of bounded size), so the hash compares.
        take_in(found, folder, [q.filename for q in load_catalogue()])
    files = {
        q.id: (folder / q.filename).read_bytes().decode("utf-8", errors="replace")
        for q in questions
        if (folder / q.filename).is_file()
    }
    changed = stored.content_hash and content_hash(folder) != stored.content_hash
    return files, ("its files changed since it was graded" if changed else "")
