"""Helpers for q30 (caching): an installer of the environment the app starts with.

The data source and the clock are replaced by ``common.forward`` fakes that answer from the judge; nothing here
observes or reports anything.
"""

from __future__ import annotations

import os
from typing import Any

from grader.host.helpers import helper


@helper("q30.set_environment")
def set_environment(session: Any, name: str, value: str | None) -> None:
    """``os.environ[name] = value`` in the host (``None`` removes it): read by the app at its next start-up."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
