"""Exceptions the judge raises when the candidate's side misbehaves; hidden tests see them as test failures.

::

    CandidateError        the candidate's code raised (the fault: type, message, file line) -> a failed test
    ├── HostTimeout       the host did not answer within the deadline; it has been killed
    └── HostDied          the host ended (exit, crash, killed by a limit) before answering
    BridgeError           the kit itself asked something the host did not understand (a kit bug)
"""

from __future__ import annotations

from typing import Any

__all__ = ["BridgeError", "CandidateError", "HostDied", "HostTimeout", "describe_exit", "describe_fault"]


def describe_fault(fault: dict[str, Any], filename: str = "") -> str:
    """``NameError: name 'helper' is not defined (q06_request_body.py, line 12: return helper(x))``."""
    text = f"{fault.get('type', 'Error')}: {fault.get('message', '')}".rstrip(": ")
    line = fault.get("line")
    if line:
        where = f"{filename}, line {line}" if filename else f"line {line}"
        source = fault.get("source")
        text += f" ({where}: {source})" if source else f" ({where})"
    return text


class CandidateError(Exception):
    """The candidate's code raised; ``fault`` is the host's plain-data description."""

    def __init__(self, fault: dict[str, Any], filename: str = "") -> None:
        self.fault = fault
        super().__init__(describe_fault(fault, filename))


class HostTimeout(CandidateError):
    def __init__(self, what: str, seconds: float) -> None:
        self.seconds = seconds
        super().__init__({"type": "Timeout", "message": f"the app did not answer {what} within {seconds:g} s"})


class HostDied(CandidateError):
    def __init__(self, what: str, exit_code: int | None) -> None:
        self.exit_code = exit_code
        how = describe_exit(exit_code)
        super().__init__({"type": "HostDied", "message": f"the app's process ended during {what} ({how})"})


def describe_exit(exit_code: int | None) -> str:
    """``exit code 3``, ``killed by SIGKILL`` (a limit or the deadline), or ``no exit code``."""
    import signal

    if exit_code is None:
        return "no exit code"
    if exit_code < 0:
        try:
            return f"killed by {signal.Signals(-exit_code).name}"
        except ValueError:
            return f"killed by signal {-exit_code}"
    return f"exit code {exit_code}"


class BridgeError(RuntimeError):
    """The host refused a request as malformed: a bug in the kit, not in the candidate's code."""
