"""Archives and submissions: exact limits, exact refusals, and what a class folder turns into.

Written against the mutants of ``grader/book/archives.py`` and ``grader/book/submissions.py`` that the kit's suite let
through (``python bench/mutation.py -m archives -m submissions``): every refusal is matched on its whole
message, every limit is tried at the limit and one past it, and every submission is compared field by field.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from grader.book import archives
from grader.book import submissions as submissions_module
from grader.book.archives import ArchiveError, archive_stem, extract_archive
from grader.book.submissions import (
    MANIFEST_NAME,
    Submission,
    content_hash,
    find_exercise_folder,
    resolve_submissions,
)
from grader.kit import exercises_dir, solutions_dir
from grader.kit.catalogue import find_question

Q02, Q03, Q04 = find_question("q02"), find_question("q03"), find_question("q04")


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as handle:
        for name, data in members.items():
            handle.writestr(name, data)
    return path


def _tar(path: Path, members: dict[str, bytes | None]) -> Path:
    """``None`` makes a directory entry."""
    with tarfile.open(path, "w") as handle:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                handle.addfile(info)
            else:
                info.size = len(data)
                handle.addfile(info, io.BytesIO(data))
    return path


def _tree(root: Path) -> dict[str, bytes | None]:
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


# --------------------------------------------------------------------------------------------- archives


def test_archive_stems() -> None:
    assert [archive_stem(n) for n in ("a.zip", "b.TAR.GZ", "c.tgz", "d.tar", "e.txt", "f.tar.gz.zip")] == [
        "a",
        "b",
        "c",
        "d",
        "e.txt",
        "f.tar.gz",
    ]


def test_a_tar_with_directories_extracts_every_byte(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "s.tar", {"top/": None, "top/a/b/q.py": b"print(1)\n", "top/a/": None, "x.py": b""})
    (tmp_path / "out").mkdir()
    extract_archive(archive, tmp_path / "out")
    assert _tree(tmp_path / "out") == {
        "top": None,
        "top/a": None,
        "top/a/b": None,
        "top/a/b/q.py": b"print(1)\n",
        "x.py": b"",
    }


def test_a_zip_with_directory_entries_extracts_every_byte(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "s.zip", {"sub/deep/": b"", "sub/deep/q.py": b"x = 1\n", "sub/": b"", "a": b"1"})
    (tmp_path / "out").mkdir()
    extract_archive(archive, tmp_path / "out")
    assert _tree(tmp_path / "out") == {"a": b"1", "sub": None, "sub/deep": None, "sub/deep/q.py": b"x = 1\n"}


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("C:evil.py", "has an absolute path"),
        ("C:", "has an absolute path"),
        ("\\etc\\passwd", "has an absolute path"),
        ("sub\\..\\..\\evil.py", r"points outside the archive \(\.\.\)"),
    ],
)
def test_windows_style_member_names_are_refused(tmp_path: Path, name: str, complaint: str) -> None:
    archive = _tar(tmp_path / "w.tar", {"ok.py": b"", name: b"x"})
    (tmp_path / "out").mkdir()
    with pytest.raises(ArchiveError, match=f"^w.tar: member {re.escape(repr(name))} {complaint}$"):
        extract_archive(archive, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == [], "nothing is written before every member is checked"


def test_a_one_letter_member_is_fine(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    extract_archive(_tar(tmp_path / "one.tar", {"a": b"1"}), tmp_path / "out")
    assert _tree(tmp_path / "out") == {"a": b"1"}


def test_member_count_limits_at_the_limit_and_past_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    three = {f"f{i}.py": b"" for i in range(3)}
    four = {f"f{i}.py": b"" for i in range(4)}
    for index, make in enumerate((_zip, _tar)):
        out = tmp_path / f"out{index}"
        out.mkdir()
        suffix = "zip" if make is _zip else "tar"
        extract_archive(make(tmp_path / f"three.{suffix}", three), out)
        assert len(list(out.iterdir())) == 3
    with pytest.raises(ArchiveError, match=r"^four.zip: 4 members, more than the 3 accepted$"):
        extract_archive(_zip(tmp_path / "four.zip", four), tmp_path / "out0")
    with pytest.raises(ArchiveError, match=r"^four.tar: more than the 3 members accepted$"):
        extract_archive(_tar(tmp_path / "four.tar", four), tmp_path / "out0")


def test_size_limits_at_the_limit_and_past_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBER_BYTES", 10)
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 25)
    out = tmp_path / "out"
    out.mkdir()
    extract_archive(_tar(tmp_path / "ok.tar", {"a": b"x" * 10, "b": b"x" * 10, "c": b"x" * 5}), out)
    assert sorted(p.name for p in out.iterdir()) == ["a", "b", "c"]
    with pytest.raises(ArchiveError, match=r"^big.tar: member 'b' is larger than 10 bytes$"):
        extract_archive(_tar(tmp_path / "big.tar", {"a": b"", "b": b"x" * 11}), out)
    with pytest.raises(ArchiveError, match=r"^sum.tar: unpacks to more than 25 bytes$"):
        extract_archive(_tar(tmp_path / "sum.tar", {"a": b"x" * 10, "b": b"x" * 10, "c": b"x" * 6}), out)


def test_special_tar_members_are_named_in_the_refusal(tmp_path: Path) -> None:
    archive = tmp_path / "fifo.tar"
    with tarfile.open(archive, "w") as handle:
        info = tarfile.TarInfo("pipe")
        info.type = tarfile.FIFOTYPE
        handle.addfile(info)
    with pytest.raises(ArchiveError, match=r"^fifo.tar: member 'pipe' is not a regular file$"):
        extract_archive(archive, tmp_path)


def test_an_unreadable_archive_says_why(tmp_path: Path) -> None:
    archive = tmp_path / "cut.tar"
    data = _tar(tmp_path / "full.tar", {"a.py": b"x" * 2000}).read_bytes()
    archive.write_bytes(data[:1024])
    with pytest.raises(ArchiveError, match=r"^cut.tar: cannot be read as an archive \(.+\)$"):
        extract_archive(archive, tmp_path)


# ------------------------------------------------------------------------------------------ submissions


def test_submission_text_is_made_printable() -> None:
    sub = Submission("al\x1bice", Path("s"), None, problem="bad\x07", warnings=("w\x00",))
    assert (sub.name, sub.problem, sub.warnings) == ("al\\x1bice", "bad\\x07", ("w\\x00",))
    assert sub.rejection("q02_basic_app.py") is None and sub.near_miss("q02_basic_app.py") is None


def test_the_exercise_folder_is_found_up_to_four_levels_down(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    (deep / Q02.filename).write_text("x")
    assert find_exercise_folder(tmp_path) == deep
    deeper = tmp_path / "z" / "1" / "2" / "3" / "4"
    deeper.mkdir(parents=True)
    for name in (Q02.filename, Q03.filename):
        (deeper / name).write_text("x")
    assert find_exercise_folder(tmp_path) == deep, "five levels down is not searched"
    hidden = tmp_path / ".git"
    hidden.mkdir()
    (hidden / Q02.filename).write_text("x")
    (hidden / Q03.filename).write_text("x")
    cache = tmp_path / "__MACOSX"
    cache.mkdir()
    (cache / Q02.filename).write_text("x")
    (cache / Q03.filename).write_text("x")
    assert find_exercise_folder(tmp_path) == deep
    assert find_exercise_folder(deep) == deep, "the root itself counts"
    assert find_exercise_folder(tmp_path / "z") == deeper, "four levels down from z"


def test_the_content_hash_covers_names_and_bytes(tmp_path: Path) -> None:
    (tmp_path / Q02.filename).write_bytes(b"alpha")
    (tmp_path / Q03.filename).write_bytes(b"beta")
    expected = hashlib.sha256()
    for name, data in ((Q02.filename, b"alpha"), (Q03.filename, b"beta")):
        expected.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    assert content_hash(tmp_path) == expected.hexdigest()
    only_q03 = hashlib.sha256(Q03.filename.encode() + b"\0" + hashlib.sha256(b"beta").digest()).hexdigest()
    assert content_hash(tmp_path, (Q03,)) == only_q03


def _manifest(folder: Path, files: dict[str, str]) -> None:
    (folder / MANIFEST_NAME).write_text(json.dumps({"files": files}), encoding="utf-8")


def _take(tmp_path: Path, folder: Path) -> Submission:
    scratch = tmp_path / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    (sub,) = resolve_submissions([folder], scratch)
    return sub


def test_manifest_checks(tmp_path: Path) -> None:
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / Q02.filename).write_bytes(b"mine")
    digest = hashlib.sha256(b"mine").hexdigest()
    _manifest(folder, {Q02.filename: digest, Q03.filename: "0" * 64})  # q03 absent: not a change
    assert _take(tmp_path / "1", folder).warnings == ()
    _manifest(folder, {Q02.filename: "f" * 64})
    assert _take(tmp_path / "2", folder).warnings == (f"files changed after submit: {Q02.filename}",)
    _manifest(folder, {"../../etc/passwd": "x", "/proc/self/mem": "y"})
    assert _take(tmp_path / "3", folder).warnings == (
        "the manifest names files that are not exercises: '../../etc/passwd', '/proc/self/mem'",
    )
    (folder / MANIFEST_NAME).write_text("[1, 2]", encoding="utf-8")
    assert _take(tmp_path / "4", folder).warnings == ("the manifest is unreadable",)
    (folder / MANIFEST_NAME).write_text(json.dumps({"note": "no files key"}), encoding="utf-8")
    assert _take(tmp_path / "5", folder).warnings == ()
    (folder / MANIFEST_NAME).write_text(json.dumps({"files": {Q02.filename: "é" + "f" * 63}}), encoding="utf-8")
    assert _take(tmp_path / "6", folder).warnings == (f"files changed after submit: {Q02.filename}",)


def test_a_class_folder_becomes_one_submission_per_entry(tmp_path: Path) -> None:
    room = tmp_path / "class"
    (room / "alice" / "deep").mkdir(parents=True)
    shutil.copyfile(solutions_dir() / Q02.filename, room / "alice" / "deep" / Q02.filename)
    (room / "empty").mkdir()
    (room / ".hidden").mkdir()
    (room / "__pycache__").mkdir()
    (room / "notes.txt").write_text("not a submission")
    _zip(room / "carol.zip", {f"carol/{Q03.filename}": (solutions_dir() / Q03.filename).read_bytes()})
    _zip(room / "dan.zip", {"readme.txt": b"nothing"})
    (room / "eve.tar.gz").write_bytes(b"not gzip at all")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    subs = resolve_submissions([room], scratch)
    assert [(s.name, s.source, s.problem) for s in subs] == [
        ("alice", room / "alice", ""),
        ("carol", room / "carol.zip", ""),
        ("dan", room / "dan.zip", "dan.zip holds none of the kit's exercise files"),
        ("empty", room / "empty", "empty holds none of the kit's exercise files"),
        ("eve", room / "eve.tar.gz", subs[4].problem),
    ]
    assert subs[4].problem.startswith("eve.tar.gz: ")
    assert [s.folder for s in subs] == [scratch / "intake" / "0", scratch / "intake" / "1", None, None, None]
    assert _tree(scratch / "intake" / "0") == {Q02.filename: (solutions_dir() / Q02.filename).read_bytes()}
    assert _tree(scratch / "intake" / "1") == {Q03.filename: (solutions_dir() / Q03.filename).read_bytes()}


def test_a_single_folder_is_named_after_itself(tmp_path: Path) -> None:
    folder = tmp_path / "bob"
    folder.mkdir()
    shutil.copyfile(exercises_dir() / Q02.filename, folder / Q02.filename)
    (folder / "q03.py").write_text("misnamed")
    (folder / MANIFEST_NAME).write_text("{}", encoding="utf-8")
    sub = _take(tmp_path, folder / ".." / "bob")
    assert (sub.name, sub.source, sub.problem, sub.warnings) == ("bob", folder / ".." / "bob", "", ())
    assert sub.folder == tmp_path / "scratch" / "intake" / "0"
    assert sorted(p.name for p in sub.folder.iterdir()) == [MANIFEST_NAME, Q02.filename]
    assert sub.misnamed == ((Q03.filename, "q03.py"),)
    assert sub.near_miss(Q03.filename) == "q03.py" and sub.rejected == ()


def test_a_rejected_file_is_a_warning_and_a_reason(tmp_path: Path) -> None:
    folder = tmp_path / "erin"
    folder.mkdir()
    shutil.copyfile(exercises_dir() / Q03.filename, folder / Q03.filename)
    (folder / Q02.filename).symlink_to(solutions_dir() / Q02.filename)
    sub = _take(tmp_path, folder)
    (reason,) = [why for name, why in sub.rejected if name == Q02.filename]
    assert sub.rejection(Q02.filename) == reason and reason.startswith(f"{Q02.filename} is ")
    assert sub.warnings == (f"not graded: {reason}",)


def test_paths_that_are_not_submissions_are_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "file.py").write_text("x")
    with pytest.raises(ValueError, match=r"file.py is a file, not a folder or a zip/tar archive$"):
        resolve_submissions([tmp_path / "file.py"], tmp_path)
    with pytest.raises(ValueError, match=r"gone does not exist$"):
        resolve_submissions([tmp_path / "gone"], tmp_path)
    (tmp_path / "lonely").mkdir()
    with pytest.raises(ValueError, match=r"lonely holds none of the kit's exercise files, nor submissions to grade$"):
        resolve_submissions([tmp_path / "lonely"], tmp_path)


def test_duplicate_names_are_listed(tmp_path: Path) -> None:
    for room in ("a", "b", "c"):
        for name in ("sam", "tom"):
            (tmp_path / room / name).mkdir(parents=True)
            (tmp_path / room / name / Q02.filename).write_text("x")
    (tmp_path / "d" / "uma").mkdir(parents=True)
    (tmp_path / "d" / "uma" / Q02.filename).write_text("x")
    with pytest.raises(ValueError, match=r"^several submissions are named sam, tom: names must be unique$"):
        resolve_submissions([tmp_path / "a", tmp_path / "b", tmp_path / "c", tmp_path / "d"], tmp_path)
    assert len(resolve_submissions([tmp_path / "d"], tmp_path)) == 1


# ------------------------------------------------------------------------------------------------ --map


def test_a_map_grades_the_named_file_where_it_is_and_leaves_the_others_alone(tmp_path: Path) -> None:
    """One --map for a whole class (q03 from sub/q03.py, q04 from q04.py, and an entry nobody has, first):
    ann wrote sub/q03.py, bob the right name, cy both; dan's sub/q03.py is a link, eve's sub/ leads outside her
    folder, fay's is too large; gus has neither; hal's right name is a link but sub/q03.py is a plain file."""
    room = tmp_path / "class"
    solution = (solutions_dir() / Q03.filename).read_bytes()
    for name in ("ann", "bob", "cy", "dan", "eve", "fay", "gus", "hal"):
        (room / name).mkdir(parents=True)
        shutil.copyfile(exercises_dir() / Q02.filename, room / name / Q02.filename)
        if name != "eve":
            (room / name / "sub").mkdir()
    for name in ("dan", "eve"):
        (room / name / "q04.py").write_bytes(b"# q04\n")
    (room / "ann" / "sub" / "q03.py").write_bytes(b"# ann's answer\n")
    (room / "bob" / Q03.filename).write_bytes(solution)
    (room / "cy" / Q03.filename).write_bytes(b"# cy's draft\n")
    (room / "cy" / "sub" / "q03.py").write_bytes(b"# cy's answer\n")
    (room / "dan" / Q03.filename).write_bytes(solution)
    (room / "dan" / "sub" / "q03.py").symlink_to(solutions_dir() / Q03.filename)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "q03.py").write_bytes(solution)
    (room / "eve" / "sub").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (room / "fay" / "sub" / "q03.py").write_bytes(b"#" * (1024 * 1024 + 1))
    (room / "hal" / Q03.filename).symlink_to(solutions_dir() / Q03.filename)
    (room / "hal" / "sub" / "q03.py").write_bytes(b"# hal's answer\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    mapping = {"q99_gone.py": "nowhere.py", Q03.filename: "sub/q03.py", Q04.filename: "q04.py"}
    subs = {s.name: s for s in resolve_submissions([room], scratch, mapping)}
    graded = {name: _tree(sub.folder) for name, sub in subs.items() if sub.folder}
    stub2 = (exercises_dir() / Q02.filename).read_bytes()
    assert graded["ann"] == {Q02.filename: stub2, Q03.filename: b"# ann's answer\n"}
    assert graded["bob"] == {Q02.filename: stub2, Q03.filename: solution}, "the right name is kept"
    assert graded["cy"] == {Q02.filename: stub2, Q03.filename: b"# cy's answer\n"}, "the named file wins"
    assert graded["dan"] == graded["eve"] == {Q02.filename: stub2, Q04.filename: b"# q04\n"}, "one refusal each"
    assert graded["fay"] == graded["gus"] == {Q02.filename: stub2}
    assert graded["hal"] == {Q02.filename: stub2, Q03.filename: b"# hal's answer\n"}
    mapped3, mapped4 = (
        f"{q.filename} graded from {found} (--map)" for q, found in ((Q03, "sub/q03.py"), (Q04, "q04.py"))
    )
    assert {name: (sub.warnings, sub.rejected) for name, sub in subs.items()} == {
        "ann": ((mapped3,), ()),
        "bob": ((), ()),
        "cy": ((mapped3,), ()),
        "dan": (
            (mapped4, "not graded: sub/q03.py is a symbolic link, not a regular file"),
            ((Q03.filename, "sub/q03.py is a symbolic link, not a regular file"),),
        ),
        "eve": (
            (mapped4, "not graded: sub/q03.py is outside the submission"),
            ((Q03.filename, "sub/q03.py is outside the submission"),),
        ),
        "fay": (
            ("not graded: sub/q03.py is larger than 1024 KiB",),
            ((Q03.filename, "sub/q03.py is larger than 1024 KiB"),),
        ),
        "gus": ((), ()),
        "hal": ((mapped3,), ()),  # its link, refused at intake, is replaced: no refusal left
    }
    assert all(sub.misnamed == () for sub in subs.values()), "a mapped file is no near miss"


def test_a_file_graded_through_a_map_counts_in_the_submission_s_time(tmp_path: Path) -> None:
    """Without a manifest, a submission's time is that of the newest file handed in: a late q03.py graded as
    q03 makes the submission late, as the same file under its right name would."""
    folder = tmp_path / "ann"
    folder.mkdir()
    shutil.copyfile(exercises_dir() / Q02.filename, folder / Q02.filename)
    (folder / "q03.py").write_bytes(b"# late answer\n")
    os.utime(folder / Q02.filename, (1_700_000_000, 1_700_000_000))
    os.utime(folder / "q03.py", (1_800_000_000, 1_800_000_000))
    (sub,) = resolve_submissions([folder], tmp_path / "s1", {Q03.filename: "q03.py"})
    assert sub.submitted_at == "2027-01-15T08:00:00+00:00"
    (unmapped,) = resolve_submissions([folder], tmp_path / "s2")
    assert unmapped.submitted_at == "2023-11-14T22:13:20+00:00", "not graded: not counted"


# ------------------------------------------------------------------------------- when it was handed in


def test_an_archive_is_dated_by_its_manifest_else_by_itself(tmp_path: Path) -> None:
    solution = (solutions_dir() / Q02.filename).read_bytes()
    stamped = json.dumps({"candidate": "Ann", "created_at": "2026-11-30T10:00:00+00:00"}).encode()
    room = tmp_path / "class"
    room.mkdir()
    # The manifest beside the exercise files, one folder down: found there, not only at the archive's root.
    _zip(room / "ann.zip", {f"ann/{Q02.filename}": solution, f"ann/{MANIFEST_NAME}": stamped})
    _zip(room / "bob.zip", {Q02.filename: solution})
    _zip(room / "cy.zip", {Q02.filename: solution, MANIFEST_NAME: json.dumps({"candidate": "Cy"}).encode()})
    for name in ("bob", "cy"):
        os.utime(room / f"{name}.zip", (1_700_000_000, 1_700_000_000))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    ann, bob, cy = resolve_submissions([room], scratch)
    assert (ann.manifest.candidate, ann.submitted_at) == ("Ann", "2026-11-30T10:00:00+00:00")
    assert (bob.manifest, bob.submitted_at) == (None, "2023-11-14T22:13:20+00:00"), "no manifest: the archive's time"
    assert (cy.manifest.candidate, cy.submitted_at) == ("Cy", "2023-11-14T22:13:20+00:00"), "a manifest without one"


def test_a_folder_is_dated_by_its_manifest_else_by_its_newest_exercise_file(tmp_path: Path) -> None:
    folder = tmp_path / "ann"
    folder.mkdir()
    for name, when in ((Q02.filename, 1_700_000_000), (Q03.filename, 1_600_000_000), ("notes.py", 1_900_000_000)):
        (folder / name).write_text("x = 1\n")
        os.utime(folder / name, (when, when))
    (sub,) = resolve_submissions([folder], tmp_path / "s1")
    assert (sub.manifest, sub.submitted_at) == (None, "2023-11-14T22:13:20+00:00"), "the newest exercise file"
    (folder / MANIFEST_NAME).write_text(json.dumps({"created_at": "2026-11-30T10:00:00+00:00"}), encoding="utf-8")
    (sub,) = resolve_submissions([folder], tmp_path / "s2")
    assert (sub.manifest.created_at, sub.submitted_at) == ("2026-11-30T10:00:00+00:00", "2026-11-30T10:00:00+00:00")
    (folder / MANIFEST_NAME).write_text(json.dumps({"candidate": "Ann"}), encoding="utf-8")
    (sub,) = resolve_submissions([folder], tmp_path / "s3")
    assert (sub.manifest.candidate, sub.submitted_at) == ("Ann", "2023-11-14T22:13:20+00:00")


def test_a_folder_that_cannot_be_read_is_that_student_s_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ann"
    folder.mkdir()
    (folder / Q02.filename).write_text("x = 1\n")

    def unreadable(*_args: object) -> dict[str, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(submissions_module, "take_in", unreadable)
    (sub,) = resolve_submissions([folder], tmp_path / "scratch")
    assert sub == Submission("ann", folder, None, problem="cannot be read: Permission denied")


def test_two_submissions_of_one_name_are_refused(tmp_path: Path) -> None:
    for room in ("a", "b"):
        (tmp_path / room / "sam").mkdir(parents=True)
        (tmp_path / room / "sam" / Q02.filename).write_text("x")
    with pytest.raises(ValueError, match=r"^several submissions are named sam: names must be unique$"):
        resolve_submissions([tmp_path / "a", tmp_path / "b"], tmp_path)


def test_a_folder_of_misnamed_files_names_three_of_them(tmp_path: Path) -> None:
    folder = tmp_path / "lonely"
    folder.mkdir()
    for name in ("q02.py", "q03.py", "q04.py", "q05.py"):
        (folder / name).write_text("x = 1\n")
    with pytest.raises(ValueError) as refused:
        resolve_submissions([folder], tmp_path)
    assert str(refused.value) == (
        f"{folder} holds none of the kit's exercise files, nor submissions to grade: q02.py looks like"
        " q02_basic_app.py, q03.py looks like q03_path_parameters.py, q04.py looks like q04_query_parameters.py"
        " (rename to grade them)"
    )
