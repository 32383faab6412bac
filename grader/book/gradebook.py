"""The gradebook: every result of every batch, kept in one SQLite file that survives crashes.

Each question's result is committed in its own transaction the moment its process ends, so a batch killed
at any point (Ctrl-C, a crash, ``kill -9``) loses only the questions that were still running; re-running
the batch grades just those. A submission is identified by its name (the student id), the hash of its
exercise files and the grading key (the kit version and a hash of the hidden tests, the grading code, the
libraries and the system tools they use: see ``grader.book.fingerprint``); stored in the ``kit_version`` columns.
An unchanged submission is never graded twice under one key unless asked. Each
result also carries the hash of the file it graded, so a byte-identical file (an untouched stub, a shared
copy) is graded once per grading key and its result reused for every other submission that holds it.

Every text a submission controls (its name and source path, problems, warnings, messages, test names, flags,
its time) is made ``printable`` before it is stored and again when it is read back, so a lone surrogate or a
control character can neither make a write raise nor reach a report. A write that fails for want of space
rolls its transaction back and raises ``DiskFull``: nothing half-made is stored.

The class is split by job, each part a module of its own: ``grader.book.schema`` opens a file (refusing what is
not a gradebook), creates the tables and migrates an older gradebook; ``grader.book.recording`` writes
(``RecordsResults``); ``grader.book.reading`` reads what the reports show (``ReadsResults``,
``StoredSubmission``); ``grader.book.settings`` is what an assignment remembers. ``Gradebook`` joins them into the
one object every caller uses, and this module stays the name to import them from.
"""

from __future__ import annotations

from pathlib import Path

from grader.book.reading import ReadsResults, StoredSubmission
from grader.book.recording import RecordsResults
from grader.book.schema import GradebookError, open_gradebook
from grader.book.settings import AssignmentSettings
from grader.text.safetext import printable

__all__ = [
    "DEFAULT_ASSIGNMENT",
    "DEFAULT_GRADEBOOK",
    "AssignmentSettings",
    "Gradebook",
    "GradebookError",
    "StoredSubmission",
]

DEFAULT_GRADEBOOK = Path("gradebook.sqlite3")
DEFAULT_ASSIGNMENT = "default"


class Gradebook(RecordsResults, ReadsResults):
    """One SQLite gradebook, seen through one assignment (``--assignment``; ``default`` unless named).

    Every submission belongs to an assignment; results of byte-identical files are shared across
    assignments (they depend on the file and the grading key only), everything else is per assignment.
    Writing is ``RecordsResults``'s, reading ``ReadsResults``'s; opening is ``grader.book.schema``'s.
    """

    def __init__(self, path: Path, assignment: str = DEFAULT_ASSIGNMENT) -> None:
        self.path = path
        self._db = open_gradebook(path)
        self.assignment = printable(assignment)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
