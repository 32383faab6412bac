"""The test-only switches (``grader.weaken``): exactly the names documented, each switching off only itself.

A probe in ``tests/kit/test_sandbox_conformance.py`` is shown to fail with its layer off; that proof is only as good
as the switch: a name that switched off more than its part, or a misspelt one that switched off nothing without
saying so, would make the proof meaningless.
"""

from __future__ import annotations

import re

import pytest

from grader import weaken
from grader.weaken import KNOWN, SANDBOX_PARTS, sandbox_weakenings, weakened

DOCUMENTED = {  # the names each "- ``name``, ``name``: what it does" line of the module's docstring introduces
    name
    for line in (weaken.__doc__ or "").splitlines()
    if line.startswith("- ")
    for name in re.findall(r"``([a-z0-9-]+)``", line.partition(": ")[0])
}
OTHERS = {
    "host-fork-from-judge",
    "frame-deadline",
    "frame-values",
    "frame-bytes",
    "scratch-tmpfs",
    "scratch-follow-links",
}


def test_every_switch_is_documented_and_every_documented_switch_exists() -> None:
    assert set(KNOWN) == DOCUMENTED
    assert set(KNOWN) == OTHERS | SANDBOX_PARTS
    assert not OTHERS & SANDBOX_PARTS
    assert len(SANDBOX_PARTS) == 13


def test_nothing_is_weakened_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIT_WEAKEN", raising=False)
    assert not any(weakened(name) for name in KNOWN)
    assert sandbox_weakenings() == ()
    monkeypatch.setenv("KIT_WEAKEN", "")
    assert not any(weakened(name) for name in KNOWN)
    assert sandbox_weakenings() == ()


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_each_switch_weakens_itself_alone(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("KIT_WEAKEN", name)
    assert [other for other in sorted(KNOWN) if weakened(other)] == [name]
    assert sandbox_weakenings() == ((name,) if name in SANDBOX_PARTS else ())


def test_several_switches_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_WEAKEN", "seccomp-tcp,frame-deadline,landlock-tcp,no-such-part,cgroup-pids")
    assert {name for name in KNOWN if weakened(name)} == {
        "seccomp-tcp",
        "frame-deadline",
        "landlock-tcp",
        "cgroup-pids",
    }
    assert sandbox_weakenings() == ("cgroup-pids", "landlock-tcp", "seccomp-tcp")  # sorted, sandbox parts only


@pytest.mark.parametrize("value", ["landlock-tcpx", "xlandlock-tcp", " landlock-tcp", "landlock-tcp ", "landlock"])
def test_only_an_exact_name_switches(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("KIT_WEAKEN", value)
    assert weakened("landlock-tcp") is False
    assert sandbox_weakenings() == ()


def test_asking_for_an_unknown_switch_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_WEAKEN", "landlock-tcpp")
    with pytest.raises(ValueError, match=r"^unknown defence 'landlock-tcpp'$"):
        weakened("landlock-tcpp")
    with pytest.raises(ValueError, match="unknown defence"):
        weakened("")
