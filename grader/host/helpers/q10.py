"""q10 (dependency injection): installers only. They put fakes in place and report nothing.

The judge observes through behaviour: the responses the app sends, and the calls the fake ``open_session``
forwards to the judge's service (counted by the judge, answered with users and items it chose).
"""

from __future__ import annotations

from typing import Any

from grader.host.helpers import helper


@helper("q10.forward_open_session")
def forward_open_session(session: Any, service: str) -> None:
    """``module.open_session`` = a fake that calls the judge's service ``service`` once per call and returns
    ``module.FakeSession(users=..., items=...)`` built from the judge's answer ``{"users": ..., "items": ...}``."""
    from grader.host import services

    make_session = session.module.FakeSession

    def open_session(*_args: Any, **_kwargs: Any) -> Any:
        answer = services.call(service)
        return make_session(users=answer["users"], items=answer["items"])

    session.module.open_session = open_session


@helper("q10.override_params")
def override_params(session: Any, q: str | None, skip: int, limit: int, by: str = "init") -> None:
    """``app.dependency_overrides[CommonQueryParams]`` = a function returning one instance of the module's class.

    ``by="init"``: ``CommonQueryParams(q=q, skip=skip, limit=limit)``. ``by="attributes"``: ``CommonQueryParams()``
    whose attributes ``q``, ``skip``, ``limit`` are then set to the judge's values.
    """
    cls = session.module.CommonQueryParams
    if by == "init":
        made = cls(q=q, skip=skip, limit=limit)
    else:
        made = cls()
        made.q, made.skip, made.limit = q, skip, limit
    session.module.app.dependency_overrides[cls] = lambda: made
