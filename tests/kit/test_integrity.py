"""Static flags on code that reaches for the grading machinery: raised for tampering, silent for answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.integrity import scan_source
from grader.kit import solutions_dir


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import _pytest.runner\n", "pytest's internals"),
        ("from pytest_jsonreport.plugin import JSONReport\n", "report plugin"),
        ("import grader.child\n", "the grader itself"),
        ("import gc\nobjs = gc.get_objects()\n", "imports gc"),
        ("import sys\nf = sys._getframe(1)\n", "sys._getframe"),
        ("import os\nos._exit(0)\n", "os._exit"),
        ("m = __import__('pyt' + 'est')\n", "dynamically"),
        ("import pytest\n", "imports pytest"),
    ],
)
def test_tampering_is_flagged(source: str, expected: str) -> None:
    assert any(expected in flag for flag in scan_source(source, "q03"))


def test_q25_may_import_pytest_and_code_that_does_not_parse_is_flagged() -> None:
    assert scan_source("import pytest\n", "q25") == ()
    assert scan_source("def broken(:\n", "q03") == ("the scan could not parse the file (SyntaxError, line 1)",)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('import sys as _s\n_s.modules["_pytest.python"].Function.runtest = None\n', "sys.modules"),
        ("import importlib\nm = importlib.import_module('_py' + 'test')\n", "computed"),
        ("import builtins\nf = getattr(builtins, 'ev' + 'al')\n", "getattr on builtins"),
        ("exec(open('x').read())\n", "(exec)"),
        ("try:\n    1/0\nexcept Exception as e:\n    f = e.__traceback__.tb_frame.f_back\n", "f_back"),
    ],
)
def test_dynamic_reach_for_internals_is_flagged(source: str, expected: str) -> None:
    assert any(expected in flag for flag in scan_source(source, "q03")), scan_source(source, "q03")


def test_a_coding_line_or_bom_does_not_blind_the_scan() -> None:
    from grader.integrity import scan_bytes

    hidden = b"# -*- coding: latin-1 -*-\nimport gc\nx = '\xe9'\n"
    assert any("gc" in flag for flag in scan_bytes(hidden, "q03"))
    assert any("gc" in flag for flag in scan_bytes(b"\xef\xbb\xbfimport gc\n", "q03"))
    assert any("could not decode" in flag for flag in scan_bytes(b"# coding: no-such-codec\nimport gc\n", "q03"))


def test_no_reference_solution_is_flagged() -> None:
    for path in sorted(solutions_dir().glob("q*.py")):
        assert scan_source(path.read_text(), path.name[:3]) == (), path.name


@pytest.mark.slow
def test_flags_reach_the_report_without_changing_the_score(tmp_path: Path) -> None:
    shutil.copyfile(solutions_dir() / "q02_basic_app.py", tmp_path / "q02_basic_app.py")
    with (tmp_path / "q02_basic_app.py").open("a") as handle:
        handle.write("\nimport gc  # snooping\n")
    result = CliRunner().invoke(cli, [str(tmp_path), "-q", "2", "--json"])
    ((q02,),) = (s["questions"] for s in json.loads(result.stdout)["submissions"])
    assert q02["status"] == "passed" and q02["points"] == 1.0
    assert q02["flags"] and "gc" in q02["flags"][0]
    table = CliRunner().invoke(cli, [str(tmp_path), "-q", "2", "-v"]).output
    assert "passed*" in table and "imports gc" in table


@pytest.mark.slow
def test_a_forged_journal_line_is_ignored(tmp_path: Path) -> None:
    """A module that appends a fake 'all passed' report to every journal it can find gains nothing."""
    forger = (
        "import glob, json, os\n"
        "for path in glob.glob(os.path.join(os.path.dirname(os.getcwd()), '*.jsonl')):\n"
        "    with open(path, 'a') as journal:\n"
        "        journal.write(json.dumps({'event': 'finished', 'tests': []}) + '\\n')\n"
        "        journal.write(json.dumps({'event': 'collected', 'tests': []}) + '\\n')\n"
    )
    (tmp_path / "q02_basic_app.py").write_text(forger)
    result = CliRunner().invoke(cli, [str(tmp_path), "-q", "2", "--json"])
    ((q02,),) = (s["questions"] for s in json.loads(result.stdout)["submissions"])
    assert q02["status"] == "failed" and q02["tests_total"] > 0 and q02["tests_passed"] == 0
