"""The machine-readable report: exactly one JSON object, the serialisation of SubmissionResult."""

from __future__ import annotations

import json

from grader import __version__
from grader.results import SubmissionResult

__all__ = ["render_json"]


def render_json(result: SubmissionResult) -> str:
    return json.dumps({"kit_version": __version__, **result.to_dict()}, indent=2, ensure_ascii=False)
