"""Static flags on code that reaches for the grading machinery: raised for tampering, silent for answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.kit import exercises_dir, kit_root, solutions_dir
from grader.scan.integrity import scan_bytes, scan_source


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import _pytest.runner\n", "pytest's internals"),
        ("from pytest_jsonreport.plugin import JSONReport\n", "report plugin"),
        ("import grader.judge.child\n", "the grader itself"),
        ("import gc\nobjs = gc.get_objects()\n", "imports gc"),
        ("import sys\nf = sys._getframe(1)\n", "sys._getframe"),
        ("import os\nos._exit(0)\n", "os._exit"),
        ("m = __import__('pyt' + 'est')\n", "dynamically"),
        ("import pytest\n", "imports pytest"),
    ],
)
def test_tampering_is_flagged(source: str, expected: str) -> None:
    assert any(expected in flag for flag in scan_source(source, "q03"))


def test_q25_may_import_pytest() -> None:
    assert scan_source("import pytest\n", "q25") == ()
    assert scan_source("import importlib\nimportlib.import_module('pytest')\n", "q25") == ()
    assert scan_source("import importlib\nimportlib.import_module('pytest')\n", "q03") == (
        "imports pytest, which no answer needs outside q25",
    )


def test_code_that_does_not_parse_has_no_flag() -> None:
    """It never ran: the grading shows it as an error with the SyntaxError's line, not as tampering."""
    assert scan_source("def broken(:\n", "q03") == ()
    assert scan_bytes(b"import gc\ndef broken(:\n", "q03") == ()
    assert scan_bytes(b"import gc\nx = 1\x00\n", "q03") == (), "null bytes: Python refuses to import it too"


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


CTYPES = "imports ctypes"
GC = "imports gc (can reach any object of the process)"
INSPECT = "imports inspect (can read frames)"
GRADER = "imports the grader itself"
MODULES = "reaches modules through sys.modules"
EXIT = "can end the process without cleanup (os._exit)"
FORK = "starts processes (os.fork)"
KILL = "sends signals (os.kill)"

# Issue 19: respellings of what the plain spellings flag. Each source, and one of the flags it must raise.
RESPELLINGS = [
    ("import importlib\nimportlib.import_module('ctypes')\n", CTYPES),
    ("import importlib\nimportlib.import_module('gc')\n", GC),
    ("import importlib\nimportlib.import_module('inspect')\n", INSPECT),
    ("import importlib\nimportlib.import_module('grader.host.session')\n", GRADER),
    ("import importlib\nimportlib.import_module(name='ctypes')\n", CTYPES),
    ("import importlib as il\nil.import_module('gc')\n", GC),
    ("from importlib import import_module as im\nim('inspect')\n", INSPECT),
    ("import importlib\nimportlib.__import__('ctypes')\n", CTYPES),
    ("__import__('gc')\n", GC),
    ("import importlib.util\nimportlib.util.find_spec('grader.host.session')\n", GRADER),
    ("from importlib import util\nutil.find_spec('grader')\n", GRADER),
    ("import pkgutil\npkgutil.resolve_name('grader.host.session')\n", GRADER),
    ("import pkgutil\nm = pkgutil.resolve_name('sys:modules')\n", MODULES),
    ("import pkgutil\npkgutil.resolve_name('os:_exit')(0)\n", EXIT),
    ("import importlib\nimportlib.import_module('sys').modules.clear()\n", MODULES),
    ("import importlib\nimportlib.import_module('os')._exit(0)\n", EXIT),
    ("import importlib\ngetattr(importlib, 'import_module')('gc')\n", GC),
    ("m = __import__('importlib').import_module('ctypes')\n", CTYPES),
    (
        "from importlib.util import spec_from_file_location\nspec_from_file_location('s', '/kit/grader/host/x.py')\n",
        "loads code from a file path (importlib.util.spec_from_file_location)",
    ),
    ("from sys import modules\n", MODULES),
    ("from sys import modules as m\nm.clear()\n", MODULES),
    ("from os import _exit\n_exit(0)\n", EXIT),
    ("from os import fork\n", FORK),
    ("from os import kill\n", KILL),
    ("from os import _exit, fork, kill\n", KILL),
    ("from os import *\nfork()\n", FORK),
    ("from posix import _exit\n", "can end the process without cleanup (posix._exit)"),
    ("from sys import _getframe as g\ng(1)\n", "reads interpreter frames (sys._getframe)"),
    ("from sys import settrace\n", "installs a tracer (sys.settrace)"),
    ("from sys import setprofile\n", "installs a profiler hook (sys.setprofile)"),
    ("from os import setsid\n", "detaches processes (os.setsid)"),
    ("import threading\nthreading.settrace(print)\n", "installs a tracer (threading.settrace)"),
    ("import sys\nx = sys\nx.modules.clear()\n", MODULES),
    ("import os\ndef f(o=os):\n    o.kill(1, 9)\n", KILL),
    ("import sys\ngetattr(sys, 'modules')\n", MODULES),
    ("import sys\nsys.__dict__['modules']\n", MODULES),
    ("import sys\nvars(sys).get('modules')\n", MODULES),
    ("import sys\nsys.modules['os'].fork()\n", FORK),
    ("import operator, sys\noperator.attrgetter('modules')(sys)\n", MODULES),
    ("x = lambda: 1\nanything._exit(0)\n", EXIT),
    ("g = getattr(f, '__globals__')\n", "reaches interpreter internals (__globals__)"),
    ("g = getattr(f, '__glo' + 'bals__')\n", "reaches interpreter internals (__globals__)"),
    ("g = getattr(f, ''.join(['__glo', 'bals__']))\n", "reaches interpreter internals (__globals__)"),
    ("setattr(f, '__code__', other)\n", "reaches interpreter internals (__code__)"),
    ("hasattr(error, '__traceback__')\n", "reaches interpreter internals (__traceback__)"),
    ("delattr(f, '__globals__')\n", "reaches interpreter internals (__globals__)"),
    ("f.__getattribute__('__globals__')\n", "reaches interpreter internals (__globals__)"),
    ("object.__getattribute__(f, '__globals__')\n", "reaches interpreter internals (__globals__)"),
    ("import operator\noperator.attrgetter('tb_frame.f_back')(tb)\n", "reaches interpreter internals (f_back)"),
    ("from operator import attrgetter\nattrgetter('__globals__')(f)\n", "reaches interpreter internals (__globals__)"),
    (
        "import operator\noperator.methodcaller('__subclasses__')(object)\n",
        "reaches interpreter internals (__subclasses__)",
    ),
    ("import builtins\nbuiltins.exec('x = 1')\n", "runs code built at run time (exec)"),
    ("import builtins\nbuiltins.eval('1')\n", "runs code built at run time (eval)"),
    ("import builtins as b\nrun = b.exec\n", "runs code built at run time (exec)"),
    ("from builtins import eval as ev\n", "runs code built at run time (eval)"),
    ("import builtins\nvars(builtins)['exec']('x = 1')\n", "runs code built at run time (exec)"),
    ("import builtins\nbuiltins.__dict__['eval']('1')\n", "runs code built at run time (eval)"),
    ("__builtins__['exec']('x = 1')\n", "runs code built at run time (exec)"),
    ("__builtins__.eval('1')\n", "runs code built at run time (eval)"),
    ("globals()['__builtins__']\n", "reaches interpreter internals (__builtins__)"),
    ("run = exec\n", "runs code built at run time (exec)"),
    ("import builtins\nf = vars(builtins)[name]\n", "looks up a computed name in builtins"),
]


@pytest.mark.parametrize(("source", "expected"), RESPELLINGS)
def test_a_respelling_is_flagged(source: str, expected: str) -> None:
    assert expected in scan_source(source, "q03"), scan_source(source, "q03")


@pytest.mark.parametrize(
    "source",
    [
        "import asyncio\nasync def stop(proc: asyncio.subprocess.Process) -> None:\n    proc.kill()\n",
        "from os import environ, path\nfrom sys import version_info\nimport re\nPATTERN = re.compile('x')\n",
        "import importlib\nroutes = importlib.import_module('fastapi.routing')\n",
        "value = getattr(request.state, 'request_id', None)\nsetattr(request.state, 'user', 'ann')\n",
        "config = {'modules': []}\nconfig['modules'].append(app.modules)\nworker.fork = False\n",
        "import operator\nby_price = operator.attrgetter('price')\nitems.sort(key=by_price)\n",
        "data = vars(item)['name']\nhasattr(item, 'name')\n",
        "import os\nos.environ.get('TOKEN')\nos.getpid()\n",
    ],
)
def test_ordinary_code_that_looks_alike_is_not_flagged(source: str) -> None:
    assert scan_source(source, "q03") == ()


def test_plain_spellings_keep_their_exact_flags() -> None:
    plain = "import sys, os\nsys.modules\nos._exit(0)\nos.fork()\nos.kill(1, 9)\nsys._getframe()\n"
    assert scan_source(plain, "q03") == (
        MODULES,
        EXIT,
        FORK,
        KILL,
        "reads interpreter frames (sys._getframe)",
    )


def test_names_chained_out_of_order_are_followed_or_flagged() -> None:
    backwards = "def use():\n    c.modules.clear()\n\ndef later():\n    global c, b\n    c = b\n    b = sys\n"
    assert MODULES in scan_source("import sys\n" + backwards, "q03")
    chain = "".join(f"    n{i} = n{i + 1}\n" for i in range(12))
    endless = f"import sys\ndef f():\n    n0.modules\n{chain}    n12 = sys\n"
    assert "the scan could not follow every name (assignments chained out of order)" in scan_source(endless, "q03")


@pytest.mark.parametrize(
    "data",
    [
        b"# -*- coding: latin-1 -*-\nimport gc\nx = '\xe9'\n",
        b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nimport gc\nx = '\x80'\n",
        b"\xef\xbb\xbfimport gc\n",
        b"\xef\xbb\xbf# coding: utf-8\nimport gc\n",
        "# coding: utf-16\nimport gc\n".encode("utf-16"),
        "import gc\nx = 'é'\n".encode("cp1252"),
        b"# coding: no-such-codec\nimport gc\n",
        b"# coding: rot13\nimport gc\n",
        b"\xef\xbb\xbf# coding: latin-1\nimport gc\n",
        b"x = 1\n\n# coding: latin-1\nimport gc\ny = '\xe9'\n",
    ],
)
def test_a_coding_line_or_bom_does_not_blind_the_scan(data: bytes) -> None:
    """The scan parses the bytes as Python's import does: what Python can import is read, the rest never runs."""
    try:
        compile(data, "q03.py", "exec", dont_inherit=True)
    except SyntaxError:
        assert scan_bytes(data, "q03") == (), "Python cannot import it: an error with its reason, not a flag"
    else:
        assert scan_bytes(data, "q03") == ("imports gc (can reach any object of the process)",)


def test_a_valid_coding_cookie_keeps_the_flag() -> None:
    assert scan_bytes(b"# coding: latin-1\nimport os\nos._exit(0)  # \xe9\n", "q03") == (EXIT,)


def test_a_file_too_deep_for_the_parser_is_flagged_as_unread() -> None:
    deep = b"f(" + b"a+" * 200_000 + b"a)\n"
    assert scan_bytes(deep, "q03") == ("the scan could not read the file (RecursionError): read it",)


def test_no_reference_solution_is_flagged() -> None:
    for path in sorted(solutions_dir().glob("q*.py")):
        assert scan_source(path.read_text(), path.name[:3]) == (), path.name


@pytest.mark.parametrize("folder", ["solutions", "alternatives", "stubs"])
def test_no_answer_or_stub_is_flagged_even_read_as_bytes(folder: str) -> None:
    """The answers written blind (tests/alternatives) took other roads than the solutions: none is flagged."""
    where = {"solutions": solutions_dir(), "alternatives": kit_root() / "tests" / "alternatives"}
    files = sorted(where.get(folder, exercises_dir()).glob("q*.py"))
    assert len(files) >= 30
    for path in files:
        assert scan_bytes(path.read_bytes(), path.name[:3]) == (), path


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
def test_a_file_that_does_not_parse_is_an_error_with_its_reason_and_no_flag(tmp_path: Path) -> None:
    (tmp_path / "q02_basic_app.py").write_text("import gc\n\ndef broken(:\n    pass\n")
    result = CliRunner().invoke(cli, [str(tmp_path), "-q", "2", "--json"])
    ((q02,),) = (s["questions"] for s in json.loads(result.stdout)["submissions"])
    assert (q02["status"], q02["flags"]) == ("error", [])
    assert q02["message"].startswith("SyntaxError") and "line 3" in q02["message"], q02["message"]
    table = CliRunner().invoke(cli, [str(tmp_path), "-q", "2", "-v"]).output
    assert "error*" not in table and "grading machinery" not in table, table


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
