"""The attack corpus: every way a hostile submission has tried to forge its score or reach the machine.

Each test grades a real submission with the real ``grade`` command (a subprocess, as an interviewer runs it)
and asserts that the attacked question earns only what its behaviour earns, that every other question is
graded exactly as without the attack, and that nothing outside the candidate's scratch folder changed: the
kit, the submission, the gradebook, other students' files. Where it helps to prove that a test can fail,
the same attack is run once with ``--sandbox off`` and shown to succeed there.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.kit import exercises_dir, kit_root, solutions_dir

pytestmark = pytest.mark.slow

STUB_Q03 = (exercises_dir() / "q03_path_parameters.py").read_text()
SOLUTION_Q02 = (solutions_dir() / "q02_basic_app.py").read_text()
Q03 = "q03_path_parameters.py"
Q02 = "q02_basic_app.py"


def grade(*args: str, exit_codes: tuple[int, ...] = (0, 1), env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``grade ... --json`` as a user would; its parsed JSON (the run must finish and report).

    Where CI demands the sandbox (``KIT_REQUIRE_SANDBOX=1``), grading runs with ``--sandbox require``: a layer
    missing on the CI machine fails these tests instead of letting them pass with less protection. ``env`` is
    added to the grader's environment (``KIT_WEAKEN`` to switch a defence off, a secret to look for).
    """
    if os.environ.get("KIT_REQUIRE_SANDBOX") == "1" and "--sandbox" not in args:
        args = (*args, "--sandbox", "require")
    completed = subprocess.run(
        [sys.executable, "-m", "grader", *args, "--json", "--timeout", "30"],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    assert completed.returncode in exit_codes, completed.stderr
    return json.loads(completed.stdout)


def question(report: dict[str, Any], qid: str) -> dict[str, Any]:
    """One question of a submission, or of a one-submission report."""
    if "submissions" in report:
        (report,) = report["submissions"]
    return next(q for q in report["questions"] if q["id"] == qid)


def snapshot(root: Path) -> dict[str, str]:
    """Every file below ``root`` (caches aside) and the hash of its bytes."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and ".git" not in path.parts:
            files[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def kit_snapshot() -> dict[str, str]:
    root = kit_root()
    return {
        f"{part}/{k}": v
        for part in ("tests", "solutions", "exercises", "grader")
        for k, v in snapshot(root / part).items()
    }


def submission(tmp_path: Path, attack: str, base: str = STUB_Q03, name: str = "candidate") -> Path:
    """A folder holding the q02 solution (the bystander) and q03 = ``base`` + ``attack``."""
    folder = tmp_path / name
    folder.mkdir(parents=True)
    (folder / Q02).write_text(SOLUTION_Q02)
    (folder / Q03).write_text(base + "\n" + attack)
    return folder


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """q02 (the solution) and q03 (the stub, touched so that it runs) graded without any attack."""
    folder = tmp_path_factory.mktemp("baseline")
    (folder / Q02).write_text(SOLUTION_Q02)
    (folder / Q03).write_text(STUB_Q03 + "\n# no attack\n")
    return grade(str(folder), "-q", "2", "-q", "3")


def assert_bystander_unchanged(report: dict[str, Any], baseline: dict[str, Any]) -> None:
    got, expected = question(report, "q02"), question(baseline, "q02")
    keys = ("status", "points", "tests_passed", "tests_total")
    assert {k: got[k] for k in keys} == {k: expected[k] for k in keys}


def assert_earns_nothing(report: dict[str, Any]) -> None:
    q03 = question(report, "q03")
    assert q03["points"] == 0 and q03["status"] != "passed", q03


def test_patching_pytest_from_the_module_forges_nothing(tmp_path: Path, baseline: dict[str, Any]) -> None:
    attack = 'import sys as _s\n_s.modules["_pytest.python"].Function.runtest = lambda self: None\n'
    report = grade(str(submission(tmp_path, attack)), "-q", "2", "-q", "3")
    assert_earns_nothing(report)
    assert question(report, "q03")["tests_total"] == question(baseline, "q03")["tests_total"]
    assert any("sys.modules" in flag for flag in question(report, "q03")["flags"])
    assert_bystander_unchanged(report, baseline)


def test_the_reference_solution_and_hidden_tests_are_out_of_reach(tmp_path: Path, baseline: dict[str, Any]) -> None:
    """The kit is neither in a host's memory (no ``grader.kit`` to ask) nor readable on disk (Landlock)."""
    attack = (
        "import sys\n"
        f"_root = sys.modules['grader.kit'].kit_root() if 'grader.kit' in sys.modules else {str(kit_root())!r}\n"
        "exec(open(str(_root) + '/solutions/q03_path_parameters.py').read())\n"
    )
    report = grade(str(submission(tmp_path, attack)), "-q", "2", "-q", "3")
    assert_earns_nothing(report)
    assert "PermissionError" in question(report, "q03")["message"]
    assert_bystander_unchanged(report, baseline)


FORGE_JOURNAL = """
import gc, json
for _obj in gc.get_objects():
    if type(_obj).__name__ == "ChildJob":
        with open(_obj.journal, "a") as _journal:
            _tests = [{"name": name, "outcome": "passed", "message": ""} for name in _NAMES]
            _journal.write(json.dumps({"event": "imported", "token": _obj.token}) + "\\n")
            _journal.write(json.dumps({"event": "finished", "token": _obj.token, "tests": _tests}) + "\\n")
        import os
        try:
            os.kill(os.getppid(), 9)  # the judge: so that it cannot report the truth after the forgery
        except OSError:
            pass
        os._exit(0)
"""


def _names_of_q03_tests() -> list[str]:
    source = (kit_root() / "tests" / "hidden" / "test_q03_path_parameters.py").read_text()
    return [line.split("(")[0][4:] for line in source.splitlines() if line.startswith("def test_")]


@pytest.mark.parametrize("sandbox", ["auto", "off", "weakened"])
def test_the_journal_cannot_be_forged(tmp_path: Path, baseline: dict[str, Any], sandbox: str) -> None:
    """The judge's journal and token sit in the judge's memory: a host forked from the judge would inherit them.

    Hosts come from a zygote exec'd clean, so even without the sandbox there is nothing to find.
    """
    attack = f"_NAMES = {_names_of_q03_tests()!r}\n{FORGE_JOURNAL}"
    weaken = {"KIT_WEAKEN": "host-fork-from-judge"} if sandbox == "weakened" else {}
    mode = "off" if sandbox == "weakened" else sandbox
    report = grade(str(submission(tmp_path, attack)), "-q", "2", "-q", "3", "--sandbox", mode, env=weaken)
    if sandbox == "weakened":  # proof that this test can fail: forked from the judge, unconfined, it lands
        assert question(report, "q03")["status"] == "passed"
        return
    assert_earns_nothing(report)
    assert_bystander_unchanged(report, baseline)


def test_the_submission_and_the_kit_cannot_be_rewritten(tmp_path: Path, baseline: dict[str, Any]) -> None:
    folder = tmp_path / "candidate"
    targets = [folder / Q02, kit_root() / "tests" / "hidden" / "conftest.py", kit_root() / "solutions" / "x.py"]
    attack = (
        "for _path in " + repr([str(t) for t in targets]) + ":\n"
        "    try:\n"
        "        open(_path, 'w').write('pass\\n')\n"
        "    except OSError:\n"
        "        pass\n"
        "import os\n"
        "for _name in os.listdir(os.getcwd()):\n"
        "    pass\n"
    )
    submission(tmp_path, attack)
    before_kit, before_submission = kit_snapshot(), snapshot(folder)
    report = grade(str(folder), "-q", "2", "-q", "3")
    assert kit_snapshot() == before_kit
    assert snapshot(folder) == before_submission
    assert not (kit_root() / "tests" / "hidden" / "conftest.py").exists()
    assert_earns_nothing(report)
    assert_bystander_unchanged(report, baseline)


def test_classmates_and_the_gradebook_are_out_of_reach(tmp_path: Path) -> None:
    classroom = tmp_path / "class"
    book = tmp_path / "marks.sqlite3"
    bob = classroom / "bob"
    attack = (
        "import os, shutil, sqlite3\n"
        f"shutil.rmtree({str(bob)!r}, ignore_errors=True)\n"
        "try:\n"
        f"    _db = sqlite3.connect({str(book)!r})\n"
        '    _db.execute("CREATE TRIGGER forge AFTER INSERT ON question_results BEGIN "\n'
        '                "UPDATE question_results SET points = 0; END")\n'
        "    _db.commit()\n"
        "except Exception:\n"
        "    pass\n"
    )
    submission(classroom, attack, name="alice")
    bob.mkdir()
    (bob / Q02).write_text(SOLUTION_Q02)
    (bob / Q03).write_text((solutions_dir() / Q03).read_text())
    before_bob = snapshot(bob)
    report = grade(str(classroom), "-q", "2", "-q", "3", "--gradebook", str(book))
    assert snapshot(bob) == before_bob
    students = {s["name"]: s for s in report["submissions"]}
    assert students["bob"]["score"] == students["bob"]["max_score"] == 2
    assert question(students["alice"], "q03")["points"] == 0
    with contextlib.closing(sqlite3.connect(book)) as db:
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone() == (0,)


def test_a_gradebook_holding_a_trigger_is_refused(tmp_path: Path) -> None:
    from grader.book.gradebook import Gradebook, GradebookError

    book = tmp_path / "marks.sqlite3"
    Gradebook(book).close()
    with contextlib.closing(sqlite3.connect(book)) as db:
        db.execute("CREATE TRIGGER forge AFTER INSERT ON question_results BEGIN SELECT 1; END")
        db.commit()
    with pytest.raises(GradebookError, match="trigger forge"):
        Gradebook(book)


@pytest.mark.parametrize(
    "probe",
    [
        "open('/etc/hostname').read()",
        "import pathlib; list(pathlib.Path(" + repr(str(Path.home())) + ").iterdir())",
        "import os; assert os.environ.get('HOME') == " + repr(os.environ.get("HOME", "")) + ", 'env'",
        "import subprocess; subprocess.run(['true'], check=True)",
    ],
    ids=["etc", "home", "environment", "exec"],
)
def test_the_machine_is_out_of_reach(tmp_path: Path, probe: str) -> None:
    """The q02 solution with a probe in front: it keeps its points only if the probe succeeds (it must not)."""
    folder = tmp_path / "candidate"
    folder.mkdir()
    (folder / Q02).write_text(probe + "\n" + SOLUTION_Q02)
    report = grade(str(folder), "-q", "2")
    assert question(report, "q02")["status"] == "error", question(report, "q02")


@pytest.mark.parametrize("sandbox", ["auto", "off"])
def test_no_connection_reaches_a_listener(tmp_path: Path, sandbox: str) -> None:
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.setblocking(False)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.setblocking(False)
    tcp_port, udp_port = tcp.getsockname()[1], udp.getsockname()[1]
    attack = (
        "import socket\n"
        "def _udp():\n"
        f"    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', {udp_port}))\n"
        "for _send in (\n"
        f"    lambda: socket.create_connection(('127.0.0.1', {tcp_port}), timeout=2).sendall(b'x'),\n"
        "    _udp,\n"
        "):\n"
        "    try:\n"
        "        _send()\n"
        "    except OSError:\n"
        "        pass\n"
    )
    try:
        grade(str(submission(tmp_path, attack)), "-q", "3", "--sandbox", sandbox)
        reached = []
        with contextlib.suppress(BlockingIOError):
            tcp.accept()[0].close()
            reached.append("tcp")
        with contextlib.suppress(BlockingIOError):
            udp.recvfrom(16)
            reached.append("udp")
    finally:
        tcp.close()
        udp.close()
    assert reached == ([] if sandbox == "auto" else ["tcp", "udp"])


DAEMON = """
import ctypes, os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, {name!r}.encode(), 0, 0, 0)
        time.sleep(120)
    os._exit(0)
"""


@pytest.mark.parametrize("sandbox", ["auto", "off"])
def test_no_process_outlives_its_question(
    tmp_path: Path, baseline: dict[str, Any], processes_named: Callable[[str], list[int]], sandbox: str
) -> None:
    name = "kit" + uuid.uuid4().hex[:10]  # comm names hold 15 characters
    report = grade(str(submission(tmp_path, DAEMON.format(name=name))), "-q", "2", "-q", "3", "--sandbox", sandbox)
    survivors = processes_named(name)
    for pid in survivors:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if sandbox == "off":  # proof that this test can fail: a setsid daemon escapes a process-group kill
        assert survivors
        return
    assert survivors == []
    assert_bystander_unchanged(report, baseline)


def test_killing_the_grader_is_refused(tmp_path: Path, baseline: dict[str, Any]) -> None:
    attack = (
        "import os, signal\n"
        "for _kill in (lambda: os.kill(os.getppid(), 9), lambda: os.killpg(os.getpgid(0), 9),\n"
        "              lambda: os.kill(os.getppid(), signal.SIGSTOP)):\n"
        "    try:\n"
        "        _kill()\n"
        "    except OSError:\n"
        "        pass\n"
    )
    report = grade(str(submission(tmp_path, attack)), "-q", "2", "-q", "3")
    assert question(report, "q03")["points"] == 0
    assert_bystander_unchanged(report, baseline)


def test_a_fifo_or_a_link_to_dev_zero_is_refused_at_intake(tmp_path: Path, baseline: dict[str, Any]) -> None:
    folder = tmp_path / "candidate"
    folder.mkdir()
    (folder / Q02).write_text(SOLUTION_Q02)
    os.mkfifo(folder / Q03)
    (folder / "q04_query_parameters.py").symlink_to("/dev/zero")
    report = grade(str(folder), "-q", "2", "-q", "3", "-q", "4")
    assert "FIFO" in question(report, "q03")["message"]
    assert "symbolic link" in question(report, "q04_query_parameters"[:3])["message"]
    assert_bystander_unchanged(report, baseline)


def test_a_module_that_erases_itself_is_still_scanned(tmp_path: Path) -> None:
    attack = "import gc\nopen(__file__, 'w').write('# nothing to see\\n')\n"
    folder = submission(tmp_path, attack)
    report = grade(str(folder), "-q", "3")
    assert any("gc" in flag for flag in question(report, "q03")["flags"])
    assert (folder / Q03).read_text().endswith(attack)


def test_memory_is_capped_for_the_whole_tree(tmp_path: Path) -> None:
    """Three children of 200 MB each under a 400 MB cgroup: the kernel stops them, not the machine."""
    from grader.sandbox import Policy, run_confined, runtime_paths
    from grader.sandbox.process import Cgroup

    group = Cgroup.create(f"grade-test-{os.getpid()}", 400 * 1024**2, 32)
    assert group is not None, "no writable cgroup hierarchy (grade doctor)"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    policy = Policy(
        "auto", str(scratch), str(scratch), runtime_paths([kit_root()]), cgroup=tuple(map(str, group.folders))
    )

    def allocate_in_three_children(_applied: object) -> list[int]:
        children = []
        for _ in range(3):
            child = os.fork()
            if child == 0:
                block = bytearray(200 * 1024**2)
                for offset in range(0, len(block), 4096):
                    block[offset] = 1
                os._exit(0)
            children.append(child)
        return [os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) for child in children]

    try:
        statuses = run_confined(policy, allocate_in_three_children)
    finally:
        group.remove()
    assert any(status == -signal.SIGKILL for status in statuses), statuses


RAISES_WITH_ESCAPES = """
@app.get("/items/{item_id}")
def _evil(item_id: str) -> None:
    raise RuntimeError("\\x1b[2J\\x1b]52;c;QUFBQQ==\\x07 cleared your screen")
"""


def test_control_characters_and_formulas_never_reach_the_outputs(tmp_path: Path) -> None:
    classroom = tmp_path / "class"
    evil_name = "mallory\x1b]52;c;QUFB\x07\x9b2J"
    for name in (evil_name, '=HYPERLINK("http://x")'):
        folder = classroom / name
        folder.mkdir(parents=True)
        (folder / Q03).write_text(STUB_Q03 + RAISES_WITH_ESCAPES)
    csv_path, junit_path = tmp_path / "grades.csv", tmp_path / "grades.xml"
    args = [str(classroom), "-q", "3", "--gradebook", str(tmp_path / "g.sqlite3"), "--no-color"]
    completed = subprocess.run(
        [sys.executable, "-m", "grader", *args, "-v", "--csv", str(csv_path), "--junit", str(junit_path)],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stderr
    for output in (completed.stdout, completed.stderr, csv_path.read_text(), junit_path.read_text()):
        assert not any((ord(c) < 32 and c not in "\n") or 0x7F <= ord(c) <= 0x9F for c in output), repr(output)
    assert "mallory\\x1b]52;c;QUFB\\x07\\x9b2J" in completed.stdout
    from xml.etree import ElementTree

    junit = ElementTree.parse(junit_path)  # well-formed whatever the names and messages held
    layers = {p.get("name"): p.get("value") for p in junit.iter("property")}
    assert "landlock" in layers["sandbox.active"].split(","), layers  # every report says what confined the code
    rows = csv_path.read_text().splitlines()
    assert any(row.startswith("\"'=HYPERLINK(") for row in rows), rows


def test_a_manifest_naming_files_outside_the_submission_is_not_followed(tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr(Q02, SOLUTION_Q02)
        manifest = {"files": {"/proc/self/mem": "0" * 64, "../../etc/passwd": "0" * 64, Q02: "0" * 64}}
        handle.writestr("manifest.json", json.dumps(manifest))
    report = grade(str(archive), "-q", "2", "--gradebook", str(tmp_path / "g.db"), exit_codes=(0,))
    (alice,) = report["submissions"]
    assert question(alice, "q02")["status"] == "passed"
    assert any("not exercises" in warning for warning in alice["warnings"]), alice["warnings"]


def test_a_tar_of_empty_headers_is_refused_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Members are counted as they are read: reading them all first (getmembers) is what costs minutes."""
    import io
    import tarfile

    from grader.book.archives import MAX_MEMBERS, ArchiveError, extract_archive

    archive = tmp_path / "flood.tar"
    with tarfile.open(archive, "w") as handle:
        for index in range(MAX_MEMBERS + 50):
            handle.addfile(tarfile.TarInfo(f"e{index}"), io.BytesIO(b""))

    def forbidden(self: tarfile.TarFile) -> list[tarfile.TarInfo]:
        raise AssertionError("getmembers() reads every header before any limit applies")

    monkeypatch.setattr(tarfile.TarFile, "getmembers", forbidden)
    destination = tmp_path / "out"
    destination.mkdir()
    with pytest.raises(ArchiveError, match=f"more than the {MAX_MEMBERS} members"):
        extract_archive(archive, destination)


def test_every_sandbox_layer_works_where_ci_requires_it() -> None:
    """``grade doctor`` reports every layer here when CI sets KIT_REQUIRE_SANDBOX=1 (Linux, recent kernel)."""
    from grader.sandbox import probe

    missing = {layer: why for layer, why in probe().items() if why}
    if os.environ.get("KIT_REQUIRE_SANDBOX") == "1":
        assert missing == {}, missing
    else:
        assert set(missing) <= {"landlock", "seccomp", "pidns", "cgroup", "disk", "nocaps"}, missing


@pytest.mark.parametrize("use_fork", [True, False], ids=["forked judge", "fresh-interpreter judge"])
def test_a_timeout_leaves_no_process_behind_on_either_launcher(
    tmp_path: Path, processes_named: Callable[[str], list[int]], use_fork: bool
) -> None:
    from grader.judge.runner import GradingJob, run_jobs
    from grader.kit.catalogue import select_questions

    name = "kit" + uuid.uuid4().hex[:10]
    (tmp_path / Q03).write_text(DAEMON.format(name=name) + "\nwhile True:\n    pass\n")
    (q03,) = select_questions(("q03",))
    ((_job, run),) = run_jobs([GradingJob("hang", q03, tmp_path)], use_fork=use_fork, timeout_s=6)
    survivors = processes_named(name)
    for pid in survivors:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert run.outcome == "timeout", run
    assert survivors == [], "a process the module started outlived its question"


@pytest.mark.parametrize("sandbox", ["auto", "off"])
def test_a_module_that_serves_itself_at_import_gets_one_clear_error(tmp_path: Path, sandbox: str) -> None:
    """`uvicorn.run(app)` at module level: the same status and message for every question, in every mode."""
    folder = tmp_path / "candidate"
    folder.mkdir()
    for name in (Q02, Q03, "q05_automatic_docs.py"):
        (folder / name).write_text((solutions_dir() / name).read_text() + "\nimport uvicorn\nuvicorn.run(app)\n")
    report = grade(str(folder), "-q", "2", "-q", "3", "-q", "5", "--sandbox", sandbox)
    for q in report["submissions"][0]["questions"]:
        assert q["status"] == "error", q
        assert "starts a server when imported" in q["message"] and "line" in q["message"], q["message"]


LOOKS_FOR_HIDDEN_TESTS = """
import gc as _gc
_seen = [
    o for o in _gc.get_objects()
    if type(o).__name__ == "function" and "tests/hidden" in getattr(getattr(o, "__code__", None), "co_filename", "")
]
if not _seen:
    del app  # without the hidden tests to read, this answer gives up
"""


@pytest.mark.parametrize("sandbox", ["auto", "off", "weakened"])
def test_the_hidden_tests_are_not_in_the_hosts_memory(tmp_path: Path, sandbox: str) -> None:
    """Hosts are forked from a zygote exec'd clean, which never held a hidden test: nothing of them to read."""
    folder = tmp_path / "candidate"
    folder.mkdir()
    (folder / Q02).write_text(SOLUTION_Q02 + LOOKS_FOR_HIDDEN_TESTS)
    weaken = {"KIT_WEAKEN": "host-fork-from-judge"} if sandbox == "weakened" else {}
    report = grade(str(folder), "-q", "2", "--sandbox", "off" if sandbox == "weakened" else sandbox, env=weaken)
    if sandbox == "weakened":  # proof that this test can fail: forked from the judge, a host sees its tests
        assert question(report, "q02")["status"] == "passed"
        return
    assert question(report, "q02")["status"] != "passed", "the module found hidden test functions in memory"


def test_cgroups_left_by_a_killed_run_are_swept(tmp_path: Path) -> None:
    """A run killed with kill -9 cannot remove its hosts' cgroups; the next run removes those of dead runs."""
    from grader.sandbox.process import Cgroup

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = Cgroup.create(f"grade-host-{dead.pid}-test", 64 * 1024**2, 8)
    ours = Cgroup.create(f"grade-host-{os.getpid()}-test", 64 * 1024**2, 8)
    assert orphan is not None and ours is not None, "no writable cgroup hierarchy (grade doctor)"
    try:
        Cgroup.sweep_orphans()
        assert not any(folder.exists() for folder in orphan.folders)
        assert all(folder.exists() for folder in ours.folders), "a live run's cgroups are left alone"
    finally:
        orphan.remove()
        ours.remove()


# A host that reads its own memory, every readable mapping, for what it must not hold. The looked-for bytes are
# named by their hash, so that the scanner's own text cannot be what it finds: after PREFIX come 32 hex digits
# whose sha256 is one of TARGETS. It keeps its points (answers {"Hello": "World"}) only if it finds its target.
MEMORY_SCANNER = """
import hashlib, re
from fastapi import FastAPI

PREFIX = b"kit-" + b"needle-"
TARGETS = {target!r}


def _found() -> set[str]:
    found = set()
    pattern = re.compile(re.escape(PREFIX) + b"([0-9a-f]{{32}})")
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", buffering=0) as mem:
        for line in maps:
            fields = line.split()
            start, end = (int(part, 16) for part in fields[0].split("-"))
            if fields[1][1] == "w" and fields[1][3] == "s":
                found.add("writable shared mapping")
            if fields[1][0] != "r" or (len(fields) > 5 and fields[5] in ("[vvar]", "[vsyscall]", "[vvar_vclock]")):
                continue
            try:
                mem.seek(start)
                data = mem.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue
            for match in pattern.finditer(data):
                digest = hashlib.sha256(match.group(1)).hexdigest()
                if digest in TARGETS:
                    found.add(TARGETS[digest])
    return found


app = FastAPI()
if {wanted!r} in _found():

    @app.get("/")
    def root() -> dict[str, str]:
        return {{"Hello": "World"}}

    @app.get("/health")
    def health() -> dict[str, str]:
        return {{"status": "ok"}}
"""


def _needle() -> tuple[str, str]:
    """A string to plant (``kit-needle-`` + 32 hex digits) and the sha256 of its digits."""
    digits = uuid.uuid4().hex
    return "kit-" + "needle-" + digits, hashlib.sha256(digits.encode()).hexdigest()


@pytest.mark.parametrize("design", ["exec-zygote", "weakened"])
def test_a_host_holds_nothing_of_classmates_the_grader_or_the_gradebook(tmp_path: Path, design: str) -> None:
    """A host's whole memory, read from inside it: no byte of another submission, none of the grader's
    environment, and no writable shared mapping (the gradebook's WAL index). Graded with ``--sandbox off``, so
    that what is proven is what the host *holds*, not only what the sandbox lets it read."""
    marker, marker_hash = _needle()
    secret, secret_hash = _needle()
    targets = {marker_hash: "classmate", secret_hash: "grader secret"}
    class_dir = tmp_path / "class"
    (class_dir / "alice").mkdir(parents=True)
    (class_dir / "alice" / Q02).write_text(SOLUTION_Q02 + f"\n# {marker}\n")
    for student, wanted in (("bob", "classmate"), ("carol", "grader secret"), ("dave", "writable shared mapping")):
        (class_dir / student).mkdir()
        (class_dir / student / Q02).write_text(MEMORY_SCANNER.format(target=targets, wanted=wanted))
    env = {"KIT_TEST_SECRET": secret, **({"KIT_WEAKEN": "host-fork-from-judge"} if design == "weakened" else {})}
    book = tmp_path / "book.sqlite3"
    report = grade(str(class_dir), "-q", "2", "--sandbox", "off", "--gradebook", str(book), "-j", "1", env=env)
    status = {s["name"]: s["questions"][0]["status"] for s in report["submissions"]}
    assert status["alice"] == "passed", status
    if design == "weakened":  # proof that this test can fail: forked from the judge, a host holds all of it
        assert status["carol"] == status["dave"] == "passed", status
        return
    assert status == {"alice": "passed", "bob": "failed", "carol": "failed", "dave": "failed"}, status
    with sqlite3.connect(book) as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)


# Frames written straight onto the host's sockets (its channel to the judge and its link to the judge's
# services), instead of anything the protocol would send.
SLOW_FRAME = """
import struct

def _trickle(fd):
    body = b'{"ok": true, "result": {"loaded": true}}' + b" " * 200
    try:
        os.write(fd, struct.pack(">I", len(body)))
        for byte in body:
            os.write(fd, bytes([byte]))
            time.sleep(2)
    except OSError:
        pass

_send_everywhere(_trickle)
"""

AMPLIFYING_FRAME = """
import os, stat, struct, time

_body = b'{"ok": true, "result": ' + b"[" + b"[]," * (20 * 1024 * 1024) + b"[]]}"
for _fd in range(3, 64):
    try:
        if stat.S_ISSOCK(os.fstat(_fd).st_mode):
            os.write(_fd, struct.pack(">I", len(_body)) + _body)
    except OSError:
        pass
time.sleep(600)
"""


@pytest.mark.parametrize("defence", ["on", "weakened"])
def test_a_frame_trickled_byte_by_byte_meets_its_deadline(
    tmp_path: Path, baseline: dict[str, Any], frame_writer: str, defence: str
) -> None:
    """The deadline is per frame: a byte every 2 s does not stretch the 10 s import deadline to the question's."""
    env = {"KIT_WEAKEN": "frame-deadline"} if defence == "weakened" else {}
    report = grade(str(submission(tmp_path, frame_writer + SLOW_FRAME)), "-q", "2", "-q", "3", env=env)
    q03 = question(report, "q03")
    assert q03["status"] == "timeout" and q03["points"] == 0, q03
    if defence == "weakened":  # proof that this test can fail: each read waits 10 s, the frame takes minutes
        assert "did not finish importing within 10 s" not in q03["message"], q03["message"]
        return
    assert "did not finish importing within 10 s" in q03["message"], q03["message"]
    assert_bystander_unchanged(report, baseline)


@pytest.mark.parametrize("defence", ["on", "weakened"])
def test_a_frame_of_millions_of_values_is_refused_before_it_is_parsed(tmp_path: Path, defence: str) -> None:
    """60 MiB of ``[],`` would be about 1.5 GB of lists in the judge: it is refused by its count of values, and
    no process of the run grows anywhere near that (the largest, measured by the kernel, stays under 700 MB)."""
    folder = submission(tmp_path, AMPLIFYING_FRAME)
    env = {**os.environ, **({"KIT_WEAKEN": "frame-values"} if defence == "weakened" else {})}
    measure = (
        "import json, resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True, stdin=subprocess.DEVNULL)\n"
        "print(json.dumps({'code': done.returncode, 'stdout': done.stdout,\n"
        "                  'max_rss_kib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n"
    )
    args = [sys.executable, "-m", "grader", str(folder), "-q", "3", "--json", "--timeout", "30"]
    if os.environ.get("KIT_REQUIRE_SANDBOX") == "1":
        args += ["--sandbox", "require"]
    completed = subprocess.run(
        [sys.executable, "-c", measure, *args], capture_output=True, text=True, timeout=300, env=env
    )
    outcome = json.loads(completed.stdout)
    assert outcome["code"] in (0, 1), completed.stderr
    q03 = question(json.loads(outcome["stdout"]), "q03")
    assert q03["points"] == 0 and q03["status"] in ("error", "timeout"), q03
    if defence == "weakened":  # proof that this test can fail: parsed, the frame takes the judge past 700 MB
        assert outcome["max_rss_kib"] >= 700 * 1024, outcome["max_rss_kib"]
        return
    assert outcome["max_rss_kib"] < 700 * 1024, f"a process of the run grew to {outcome['max_rss_kib'] // 1024} MB"


FILLS_THE_DISK = """
import os
for _n in range(5):
    try:
        with open(f"fill-{_n}.bin", "wb") as _f:
            for _ in range(100):
                _f.write(b"\\xa5" * 1024 * 1024)
    except OSError:
        break
"""


@pytest.mark.parametrize("defence", ["on", "weakened"])
def test_what_a_host_writes_in_all_has_a_ceiling(tmp_path: Path, defence: str) -> None:
    """Five files of 100 MiB, each under the per-file limit: the scratch tmpfs stops them at 256 MiB in all, and
    the question is an error that says why, though its tests pass. Nothing is left mounted afterwards."""
    folder = tmp_path / "candidate"
    folder.mkdir()
    (folder / Q02).write_text(SOLUTION_Q02 + FILLS_THE_DISK)
    env = {"KIT_WEAKEN": "scratch-tmpfs"} if defence == "weakened" else {}
    report = grade(str(folder), "-q", "2", env=env)
    q02 = question(report, "q02")
    mounts = [line for line in Path("/proc/self/mountinfo").read_text().splitlines() if "grade-scratch-" in line]
    left = [line for line in mounts if not Path(f"/proc/{line.rsplit('grade-scratch-', 1)[1].split()[0]}").exists()]
    assert left == [], "a scratch tmpfs outlived its judge"
    if defence == "weakened":  # proof that this test can fail: 500 MiB land on the grader's disk, no ceiling
        assert "filled its scratch folder" not in q02["message"], q02
        return
    assert q02["status"] == "error" and q02["points"] == 0, q02
    assert "filled its scratch folder" in q02["message"] and "256 MiB" in q02["message"], q02["message"]


REDIS_PIVOT = """
import os
if os.environ.get("REDIS_URL"):
    import redis as _redis
    _server = _redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=2)
    for _command in (
        ("SET", "pivot", "x"),
        ("MIGRATE", "127.0.0.1", {port}, "pivot", 0, 1000, "REPLACE"),
        ("REPLICAOF", "127.0.0.1", {port}),
        ("CONFIG", "SET", "dir", "/"),
    ):
        try:
            _server.execute_command(*_command)
        except Exception:
            pass
"""


def test_the_tests_redis_server_is_no_pivot(tmp_path: Path) -> None:
    """q30's Redis tests hand the module a redis-server: MIGRATE and REPLICAOF must not make it connect to another
    service on the machine (the module's user has no dangerous command, and the server itself may connect to no
    port at all)."""
    import shutil

    if shutil.which("redis-server") is None:
        if os.environ.get("KIT_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is required here (KIT_REQUIRE_REDIS=1)")
        pytest.skip("redis-server not installed")
    other_service = socket.socket()
    other_service.bind(("127.0.0.1", 0))
    other_service.listen(8)
    other_service.setblocking(False)
    folder = tmp_path / "candidate"
    folder.mkdir()
    solution = (solutions_dir() / "q30_performance.py").read_text()
    (folder / "q30_performance.py").write_text(solution + REDIS_PIVOT.format(port=other_service.getsockname()[1]))
    try:
        report = grade(str(folder), "-q", "30")
        time.sleep(1.5)  # a replica would retry its master within a second
        reached = []
        with contextlib.suppress(BlockingIOError):
            other_service.accept()[0].close()
            reached.append("connected")
    finally:
        other_service.close()
    assert reached == [], "the tests' redis-server connected to another service"
    assert question(report, "q30")["status"] == "passed", question(report, "q30")
