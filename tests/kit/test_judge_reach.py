"""What the judge touches for a host must stay the host's: links planted in the scratch folder, and descriptors.

The judge reads and writes files in a host's scratch folder (q20's log, q22's databases) with its own rights,
outside every sandbox, and it is forked from the grading process. A red-team round found both mattered: a q20
module that links ``logs/notifications.log`` to a classmate's answer had the judge print that answer in its
failure message, a link to any path had the judge write there, and a link to ``/proc/self/fd/3`` (the
gradebook, inherited) had it overwrite the class's gradebook. The scratch tmpfs now follows no link
(``nosymfollow``) and a forked judge keeps no descriptor but its own; each defence is shown to be the one that
holds (``KIT_WEAKEN=scratch-follow-links``, and a judge that keeps what it inherited).
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.judge import child, processes
from grader.judge.child import ChildJob
from grader.judge.processes import ForkedProcess
from grader.kit import solutions_dir

SOLUTION_Q20 = (solutions_dir() / "q20_background_tasks.py").read_text()
Q20 = "q20_background_tasks.py"


def linking_answer(write_target: Path, read_target: Path) -> str:
    """A right q20 answer that links its log file to ``write_target`` at import (the judge writes the earlier
    lines there) and to ``read_target`` when a notification is sent (the judge reads it for its message)."""
    plant = (
        "import os as _os\n"
        "_os.makedirs('logs', exist_ok=True)\n"
        "if not _os.path.lexists('logs/notifications.log'):\n"
        f"    _os.symlink({str(write_target)!r}, 'logs/notifications.log')\n"
    )
    swap = (
        "    if _os.path.islink('logs/notifications.log'):\n"
        "        _os.unlink('logs/notifications.log')\n"
        f"        _os.symlink({str(read_target)!r}, 'logs/notifications.log')\n"
        '    return {"message": "Notification sent"}'
    )
    answer = SOLUTION_Q20.replace("app = FastAPI()", plant + "\napp = FastAPI()", 1)
    sent = '    background_tasks.add_task(write_log, "Notification sent")\n    return {"message": "Notification sent"}'
    assert plant in answer and sent in answer, "the q20 solution changed: rewrite this attack"
    return answer.replace(sent, swap, 1)


def grade_class(
    grade_json: Callable[..., dict[str, Any]], folder: Path, workdir: Path, env: dict[str, str]
) -> tuple[dict[str, Any], Path]:
    """``grade FOLDER -q 20`` run in ``workdir``: its report and the gradebook it wrote there."""
    args = [str(folder), "-q", "20", "--timeout", "30"]
    if os.environ.get("KIT_REQUIRE_SANDBOX") == "1" and "KIT_WEAKEN" not in env:
        args += ["--sandbox", "require"]
    report = grade_json(*args, env={**os.environ, **env}, exit_codes=(0, 1), cwd=workdir)
    books = list(workdir.rglob("*.sqlite3"))
    assert len(books) == 1, books
    return report, books[0]


@pytest.mark.slow
@pytest.mark.parametrize("weakened", [False, True], ids=["nosymfollow", "links followed"])
def test_links_in_the_scratch_take_the_judge_nowhere(
    tmp_path: Path, weakened: bool, grade_json: Callable[..., dict[str, Any]]
) -> None:
    secret = f"ALICE-{uuid.uuid4().hex}"
    classroom, outside, teacher = tmp_path / "class", tmp_path / "outside", tmp_path / "teacher"
    for folder in (classroom / "alice", classroom / "mallory", outside, teacher):
        folder.mkdir(parents=True)
    alice = classroom / "alice" / Q20
    alice.write_text(f"# {secret}\n{SOLUTION_Q20}")
    planted = outside / "written-by-the-judge.txt"
    (classroom / "mallory" / Q20).write_text(linking_answer(planted, alice))

    env = {"KIT_WEAKEN": "scratch-follow-links"} if weakened else {}
    report, book = grade_class(grade_json, classroom, teacher, env)
    text = json.dumps(report)
    with sqlite3.connect(book) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = "\n".join(
            str(row) for table in ("question_results", "test_results") for row in db.execute(f"SELECT * FROM {table}")
        )
    leaked = secret in text or secret in stored
    if weakened:  # the ablation: with links followed, the judge carries the classmate's answer into the report
        assert leaked or planted.exists(), "the attack did nothing with links followed: it tests nothing"
        return
    assert not leaked, "a classmate's answer reached mallory's report"
    assert not planted.exists(), "the judge wrote outside the scratch folder"
    rows = {s["name"]: s for s in report["submissions"]}
    assert rows["alice"]["questions"][0]["status"] == "passed", rows["alice"]


def test_a_forked_judge_holds_no_descriptor_it_was_not_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The grading process holds the gradebook open; its judges must not (``/proc/self/fd/N`` would reach it)."""
    book = sqlite3.connect(tmp_path / "gradebook.sqlite3")
    book.execute("PRAGMA journal_mode = WAL")
    book.execute("CREATE TABLE t (x)")
    book.commit()
    kept_r, kept_w = os.pipe()
    seen = tmp_path / "seen.json"

    def list_descriptors(job: ChildJob) -> None:
        fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
        targets = {}
        for fd in fds:
            try:
                targets[fd] = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                targets[fd] = "?"
        seen.write_text(json.dumps(targets))

    monkeypatch.setattr(child, "run_child", list_descriptors)
    job = ChildJob(
        question_id="q01",
        test_file="",
        target_dir=str(tmp_path),
        module_file="",
        kit_root=str(tmp_path),
        journal=str(tmp_path / "journal"),
        workdir=str(tmp_path),
        token="t",
        zygote_fd=kept_w,
    )
    process = ForkedProcess(job)
    try:
        while process.poll() is None:
            os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        assert process.poll() == 0
    finally:
        process.kill()
        book.close()
        os.close(kept_r)
        os.close(kept_w)
    targets = {int(fd): target for fd, target in json.loads(seen.read_text()).items()}
    extra = {fd: target for fd, target in targets.items() if fd > 2 and fd != kept_w}
    # The listing itself opened /proc/self/fd for a moment (gone by the time it was read: "?"): the only other.
    assert all(target == "?" or "/proc/" in target for target in extra.values()), f"the judge inherited {extra}"
    assert kept_w in targets, "the descriptor the judge was given (its zygote socket) was closed"
    assert not any("gradebook" in target for target in targets.values())


def test_closing_what_is_inherited_keeps_only_what_is_named() -> None:
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code
        processes.close_inherited(keep=(w2,))
        try:
            os.fstat(w1)
            os._exit(1)  # a descriptor not named is still open
        except OSError:
            pass
        try:
            os.write(w2, b"x")
        except OSError:
            os._exit(2)  # the named one was closed
        os._exit(0)
    try:
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        assert os.read(r2, 1) == b"x"
    finally:
        for fd in (r1, w1, r2, w2):
            os.close(fd)


def test_a_forked_judge_reports_no_full_scratch_of_its_parent(tmp_path: Path) -> None:
    """A judge is forked from the grading process, memory and all. A process that started hosts itself (the kit's
    own suite, where a probe fills a scratch folder in-process) holds names in ``FULL_SCRATCH``; a judge forked
    from it must not report its own question as having filled its scratch (in a full-suite run the zygote test's
    q02, a right answer, came back an error for that reason)."""
    from grader.book.scoring import score_question
    from grader.judge.bridge.launch import FULL_SCRATCH
    from grader.judge.runner import GradingJob, run_jobs
    from grader.kit.catalogue import find_question

    question = find_question("2")
    target = tmp_path / "target"
    target.mkdir()
    (target / question.filename).write_bytes((solutions_dir() / question.filename).read_bytes())
    FULL_SCRATCH.append("q99_filled_by_the_parent.py")
    try:
        ((_, run),) = run_jobs([GradingJob("ann", question, target)], workers=1, use_fork=True)
    finally:
        FULL_SCRATCH.remove("q99_filled_by_the_parent.py")
    assert (run.outcome, run.message) == ("completed", ""), run
    assert score_question(question, run).status == "passed", run
