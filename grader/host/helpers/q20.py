"""q20 (background tasks): point the module's ``LOG_PATH`` at a file the judge chose.

The judge reads and writes the log file itself, in the host's scratch folder, after the host has answered; a
slower or counted ``write_log`` is ``common.forward`` to a judge service. Nothing here observes anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.host.helpers import helper


@helper("q20.point_log_path")
def point_log_path(session: Any, path: str) -> None:
    """``module.LOG_PATH`` = ``pathlib.Path(path)`` (an absolute path in the host's scratch folder)."""
    session.module.LOG_PATH = Path(path)
