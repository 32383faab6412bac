"""Hidden tests for q11: sync and async endpoints.

Blocking is detected from the judge's side of the wall, never with timings and never from a report of the
host: the module's ``blocking_io``, ``async_io`` or ``time.sleep`` are replaced by fakes that forward each call
to a service of this process, which holds the answer back (at most ``BOUND`` seconds) while it sends the app
another request. Whether that request was answered meanwhile, and in which order the calls arrived, is seen
here. Answers are fresh random values, so a response carrying one proves the call really went through. Which
kind each endpoint is (``def`` or ``async def``) is a declaration: it is read from the source, parsed here.
"""

import ast
import threading
import time
import uuid
from typing import Any

import httpx
import pytest

from grader.judge.bridge import AppHost

BOUND = 3.0  # seconds: the longest any held answer or wait in these tests may take
SETTLE = 1.0  # seconds a right answer is given to show it does NOT let a second call in (only wrong ones race it)
POLL = 0.05  # seconds between two looks at a request in flight (speed only: never decides an outcome)
PATHS = ("/sync", "/async", "/offload", "/gather")
# The helper the stub gives, to be kept as it is (its docstring aside): it sleeps with the module's time.sleep.
GIVEN_BLOCKING_IO = """
def blocking_io() -> str:
    time.sleep(DELAY)
    return "blocking done"
"""


def _nonce() -> str:
    return uuid.uuid4().hex


class Gate:
    """A service handler that holds every call until ``open()`` (at most ``BOUND`` s), then answers ``answer``.

    A call still held after ``BOUND`` seconds answers ``never released`` and is listed in ``timed_out``.
    """

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.opened = threading.Event()
        self.timed_out: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> Any:
        if self.opened.wait(BOUND):
            return self.answer
        self.timed_out.append(args)
        return "never released"

    def open(self) -> None:
        self.opened.set()


def _get_ok(client: httpx.Client, path: str) -> dict[str, Any]:
    r = client.get(path)
    assert r.status_code == 200, f"GET {path} should answer 200, got {r.status_code}: {r.text}"
    return r.json()


def _result(response: httpx.Response | None) -> Any:
    """The ``result`` field of a JSON response, None when there is none."""
    if response is None:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("result") if isinstance(body, dict) else None


def _route_path(call: ast.expr) -> str | None:
    """The path of a GET route declared by ``call`` (``X.get(path)``, ``X.api_route(path, methods=[...])``,
    ``X.add_api_route(path, endpoint)``), None for anything else."""
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return None
    if call.func.attr not in ("get", "api_route", "add_api_route"):
        return None
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    path = call.args[0] if call.args else keywords.get("path")
    if not isinstance(path, ast.Constant) or not isinstance(path.value, str):
        return None
    methods = keywords.get("methods")
    if call.func.attr != "get" and methods is not None:
        try:
            names = ast.literal_eval(methods)
        except ValueError:
            return None
        if not any(isinstance(m, str) and m.upper() == "GET" for m in names):
            return None
    return path.value


def _declared_get_endpoints(source: bytes) -> dict[str, bool]:
    """For each GET path the source declares, whether its function is ``async def`` (the first declaration)."""
    tree = ast.parse(source)
    functions = {
        node.name: isinstance(node, ast.AsyncFunctionDef)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    found: list[tuple[int, str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                path = _route_path(decorator)
                if path is not None and decorator.func.attr != "add_api_route":  # type: ignore[attr-defined]
                    found.append((node.lineno, path, isinstance(node, ast.AsyncFunctionDef)))
        elif isinstance(node, ast.Call) and _route_path(node) is not None and node.func.attr == "add_api_route":  # type: ignore[attr-defined]
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            endpoint = node.args[1] if len(node.args) > 1 else keywords.get("endpoint")
            if isinstance(endpoint, ast.Name) and endpoint.id in functions:
                found.append((node.lineno, _route_path(node) or "", functions[endpoint.id]))
    declared: dict[str, bool] = {}
    for _line, path, is_async in sorted(found):
        declared.setdefault(path, is_async)
    return declared


@pytest.mark.contract("q11.2")
def test_sync_answers_the_blocking_result(client: httpx.Client) -> None:
    body = _get_ok(client, "/sync")
    assert body == {"mode": "sync", "result": "blocking done"}, (
        f'GET /sync should answer {{"mode": "sync", "result": <what blocking_io() returned>}}, got {body}'
    )


@pytest.mark.contract("q11.3")
def test_async_answers_the_awaited_result(client: httpx.Client) -> None:
    body = _get_ok(client, "/async")
    assert body == {"mode": "async", "result": "async done"}, (
        f'GET /async should answer {{"mode": "async", "result": <what async_io() returned>}}, got {body}'
    )


@pytest.mark.contract("q11.4")
def test_offload_answers_the_blocking_result(client: httpx.Client) -> None:
    body = _get_ok(client, "/offload")
    assert body == {"mode": "offload", "result": "blocking done"}, (
        f'GET /offload should answer {{"mode": "offload", "result": <what blocking_io() returned>}}, got {body}'
    )


@pytest.mark.contract("q11.5")
def test_gather_answers_both_results(client: httpx.Client) -> None:
    body = _get_ok(client, "/gather")
    assert body == {"mode": "gather", "results": ["async done", "async done"]}, (
        f'GET /gather should answer {{"mode": "gather", "results": [<first>, <second>]}}, got {body}'
    )


@pytest.mark.contract("q11.6")
def test_endpoint_kinds_match_the_contract(host: AppHost) -> None:
    declared = _declared_get_endpoints(host.source)
    for path in PATHS:
        if path not in declared:
            pytest.fail(
                f"the source declares no GET {path} endpoint: put a route decorator on its function "
                f'(@app.get("{path}"), or an APIRouter\'s .get)',
                pytrace=False,
            )
    kinds = {path: declared[path] for path in PATHS}
    expected = {"/sync": False, "/async": True, "/offload": True, "/gather": True}
    assert kinds == expected, (
        "GET /sync should be declared as a plain def endpoint and /async, /offload, /gather as async def "
        f"endpoints (True = async def): expected {expected}, the source declares {kinds}"
    )


@pytest.mark.parametrize("path", ["/sync", "/offload"])
@pytest.mark.contract("q11.1", "q11.2", "q11.4")
def test_blocking_helper_is_looked_up_when_the_request_runs(client: httpx.Client, host: AppHost, path: str) -> None:
    _get_ok(client, path)
    answer = _nonce()
    host.serve("q11.blocking", lambda *args: answer)
    host.helper("common.forward", name="blocking_io", service="q11.blocking")
    body = _get_ok(client, path)
    assert body.get("result") == answer, (
        f"GET {path} should call the module's blocking_io() when the request runs and answer its result "
        f"(the tests replaced it), got {body}"
    )


@pytest.mark.contract("q11.1", "q11.3", "q11.5")
def test_async_helper_is_looked_up_when_the_request_runs(client: httpx.Client, host: AppHost) -> None:
    _get_ok(client, "/async")
    answer = _nonce()
    host.serve("q11.async", lambda *args: answer)
    host.helper("common.forward", name="async_io", service="q11.async")
    body = _get_ok(client, "/async")
    assert body.get("result") == answer, (
        "GET /async should await the module's async_io() when the request runs and answer its result "
        f"(the tests replaced it), got {body}"
    )
    gathered = _get_ok(client, "/gather")
    assert gathered.get("results") == [answer, answer], (
        "GET /gather should await the module's async_io() twice when the request runs and list both results "
        f"(the tests replaced it), got {gathered}"
    )


@pytest.mark.parametrize("path", ["/sync", "/offload"])
@pytest.mark.contract("q11.4", "q11.7")
def test_async_is_served_while_blocking_work_waits(client: httpx.Client, host: AppHost, path: str) -> None:
    _get_ok(client, path)
    _get_ok(client, "/async")
    released, meanwhile = _nonce(), _nonce()
    gate = Gate(released)
    host.serve("q11.blocking", gate)
    host.serve("q11.async", lambda *args: meanwhile)
    host.helper("common.forward", name="blocking_io", service="q11.blocking")
    host.helper("common.forward", name="async_io", service="q11.async")
    blocked = client.start("GET", path)
    try:
        assert host.wait_for_calls("q11.blocking", 1, BOUND), (
            f"GET {path} never called the module's blocking_io() within {BOUND} s"
        )
        served = client.get("/async")  # served only when the event loop is free, i.e. not stuck in blocking_io()
    finally:
        gate.open()
    response = blocked.response(BOUND)
    assert served.status_code == 200, f"GET /async should answer 200, got {served.status_code}: {served.text}"
    assert _result(served) == meanwhile, f"GET /async should answer what async_io() returned, got {served.text}"
    assert response is not None, f"GET {path} did not answer within {BOUND} s once blocking_io() returned"
    assert response.status_code == 200, f"GET {path} should answer 200, got {response.status_code}: {response.text}"
    assert _result(response) == released, (
        f"while GET {path} was inside blocking_io(), GET /async could not be served for {BOUND} s: "
        "the blocking call ran on the event loop and froze every other request (a plain def endpoint, or "
        "run_in_threadpool / asyncio.to_thread inside async def, keeps it in a worker thread)"
    )


@pytest.mark.contract("q11.1", "q11.3")
def test_async_awaits_its_helper_on_the_servers_event_loop(client: httpx.Client, host: AppHost) -> None:
    _get_ok(client, "/async")
    first_answer, second_answer = _nonce(), _nonce()
    lock = threading.Lock()
    arrivals: list[int] = []
    second_arrived, first_returned = threading.Event(), threading.Event()
    first_done_when_second_came: list[bool] = []

    def hold(*args: Any) -> str:
        # The fake async_io() calls this synchronously, blocking the loop that awaits it until the answer comes.
        with lock:
            arrivals.append(len(arrivals))
            number = arrivals[-1]
        if number == 0:
            second_arrived.wait(SETTLE)  # a right answer never lets the second call in meanwhile
            first_returned.set()
            return first_answer
        first_done_when_second_came.append(first_returned.is_set())
        second_arrived.set()
        return second_answer

    host.serve("q11.hold", hold)
    host.helper("q11.hold_loop_in_async_io", service="q11.hold")
    first = client.start("GET", "/async")
    assert host.wait_for_calls("q11.hold", 1, BOUND), f"GET /async never awaited async_io() within {BOUND} s"
    second = client.start("GET", "/async")  # a right answer serves it only once the first async_io() returned
    responses = [first.response(BOUND), second.response(BOUND)]
    results = sorted(str(_result(r)) for r in responses)
    assert results == sorted([first_answer, second_answer]), (
        "GET /async should await the module's async_io() when the request runs and answer its result (the "
        f"tests replaced it); got {[None if r is None else r.text for r in responses]}"
    )
    assert first_done_when_second_came == [True], (
        "GET /async should await async_io() on the server's own event loop (one loop for every request): while "
        "one request's async_io() held its loop, a second GET /async reached async_io() too, so the first ran "
        "on a loop of its own (asyncio.run in a worker thread?)"
    )


@pytest.mark.contract("q11.3")
def test_async_io_holds_the_loop_that_serves_requests(client: httpx.Client, host: AppHost) -> None:
    _get_ok(client, "/async")
    answer = _nonce()
    released, returned = threading.Event(), threading.Event()

    def hold(*args: Any) -> str:
        # The fake async_io() calls this synchronously, blocking the loop that awaits it until the answer comes.
        released.wait(SETTLE)  # a right answer serves no other request meanwhile, so nothing opens this early
        returned.set()
        return answer

    host.serve("q11.hold", hold)
    host.helper("q11.hold_loop_in_async_io", service="q11.hold")
    held = client.start("GET", "/async")
    try:
        assert host.wait_for_calls("q11.hold", 1, BOUND), f"GET /async never awaited async_io() within {BOUND} s"
        probe = client.start("GET", f"/kit-probe-{_nonce()}")  # served only when the server's loop is free
        served = probe.response(BOUND)
        answered_while_held = served is not None and not returned.is_set()
    finally:
        released.set()
    response = held.response(BOUND)
    assert response is not None, f"GET /async did not answer within {BOUND} s once async_io() returned"
    assert _result(response) == answer, f"GET /async should answer what async_io() returned, got {response.text}"
    assert not answered_while_held, (
        "GET /async should await async_io() on the server's own event loop: while its async_io() held the loop "
        f"that awaited it, another request ({probe.request.url.path}) was answered, so async_io() ran on a loop "
        "of its own (a background loop thread, run_coroutine_threadsafe, asyncio.run in a thread?)"
    )
    assert served is not None, f"{probe.request.url.path} did not answer within {BOUND} s once async_io() returned"


def _function_shape(source: str | bytes, name: str) -> str | None:
    """``ast.dump`` of the module-level function ``name`` without its docstring, None when there is none."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]
            node.body = body
            return ast.dump(node)
    return None


@pytest.mark.contract("q11.1", "q11.5")
def test_gather_keeps_both_awaits_in_flight_together(client: httpx.Client, host: AppHost) -> None:
    _get_ok(client, "/gather")
    tokens = [_nonce() for _ in range(2)]
    first, second, alone = _nonce(), _nonce(), _nonce()
    lock = threading.Lock()
    entered: list[str] = []

    def enter(*args: Any) -> str:
        # Called synchronously by each fake async_io() as it starts: the order of these calls is call order.
        with lock:
            entered.append(tokens[len(entered)] if len(entered) < len(tokens) else _nonce())
            return entered[-1]

    def wait(token: Any = None, *args: Any) -> str:
        # The first call is answered only once the second one is all but finished: in flight together, and the
        # second call's result is ready first.
        if token == tokens[0]:
            return first if host.wait_for_calls("q11.leave", 1, BOUND) else alone
        return second if token == tokens[1] else _nonce()

    host.serve("q11.enter", enter)
    host.serve("q11.wait", wait)
    host.helper("q11.forward_async_io_in_order", enter="q11.enter", wait="q11.wait", leave="q11.leave")
    body = _get_ok(client, "/gather")
    results = body.get("results")
    assert isinstance(results, list) and sorted(map(str, results)) == sorted([first, second]), (
        "GET /gather should start both async_io() calls before waiting for either (asyncio.gather or a task "
        f"group); awaiting them one after the other left the first call alone for {BOUND} s. Got {body}"
    )
    assert results == [first, second], (
        "GET /gather should list the results in call order, the first call's result first, even when the "
        f"second call finishes first; got {results}"
    )


def _sleep_started_or_answered(host: AppHost, started: Any, sleeps_before: int) -> httpx.Response | None:
    """Wait (at most 2 x BOUND s) until the started request calls time.sleep (None) or is answered (its response)."""
    deadline = time.monotonic() + 2 * BOUND
    while time.monotonic() < deadline:
        if host.wait_for_calls("q11.sleep", sleeps_before + 1, POLL):
            return None
        response = started.response(POLL)
        if response is not None:
            return response
    pytest.fail(f"GET {started.request.url.path} neither answered nor slept within {2 * BOUND} s", pytrace=False)


@pytest.mark.contract("q11.7")
def test_no_sleep_runs_on_the_event_loop(client: httpx.Client, host: AppHost) -> None:
    for path in PATHS:
        _get_ok(client, path)
    # The module's time.sleep (also reached through blocking_io()) now forwards here and is held at the gate.
    host.helper("q11.forward_sleep", service="q11.sleep")
    for path in PATHS:
        gate = Gate(None)
        host.serve("q11.sleep", gate)
        sleeps_before = len(host.service_calls("q11.sleep"))
        started = client.start("GET", path)
        response = _sleep_started_or_answered(host, started, sleeps_before)
        if response is not None and path in ("/sync", "/offload"):
            pytest.fail(
                f"GET {path} answered without calling the module's time.sleep: the given blocking_io() sleeps with "
                "time.sleep (keep it), and the tests replaced time.sleep to see where it runs",
                pytrace=False,
            )
        if response is None:  # it is sleeping: is the event loop free meanwhile?
            try:
                probe = client.get(f"/kit-probe-{_nonce()}")  # any request is served only when the loop is free
            finally:
                gate.open()
            assert not gate.timed_out, (
                f"GET {path} called time.sleep (directly or through blocking_io()) on the event-loop thread: while "
                f"it slept, no other request was served for {BOUND} s (a request to {probe.url.path} waited). "
                "Inside async def, await asyncio.sleep / async helpers, and hand blocking calls to a thread"
            )
            response = started.response(BOUND)
        gate.open()
        assert response is not None, f"GET {path} did not answer within {BOUND} s once its sleep returned"
        assert response.status_code == 200, f"GET {path} should answer 200, got {response.status_code}: {response.text}"
    # The sleeps seen above are the given blocking_io()'s only if it is kept: read it in the source.
    given = _function_shape(GIVEN_BLOCKING_IO, "blocking_io")
    shape = _function_shape(host.source, "blocking_io")
    assert shape is not None, "the module should keep the given blocking_io() as a module-level function"
    assert shape == given, (
        "keep the given blocking_io() as it is: it sleeps with time.sleep(DELAY), the module's time.sleep that the "
        "tests replace (a `from time import sleep` or any other rewrite of it is not the given helper)"
    )


@pytest.mark.contract("q11.1", "q11.3", "q11.7")
def test_concurrent_async_requests_overlap(client: httpx.Client, host: AppHost) -> None:
    _get_ok(client, "/async")
    answer = _nonce()
    gate = Gate(answer)
    host.serve("q11.async", gate)
    host.helper("common.forward", name="async_io", service="q11.async")
    first, second = client.start("GET", "/async"), client.start("GET", "/async")
    try:
        both_waiting = host.wait_for_calls("q11.async", 2, BOUND)
    finally:
        gate.open()
    responses = [first.response(BOUND), second.response(BOUND)]
    for r in responses:
        assert r is not None, f"GET /async did not answer within {BOUND} s once async_io() returned"
        assert r.status_code == 200, f"GET /async should answer 200, got {r.status_code}: {r.text}"
    assert both_waiting, (
        "two GET /async requests sent at the same time should both be waiting in async_io() at once "
        f"(the endpoint must await, not block); only {len(host.service_calls('q11.async'))} call(s) within {BOUND} s"
    )
    assert [_result(r) for r in responses] == [answer, answer], (
        f"GET /async should answer what async_io() returned, got {[r.text for r in responses if r is not None]}"
    )
