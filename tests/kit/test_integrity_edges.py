"""The integrity scan's edges (``grader.scan.integrity``): each way a name can be spelt, bound or looked up, with the
exact
flags it raises, and the look-alikes that must raise none. ``tests/kit/test_integrity.py`` holds the main cases.

Every expectation is the whole tuple of flags: a flag that is missing, reworded or raised twice fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.scan import integrity_rules
from grader.scan.integrity import scan_file, scan_source

MODULES = "reaches modules through sys.modules"
EXIT = "can end the process without cleanup (os._exit)"
KILL = "sends signals (os.kill)"
GC = "imports gc (can reach any object of the process)"
COMPUTED = "imports a module whose name is computed ({})"
GETATTR_OS = "getattr on os"


def flags(source: str) -> tuple[str, ...]:
    return scan_source(source, "q03")


def test_the_names_followed_are_each_flagged_name_and_the_way_to_it() -> None:
    assert integrity_rules.prefixes(["a.b.c", "d", "a.e"]) == frozenset({"a", "a.b", "a.b.c", "d", "a.e"})
    assert integrity_rules.prefixes([]) == frozenset()


# -- strings the scan can spell out -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import os\ngetattr(os, f\"{'_ex'}it\")(0)\n", (EXIT, GETATTR_OS)),
        ("import os\ngetattr(os, f\"{'_exit'!s}\")(0)\n", (EXIT, GETATTR_OS)),
        ("import os\ngetattr(os, f\"{'_exit'!r}\")(0)\n", (GETATTR_OS,)),  # the quotes make it another name
        ("import os\ngetattr(os, f\"{'_exit':>5}\")(0)\n", (GETATTR_OS,)),  # a format spec: not followed
        ("import os\ngetattr(os, f'{prefix}_exit')(0)\n", (GETATTR_OS,)),  # a part unknown: the whole unknown
        ("import os\ngetattr(os, ''.join(['_exit', suffix]))(0)\n", (GETATTR_OS,)),
        ("import os\ngetattr(os, '-'.join(['_exit']))(0)\n", (EXIT, GETATTR_OS)),
    ],
)
def test_f_strings_and_joins_are_spelt_out_only_when_every_part_is_known(
    source: str, expected: tuple[str, ...]
) -> None:
    assert flags(source) == expected


# -- bindings -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import sys\nx = sys\nx.settrace(None)\n", ("installs a tracer (sys.settrace)",)),  # converges: no extra flag
        ("import sys\n(m := sys).modules\n", (MODULES,)),
        ("import sys\nif (m := sys):\n    m.modules\n", (MODULES,)),
        ("import sys\nm: object = sys\nm.modules\n", (MODULES,)),
        ("import sys, os\na, b = sys, os\na.modules\nb.kill(1, 9)\n", (MODULES, KILL)),
        ("import sys, os\na, b = [sys, os]\nb.kill(1, 9)\n", (KILL,)),
        ("import sys, os\na, b, c = sys, os\na.modules\n", ()),  # not unpacked as written: nothing bound
        ("import os, sys\ndef f(a, b=os, c=sys):\n    return b.kill, c.modules\n", (KILL, MODULES)),
        ("import sys\ndef f(*, t=sys):\n    return t.modules\n", (MODULES,)),
        ("import sys\ndef f(*, t=sys, u):\n    return t.modules\n", (MODULES,)),
        ("import sys\nf = lambda t=sys: t.modules\n", (MODULES,)),
    ],
)
def test_names_bound_every_way_are_followed(source: str, expected: tuple[str, ...]) -> None:
    assert flags(source) == expected


def test_a_chain_bound_out_of_order_is_followed_through_every_pass() -> None:
    """Each pass binds one more link; a pass that grew a binding, even before an assignment that did not, is
    followed by another."""
    source = "import sys\nc = b\nb = a\na = sys\nx = 1\nc.modules\n"
    assert flags(source) == (MODULES,)
    defaults = "import sys\ndef g(a=1, t=late):\n    return t.modules\nlate = sys\n"
    assert flags(defaults) == (MODULES,)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import sys, os\n(sys if fast else os).modules\n", (MODULES,)),
        ("import sys, os\n(os if fast else sys).modules\n", (MODULES,)),
        ("import sys\n(cache or sys).modules\n", (MODULES,)),
        ("import sys\n(sys and cache).modules\n", (MODULES,)),
    ],
)
def test_either_side_of_a_choice_is_followed(source: str, expected: tuple[str, ...]) -> None:
    assert flags(source) == expected


def test_a_name_bound_after_its_use_is_followed_whatever_the_order_of_the_pairs() -> None:
    """A pass that bound a name through any pair of an unpacking or any default is followed by another, even when
    the pair looked at last bound nothing."""
    unpacked = "import sys\ndef later():\n    return b.modules\na, b = 1, sys\n"
    assert flags(unpacked) == (MODULES,)
    defaults = "import sys\ndef later():\n    return a.modules\ndef f(a=sys, b=1):\n    pass\n"
    assert flags(defaults) == (MODULES,)


def test_a_dotted_import_binds_its_first_name_to_that_module_only() -> None:
    """``import importlib.util`` binds ``importlib`` to importlib: ``importlib.find_spec`` is no importer."""
    assert flags("import importlib.util\nimportlib.find_spec('grader')\n") == ()
    assert flags("import importlib.util\nimportlib.util.find_spec('grader')\n") == ("imports the grader itself",)


def test_a_key_is_spelt_out_up_to_the_longest_literal_and_computed_past_it() -> None:
    longest = integrity_rules.LONGEST_LITERAL
    assert flags(f"import builtins\nbuiltins.__dict__['{'a' * longest}']\n") == ()
    past = flags(f"import builtins\nbuiltins.__dict__['{'a' * (longest + 1)}']\n")
    assert past == ("looks up a computed name in builtins",)


def test_a_modules_namespace_looks_up_that_modules_names() -> None:
    """``importlib.__dict__['import_module']`` is importlib's import_module, not a global of that name."""
    assert flags("import importlib\nimportlib.__dict__['import_module']('grader')\n") == ("imports the grader itself",)


# -- imports by name ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("m = __import__('os.path')\nm.kill(1, 9)\n", ("imports modules dynamically (__import__)", KILL)),
        ("import importlib\nm = importlib.__import__('os.path')\nm.kill(1, 9)\n", (KILL,)),
        ("import importlib\nimportlib.import_module('os.path').kill(1, 9)\n", ()),  # import_module returns a.b
        ("import pkgutil\npkgutil.resolve_name('gc:collect')()\n", (GC,)),
        ("loader.import_module(name)\n", (COMPUTED.format("importlib.import_module"),)),
        ("import importlib\nimportlib.import_module()\n", ()),  # no module named at all
        ("import runpy\nrunpy.run_module(mod_name=target)\n", (COMPUTED.format("runpy.run_module"),)),
        ("import runpy\nrunpy.run_module(mod_name='gc')\n", (GC,)),
    ],
)
def test_modules_imported_by_name_are_followed(source: str, expected: tuple[str, ...]) -> None:
    assert flags(source) == expected


# -- lookups and attribute functions --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import sys\nm = sys.__dict__['modules']\n", (MODULES,)),
        ("f = globals()['__import__']\n", ("imports modules dynamically (__import__)",)),
        ("f = vars()['eval']\n", ("runs code built at run time (eval)",)),
        ("value = load()['exec']\n", ()),  # a call's result is no namespace
        ("x = __builtins__\n", ("reaches interpreter internals (__builtins__)",)),
        (
            "fn = __builtins__[name]\n",
            ("reaches interpreter internals (__builtins__)", "looks up a computed name in builtins"),
        ),
        ("import sys\nvalue = pick(sys, 'modules')\n", ()),  # two arguments, but not getattr's
        ("import sys\nmake('modules')(sys)\n", ()),  # a call of a call, but not of attrgetter
        ("import sys\ngetattr(sys)\n", ("getattr on sys",)),
        ("import sys\nsetattr(sys, name, value)\n", ("setattr on sys",)),
        ("import sys\nhasattr(sys, name)\n", ()),
        ("import sys\nsys.__getattr__('modules')\n", (MODULES,)),
        ("import sys\nsys.__getattribute__('modules')\n", (MODULES,)),
        ("import sys\nobject.__getattribute__(sys, 'modules')\n", (MODULES,)),
        ("logger.info('tb_frame')\n", ()),  # a literal argument of any call is no attribute path
        ("import operator\noperator.methodcaller('run', '_exit')(job)\n", ()),  # only the method's name is a path
        (
            "import operator\noperator.attrgetter('name', 'f_back')(frame)\n",
            ("reaches interpreter internals (f_back)",),
        ),
    ],
)
def test_lookups_and_attribute_functions_are_followed(source: str, expected: tuple[str, ...]) -> None:
    assert flags(source) == expected


# -- files -------------------------------------------------------------------------------------------------------
def test_a_file_is_scanned_as_the_bytes_it_holds(tmp_path: Path) -> None:
    answer = tmp_path / "q03_path_parameters.py"
    answer.write_bytes(b"# coding: latin-1\nimport gc\nx = '\xe9'\n")
    assert scan_file(answer, "q03") == (GC,)
    answer.write_text("import pytest\n")
    assert scan_file(answer, "q03") == ("imports pytest, which no answer needs outside q25",)
    assert scan_file(answer, "q25") == ()
    assert scan_file(tmp_path / "missing.py", "q03") == ()
    assert scan_file(tmp_path, "q03") == ("the scan could not read the file (Is a directory)",)
