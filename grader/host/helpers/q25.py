"""q25 helper: run one of the candidate's ``test_*`` functions with a client on an app this process cannot reach.

The app under test is never here. The judge runs the kit's app variants (the correct app, the mutants) in a host
of their own and runs the candidate's suite once per variant, in a random order, each run on a fresh import of
the module; nothing in this process says which variant answers but the answers themselves. The ``client`` a
test gets is an ``httpx.Client`` whose transport sends every request, with the dependency overrides the test
set on ``client.app.dependency_overrides``, to the judge's service ``q25.http``; the judge relays it to the
variant and sends its response back. The helper reports only whether the test passed (a test's outcome is the
candidate's own report, which the judge weighs knowing the variant); it observes nothing else.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import httpx

from grader.host import services
from grader.host.helpers import helper
from grader.protocol import b64decode, b64encode, json_safe

SERVICE = "q25.http"
OVERRIDABLE = ("get_current_user",)
_REASON_LIMIT = 300


def _dependency_name(dependency: Any) -> str:
    name = getattr(dependency, "__name__", None)
    if name not in OVERRIDABLE:
        raise ValueError(f"only {', '.join(OVERRIDABLE)} can be overridden on the app under test, not {dependency!r}")
    return str(name)


class DependencyOverrides(MutableMapping[Any, Callable[[], Any]]):
    """``client.app.dependency_overrides``: kept here, sent with every request and applied by the app's copy.

    An override is a function without parameters returning plain data, called once for each request.
    """

    def __init__(self) -> None:
        self._overrides: dict[Any, Callable[[], Any]] = {}

    def __setitem__(self, dependency: Any, override: Callable[[], Any]) -> None:
        _dependency_name(dependency)
        if not callable(override):
            raise TypeError(f"an override must be a function without parameters, not {override!r}")
        self._overrides[dependency] = override

    def __getitem__(self, dependency: Any) -> Callable[[], Any]:
        return self._overrides[dependency]

    def __delitem__(self, dependency: Any) -> None:
        del self._overrides[dependency]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._overrides)

    def __len__(self) -> int:
        return len(self._overrides)

    def values_now(self) -> dict[str, Any]:
        """Each override's value for one request (by dependency name), as plain data."""
        values = {}
        for dependency, override in self._overrides.items():
            value = override()
            if not json_safe(value):
                raise TypeError(
                    f"the override of {_dependency_name(dependency)} returned {type(value).__name__}: an override "
                    "must return plain data (a dict such as {'username': 'bob'})"
                )
            values[_dependency_name(dependency)] = value
        return values


class AppUnderTest:
    """``client.app``: the app runs in another process; only its dependency overrides can be reached from here."""

    def __init__(self) -> None:
        object.__setattr__(self, "_overrides", DependencyOverrides())

    @property
    def dependency_overrides(self) -> DependencyOverrides:
        return object.__getattribute__(self, "_overrides")

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "dependency_overrides":
            raise AttributeError(f"the app under test runs in another process: client.app.{name} cannot be set")
        overrides = self.dependency_overrides
        overrides.clear()
        overrides.update(value)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"the app under test runs in another process: client.app offers dependency_overrides, not {name}"
        )


class _Relay(httpx.BaseTransport):
    def __init__(self, app: AppUnderTest) -> None:
        self._app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        reply = services.call(
            SERVICE,
            request.method,
            str(request.url),
            [[k, v] for k, v in request.headers.multi_items()],
            b64encode(body),
            self._app.dependency_overrides.values_now(),
        )
        if not isinstance(reply, dict):
            raise services.ServiceError("the app under test sent no response")
        response = httpx.Response(
            int(reply["status"]),
            headers=[(str(k), str(v)) for k, v in reply["headers"]],
            stream=httpx.ByteStream(b64decode(str(reply["body"]))),
            request=request,
        )
        response.read()
        return response


class GradedClient(httpx.Client):
    """What a candidate's test gets as ``client``: TestClient's methods, answered by the app under test."""

    def __init__(self) -> None:
        app = AppUnderTest()
        super().__init__(
            transport=_Relay(app),
            base_url="http://testserver",
            follow_redirects=True,
            headers={"user-agent": "testclient"},
        )
        self.app = app


def _reason(exc: BaseException) -> str:
    try:
        text = str(exc).strip().splitlines()
    except BaseException:  # a candidate's exception whose __str__ raises
        text = []
    reason = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    return reason if len(reason) <= _REASON_LIMIT else reason[: _REASON_LIMIT - 1] + "…"


@helper("q25.run_test")
def run_test(session: Any, name: str) -> str | None:
    """Call the module's ``name(client)`` with a new ``GradedClient``: None when it returns, else why it failed."""
    test = getattr(session.module, name, None)
    if not callable(test):
        return f"the module's {name} is not a function"
    client = GradedClient()
    try:
        result = test(client)
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()
            return f"{name} is async def: write it as a plain def"
    except BaseException as exc:  # pytest.fail() raises a BaseException subclass; it is a failure too
        return _reason(exc)
    finally:
        client.close()
    return None
