"""Reading the gradebook: a stored submission as every report sees it, and the questions reports ask.

``load`` builds a ``StoredSubmission`` from its rows: the results are rescored under today's catalogue and the
assignment's points (``grader.book.scoring.rescore``), the lateness assessed against the assignment's due date,
the human review attached with its final points (``grader.book.review_store.with_review``). Every text a
submission controls is made ``printable`` again as it is read back, so nothing stored before a rule changed can
reach a report. ``ReadsResults`` is the reading half of ``grader.book.gradebook.Gradebook``; it never writes.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from grader.book.lateness import Lateness, assess
from grader.book.manifest import Manifest
from grader.book.results import QuestionResult, SubmissionResult, TestFailure
from grader.book.review_model import Review
from grader.book.review_store import with_review
from grader.book.scoring import rescore
from grader.book.settings import AssignmentSettings, read_settings
from grader.kit import exercises_dir
from grader.text.safetext import printable

__all__ = ["ReadsResults", "StoredSubmission"]


@dataclass(frozen=True)
class StoredSubmission:
    """A submission as the gradebook knows it: its identity and its latest results."""

    id: int
    name: str
    content_hash: str
    kit_version: str
    source: str
    problem: str
    warnings: tuple[str, ...]
    graded_at: str
    result: SubmissionResult
    manifest: Manifest | None = None  # what `fastlings submit` recorded (hints, change times), checked
    sources: dict[str, str] = field(default_factory=dict)  # question id -> the graded file's text
    submitted_at: str = ""  # ISO 8601: the manifest's time, else the submission's file time ('' unknown)
    lateness: Lateness | None = None  # against the assignment's due date, when it has one
    # Where ``submitted_at`` comes from: "manifest" (fastlings submit), "file" (a file's modification time on the
    # grader's disk), "teacher" (a time the teacher gave, --submission-times), or "" (unknown).
    time_source: str = ""
    # The questions asked of this submission that have no stored result yet (a batch stopped or still running).
    ungraded: tuple[str, ...] = ()
    # The human review (grader.book.review): its points are already in ``result``, the auto ones in review.auto_points.
    review: Review | None = None

    @property
    def incomplete(self) -> bool:
        """Some of its questions are not graded yet: no score of it is final (every report says so)."""
        return bool(self.ungraded)

    @property
    def final_score(self) -> float:
        """The score after the late penalty (the score itself when on time or without a due date)."""
        return self.lateness.apply(self.result.score) if self.lateness else self.result.score

    @property
    def exact_final_percent(self) -> float:
        """The final score in percent, unrounded: what ``--fail-under`` compares."""
        max_score = self.result.max_score
        return 100.0 * self.final_score / max_score if max_score else 0.0

    @property
    def final_percent(self) -> float:
        return round(self.exact_final_percent, 1)

    def diff_against_stub(self, question_id: str) -> str:
        """The unified diff from the kit's stub to the graded file ('' when either is unknown)."""
        source = self.sources.get(question_id)
        question = next((q for q in self.result.questions if q.id == question_id), None)
        if source is None or question is None:
            return ""
        stub = exercises_dir() / f"{question.id}_{question.slug}.py"
        if not stub.is_file():
            return ""
        lines = difflib.unified_diff(
            stub.read_text(encoding="utf-8").splitlines(keepends=True),
            source.splitlines(keepends=True),
            fromfile=f"stub/{stub.name}",
            tofile=f"{self.name}/{stub.name}",
        )
        return "".join(lines)


class ReadsResults:
    """The reads of one gradebook, seen through one assignment (a part of ``Gradebook``, which opens ``_db``)."""

    assignment: str
    _db: sqlite3.Connection

    def graded_questions(self, submission_id: int) -> set[str]:
        rows = self._db.execute("SELECT question_id FROM question_results WHERE submission_id = ?", (submission_id,))
        return {row[0] for row in rows}

    def find_graded_file(self, question_id: str, file_hash: str, kit_version: str) -> int | None:
        """A submission already graded on a byte-identical file for this question, under the same kit."""
        row = self._db.execute(
            "SELECT submission_id FROM question_results WHERE question_id = ? AND file_hash = ? AND kit_version = ?"
            " LIMIT 1",
            (question_id, file_hash, kit_version),
        ).fetchone()
        return None if row is None else int(row[0])

    def _question_results(self, submission_id: int, question_ids: set[str] | None) -> tuple[QuestionResult, ...]:
        """The stored results, their points recomputed under today's catalogue and this assignment's points (see
        ``scoring.rescore``): changing either changes every report at once, and grades nothing again."""
        catalogue = {q.id: q for q in self.settings().catalogue()}
        failures: dict[str, list[TestFailure]] = {}
        for qid, test, message in self._db.execute(
            "SELECT question_id, test, message FROM test_results"
            " WHERE submission_id = ? AND outcome IN ('failed', 'error') ORDER BY rowid",
            (submission_id,),
        ):
            failures.setdefault(qid, []).append(TestFailure(printable(test), printable(message)))
        results = []
        for row in self._db.execute(
            "SELECT question_id, slug, title, level, status, points, max_points, tests_passed, tests_total,"
            " tests_skipped, duration_s, message, flags, sandbox FROM question_results WHERE submission_id = ?"
            " ORDER BY question_id",
            (submission_id,),
        ):
            if question_ids is not None and row[0] not in question_ids:
                continue
            flags = tuple(printable(flag) for flag in row[12].split("\n") if flag)
            layers = tuple(filter(None, row[13].split(",")))
            fields = (*row[:11], printable(row[11]))  # the message
            stored = QuestionResult(*fields, failures=tuple(failures.get(row[0], ())), flags=flags, sandbox=layers)
            question = catalogue.get(row[0])
            results.append(rescore(question, stored) if question else stored)
        return tuple(results)

    def load(self, submission_id: int, question_ids: set[str] | None = None) -> StoredSubmission:
        """One stored submission with its results (all questions, or those in ``question_ids``)."""
        row = self._db.execute(
            "SELECT id, name, content_hash, kit_version, source, problem, warnings, graded_at, manifest, submitted_at,"
            " time_source FROM submissions WHERE id = ?",
            (submission_id,),
        ).fetchone()
        if row is None:
            raise KeyError(submission_id)
        sid, name, digest, version, source, problem, warnings, graded_at, recorded, submitted_at, time_source = row
        name, source, problem, submitted_at = map(printable, (name, source, problem, submitted_at))
        settings = self.settings()
        if name in settings.times:  # the teacher's record of when it arrived wins over the candidate's side
            submitted_at, time_source = settings.times[name], "teacher"
        questions = self._question_results(sid, question_ids)
        ungraded = () if problem or question_ids is None else tuple(sorted(question_ids - {q.id for q in questions}))
        result = SubmissionResult(target=name, questions=questions, duration_s=sum(q.duration_s for q in questions))
        notes = tuple(printable(note) for note in warnings.split("\n") if note)
        manifest = Manifest.from_dict(json.loads(recorded)) if recorded else None
        sources = {
            qid: content.decode("utf-8", errors="replace")
            for qid, content in self._db.execute(
                "SELECT r.question_id, f.content FROM question_results r JOIN files f ON f.file_hash = r.file_hash"
                " WHERE r.submission_id = ?",
                (sid,),
            )
            if question_ids is None or qid in question_ids
        }
        lateness = assess(submitted_at, settings.due, settings.late_policy)  # "" prices nothing, as "none" does
        stored = StoredSubmission(
            sid,
            name,
            digest,
            version,
            source,
            problem,
            notes,
            graded_at,
            result,
            manifest,
            sources,
            submitted_at,
            lateness,
            printable(time_source),
            ungraded,
        )
        return with_review(self._db, self.assignment, stored)  # final points: auto + rubric + adjustments

    def latest(self, question_ids: set[str] | None = None) -> list[StoredSubmission]:
        """Each student's most recently graded submission in this assignment, by name."""
        rows = self._db.execute(
            "SELECT id FROM submissions s WHERE assignment = ? AND id = (SELECT id FROM submissions t"
            " WHERE t.assignment = s.assignment AND t.name = s.name ORDER BY graded_at DESC, id DESC LIMIT 1)"
            " ORDER BY name",
            (self.assignment,),
        ).fetchall()
        return [self.load(row[0], question_ids) for row in rows]

    def assignments(self) -> dict[str, int]:
        """Every assignment the gradebook holds and its number of students (0 for one described, not yet graded)."""
        rows = self._db.execute(
            "SELECT assignment, count(DISTINCT name) FROM submissions GROUP BY assignment"
            " UNION ALL SELECT name, 0 FROM assignments WHERE questions != ''"
        )
        held: dict[str, int] = {}
        for name, count in rows:
            held[name] = max(held.get(name, 0), count)
        return dict(sorted(held.items()))

    def deadline(self) -> tuple[str, str]:
        """This assignment's due date (ISO 8601) and late policy, as last set ('' for none)."""
        settings = self.settings()
        return settings.due, settings.late_policy

    def settings(self) -> AssignmentSettings:
        """What this assignment remembers (all empty for an assignment never described)."""
        return read_settings(self._db, self.assignment)

    def graded_question_ids(self) -> set[str]:
        """The questions any submission of this assignment has a result for."""
        rows = self._db.execute(
            "SELECT DISTINCT r.question_id FROM question_results r JOIN submissions s ON s.id = r.submission_id"
            " WHERE s.assignment = ?",
            (self.assignment,),
        )
        return {row[0] for row in rows}

    @staticmethod
    def holds(path: Path, assignment: str) -> bool:
        """Whether the gradebook file at ``path`` knows ``assignment`` (read only; False for anything unreadable)."""
        if not path.is_file():
            return False
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        except sqlite3.Error:
            return False
        try:
            described = db.execute(
                "SELECT 1 FROM assignments WHERE name = ? AND questions != ''", (assignment,)
            ).fetchone()
            graded = db.execute("SELECT 1 FROM submissions WHERE assignment = ? LIMIT 1", (assignment,)).fetchone()
            return bool(described or graded)
        except sqlite3.Error:
            return False
        finally:
            db.close()
