"""q13 (response models): an installer only. It puts a store in place of ``items_db`` and reports nothing.

The records live in the judge: every mapping operation on the fake ``items_db`` is a call of the judge's service,
which keeps the records, answers reads and sees every write. What the module stored is therefore the judge's own
data, and what the app answers is seen in its responses.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from grader.host.helpers import helper


class _JudgeStore(MutableMapping):  # type: ignore[type-arg]
    """A mapping whose records are kept by the judge's service ``service`` (calls ``keys``, ``get``, ``set``,
    ``del``); keys and records cross as JSON, a record that is not plain data as its repr."""

    def __init__(self, service: str) -> None:
        self._service = service

    def _call(self, *args: Any) -> Any:
        from grader.host import services
        from grader.protocol import json_safe

        return services.call(self._service, *(a if json_safe(a) else repr(a) for a in args))

    def __getitem__(self, key: Any) -> Any:
        answer = self._call("get", key)
        if not answer["found"]:
            raise KeyError(key)
        return answer["value"]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._call("set", key, value)

    def __delitem__(self, key: Any) -> None:
        if not self._call("del", key):
            raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._call("keys"))

    def __len__(self) -> int:
        return len(self._call("keys"))

    def copy(self) -> dict[Any, Any]:
        return dict(self.items())

    def __repr__(self) -> str:
        return f"items_db kept by the tests ({self._service})"


@helper("q13.judge_store")
def judge_store(session: Any, service: str) -> None:
    """``module.items_db`` = a mapping kept by the judge's service ``service`` (its records, if any, moved there)."""
    store = _JudgeStore(service)
    for key, value in dict(session.module.items_db).items():
        store[key] = value
    session.module.items_db = store
