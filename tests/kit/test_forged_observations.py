"""Forged observations (issue 18): hostile answers that behave wrongly and rewrite what the kit observes.

Each test grades a real submission with the real ``grade`` command (a subprocess, as an interviewer runs it, the
pattern of ``test_attacks.py``). The answer produces the WRONG behaviour and reaches the kit's code in its own
process (``grader.host.helpers``, ``grader.host.services``, ``grader.host.session``, through ``importlib`` or
``gc``) to make the kit report the right one. The question must earn only what its real behaviour earns.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.kit import solutions_dir

pytestmark = pytest.mark.slow


def grade(*args: str, exit_codes: tuple[int, ...] = (0, 1)) -> dict[str, Any]:
    """Run ``grade ... --json`` as a user would; its parsed JSON (``--sandbox require`` where CI demands it)."""
    if os.environ.get("KIT_REQUIRE_SANDBOX") == "1" and "--sandbox" not in args:
        args = (*args, "--sandbox", "require")
    completed = subprocess.run(
        [sys.executable, "-m", "grader", *args, "--json", "--timeout", "30"],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    assert completed.returncode in exit_codes, completed.stderr
    return json.loads(completed.stdout)


def graded_question(folder: Path, qid: str) -> dict[str, Any]:
    """Grade question ``qid`` of ``folder``; its entry in the report."""
    report = grade(str(folder), "-q", qid)
    (submission,) = report["submissions"]
    return next(q for q in submission["questions"] if q["id"] == qid)


def hostile_answer(tmp_path: Path, filename: str, edits: list[tuple[str, str]], attack: str) -> Path:
    """A folder holding the reference solution of ``filename`` with ``edits`` (each ``old`` once) and ``attack``."""
    text = (solutions_dir() / filename).read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    folder = tmp_path / "candidate"
    folder.mkdir()
    (folder / filename).write_text(text + "\n" + attack)
    return folder


def failed_tests(question: dict[str, Any]) -> set[str]:
    """The names of the failed tests of a graded question (without the file part)."""
    return {failure["test"].rsplit("::", 1)[-1] for failure in question["failures"]}


# ---- q10, q01, q09, q12, q13, q19 ---------------------------------------------------------------------------------

Q10_FORGE = """
import importlib as _importlib

_registry = _importlib.import_module("grader.host.helpers")._REGISTRY


def _no_spy(session, name):
    return None


def _one_call(session, name, reset=False):
    return 1


def _keep_the_real_open_session(session, service):
    return None


# the counting spy reports one call per request, and the judge's fake is never installed
_registry["common.spy"] = _no_spy
_registry["common.spy_calls"] = _one_call
_registry["q10.forward_open_session"] = _keep_the_real_open_session
"""


def test_q10_two_sessions_per_request_are_counted_by_the_judge(tmp_path: Path) -> None:
    """Each request opens two sessions (the route's own get_db is not cached); the answer rewrites the spy."""
    folder = hostile_answer(
        tmp_path,
        "q10_dependency_injection.py",
        [
            (
                "def read_my_items(user: ActiveUser, db: DB) -> list[dict[str, str]]:",
                "def read_my_items(\n    user: ActiveUser,\n"
                "    db: Annotated[FakeSession, Depends(get_db, use_cache=False)],\n"
                ") -> list[dict[str, str]]:",
            )
        ],
        Q10_FORGE,
    )
    q10 = graded_question(folder, "q10")
    assert q10["status"] == "failed" and q10["points"] < q10["max_points"], q10
    assert failed_tests(q10) == {"test_one_request_opens_one_session"}, q10["failures"]


Q01_FORGE = """
import importlib as _importlib

_session = _importlib.import_module("grader.host.session")


def _always_async(self, message):
    return {"found": True, "is_async": True, "name": "ping"}


# the host's endpoint report says async def whatever the route's function is
_session.HostSession._op_endpoint = _always_async
"""


def test_q01_a_plain_def_ping_is_read_in_the_source(tmp_path: Path) -> None:
    """GET /ping is served by a plain def; the answer makes the host report every endpoint as async def."""
    folder = hostile_answer(
        tmp_path,
        "q01_what_is_fastapi.py",
        [("async def ping() -> dict[str, str]:", "def ping() -> dict[str, str]:")],
        Q01_FORGE,
    )
    q01 = graded_question(folder, "q01")
    assert q01["status"] == "failed" and q01["points"] < q01["max_points"], q01
    assert failed_tests(q01) == {"test_ping_is_declared_async"}, q01["failures"]


Q09_FORGE = """
import importlib as _importlib

_registry = _importlib.import_module("grader.host.helpers")._REGISTRY


def _validated_and_lowercased(session, data):
    try:
        user = session.module.UserSignup.model_validate(data)
    except Exception as exc:
        return {"raised": type(exc).__name__, "validation_error": True, "message": str(exc)}
    return {"raised": None, "email": user.email.lower()}


# the model keeps the email as sent (the endpoint lowercases it): the report of the model says lowercased
_registry["q09.validate_signup"] = _validated_and_lowercased
"""


def test_q09_a_model_that_keeps_the_email_as_sent_is_seen_as_such(tmp_path: Path) -> None:
    """UserSignup holds the email as sent (only the endpoint lowercases it); the answer forges the model's report."""
    folder = hostile_answer(
        tmp_path,
        "q09_pydantic_models.py",
        [
            (
                '            raise ValueError("invalid email address")\n        return value.lower()',
                '            raise ValueError("invalid email address")\n        return value',
            ),
            (
                '    return UserOut.model_validate(user.model_dump(exclude={"password", "password_confirm"}))',
                "    user.email = user.email.lower()\n"
                '    return UserOut.model_validate(user.model_dump(exclude={"password", "password_confirm"}))',
            ),
        ],
        Q09_FORGE,
    )
    q09 = graded_question(folder, "q09")
    assert q09["status"] == "failed" and q09["points"] < q09["max_points"], q09
    assert failed_tests(q09) == {"test_model_validates_on_its_own"}, q09["failures"]


Q12_FORGE = """
import importlib as _importlib

_registry = _importlib.import_module("grader.host.helpers")._REGISTRY


def _route_that_answers_for_the_handler(session, path, item_id, requested, available):
    from fastapi.responses import JSONResponse

    body = {"detail": "Not enough stock", "status": 409, "item_id": item_id, "requested": requested}
    body["available"] = available
    session.module.app.add_api_route(path, lambda: JSONResponse(body, status_code=409), methods=["GET"])
    session.apps["q12.out_of_stock"] = session.module.app
    return "q12.out_of_stock"


# no handler is registered: the kit's route raising OutOfStockError is replaced by one that answers the 409 itself
_registry["q12.add_out_of_stock_route"] = _route_that_answers_for_the_handler
"""


def test_q12_a_handler_only_inside_the_route_is_read_in_the_source(tmp_path: Path) -> None:
    """The reserve route catches OutOfStockError itself (no handler on the app); the answer forges the kit's route."""
    folder = hostile_answer(
        tmp_path,
        "q12_error_handling.py",
        [
            (
                "    left = reserve_stock(get_item_or_404(item_id), item_id, body.quantity)",
                "    try:\n"
                "        left = reserve_stock(get_item_or_404(item_id), item_id, body.quantity)\n"
                "    except OutOfStockError as exc:\n"
                "        return await out_of_stock_handler(None, exc)",
            ),
            ("@app.exception_handler(OutOfStockError)\n", ""),
            (
                "def reserve_item(item_id: int, body: ReserveRequest)",
                "async def reserve_item(item_id: int, body: ReserveRequest)",
            ),
        ],
        Q12_FORGE,
    )
    q12 = graded_question(folder, "q12")
    assert q12["status"] == "failed" and q12["points"] < q12["max_points"], q12
    assert failed_tests(q12) == {"test_out_of_stock_handler_is_registered_on_the_app"}, q12["failures"]


Q13_FORGE = """
import importlib as _importlib

_registry = _importlib.import_module("grader.host.helpers")._REGISTRY


def _record_as_the_contract_wants(session, item_id):
    record = dict(session.module.items_db.get(item_id) or {})
    record.setdefault("cost_price", 7.25)
    return record


# cost_price is not stored: the report of the stored record puts it back
_registry["q13.read_record"] = _record_as_the_contract_wants
"""


def test_q13_a_record_stored_without_cost_price_is_seen_by_the_judge(tmp_path: Path) -> None:
    """POST /items/ drops cost_price from the stored record; the answer forges the kit's reading of items_db."""
    folder = hostile_answer(
        tmp_path,
        "q13_response_models.py",
        [
            (
                'items_db[item_id] = {"id": item_id, **item.model_dump(exclude_unset=True)}',
                'items_db[item_id] = {"id": item_id, **item.model_dump(exclude_unset=True, exclude={"cost_price"})}',
            )
        ],
        Q13_FORGE,
    )
    q13 = graded_question(folder, "q13")
    assert q13["status"] == "failed" and q13["points"] < q13["max_points"], q13
    assert failed_tests(q13) == {"test_store_keeps_what_the_client_sent"}, q13["failures"]


Q19_FORGE = """
import importlib as _importlib

_registry = _importlib.import_module("grader.host.helpers")._REGISTRY


def _route_that_answers_for_the_catch_all(session, path, secret):
    from fastapi.responses import JSONResponse

    answer = JSONResponse({"error": "internal_error"}, status_code=500)
    session.module.app.add_api_route(path, lambda: answer)
    session.apps["q19.failing"] = session.module.app
    return "q19.failing"


# the catch-all only covers RuntimeError: the kit's route raising a KeyError is replaced by one answering the 500
_registry["q19.add_failing_route"] = _route_that_answers_for_the_catch_all
"""


def test_q19_a_catch_all_for_runtime_error_only_is_seen_on_a_given_route(tmp_path: Path) -> None:
    """The catch-all is registered for RuntimeError only; the answer forges the kit's route raising a KeyError."""
    folder = hostile_answer(
        tmp_path,
        "q19_exception_handlers.py",
        [("@app.exception_handler(Exception)", "@app.exception_handler(RuntimeError)")],
        Q19_FORGE,
    )
    q19 = graded_question(folder, "q19")
    assert q19["status"] == "failed" and q19["points"] < q19["max_points"], q19
    # Both tests that send a KeyError through the kit's route see its plain-text 500 (the second also searches
    # the headers for a leak); no test that needs no unhandled KeyError fails.
    assert failed_tests(q19) == {
        "test_any_unhandled_exception_type_answers_json_500",
        "test_unhandled_error_leaks_nothing_in_the_headers_either",
    }, q19["failures"]


# ---- q30, q14, q22, q21 -------------------------------------------------------------------------------------------

Q30_FORGE = """
import importlib as _importlib

_registry = _importlib.import_module("grader.host.helpers")._REGISTRY


def _one_call_per_key(session, **_):
    return sorted(set(session.state.get("q30:source_calls", [])))


def _the_same_cache_made_at_start_up(session, remember=False):
    return {"present": remember, "type": "MemoryCache", "same_as_remembered": True}


def _one_call(session, name, reset=False):
    return 1


# the kit's record of the source's calls reports each key once, and the cache looks made in the lifespan
_registry["q30.source_calls"] = _one_call_per_key
_registry["q30.cache"] = _the_same_cache_made_at_start_up
_registry["common.spy_calls"] = _one_call
"""

Q30_FAILED = {
    "test_miss_reads_the_source_once_and_a_hit_does_not",
    "test_keys_are_cached_separately",
    "test_entry_expires_after_the_ttl_by_the_replaceable_clock",
    "test_empty_dict_is_cached_too",
    "test_every_start_up_begins_with_an_empty_cache",
}
Q30_FAILED_WITH_REDIS = {
    "test_redis_miss_stores_json_with_an_expiry",
    "test_redis_value_put_there_is_served_as_a_hit",
    "test_redis_key_gone_means_a_miss_again",
    "test_redis_url_is_read_at_start_up",  # the Redis client of the first start-up stays, unset REDIS_URL or not
}


def test_q30_reads_of_the_source_and_a_restart_are_observed_by_the_judge(tmp_path: Path) -> None:
    """Every hit still reads the source, and the in-memory cache outlives a restart (made at import, never
    closed); the answer rewrites the kit's old call record and cache check."""
    folder = hostile_answer(
        tmp_path,
        "q30_performance.py",
        [
            (
                "    if cached is not None:\n        return json.loads(cached), True",
                "    if cached is not None:\n        await fetch_from_db(key)\n        return json.loads(cached), True",
            ),
            (
                "    app.state.cache = redis.from_url(url) if url else MemoryCache()",
                "    if url:\n        app.state.cache = redis.from_url(url)",
            ),
            ("        await app.state.cache.aclose()", "        if url:\n            await app.state.cache.aclose()"),
            (
                "app.add_middleware(GZipMiddleware, minimum_size=1000)",
                "app.add_middleware(GZipMiddleware, minimum_size=1000)\napp.state.cache = MemoryCache()",
            ),
        ],
        Q30_FORGE,
    )
    q30 = graded_question(folder, "q30")
    assert q30["status"] == "failed" and q30["points"] < q30["max_points"], q30
    expected = Q30_FAILED | (Q30_FAILED_WITH_REDIS if q30["tests_skipped"] == 0 else set())
    assert failed_tests(q30) == expected, q30["failures"]


Q14_FORGE = """
def _forged_seconds(request):
    # what the kit's clock route advances the clock by, read off the route itself: never measured
    for route in request.app.routes:
        if getattr(route, "path", None) == request.url.path:
            for cell in getattr(getattr(route, "endpoint", None), "__closure__", None) or ():
                if isinstance(cell.cell_contents, float):
                    return cell.cell_contents
    return 0.0
"""


def test_q14_the_handlers_time_is_the_judges(tmp_path: Path) -> None:
    """X-Process-Time is not measured but read off the kit's clock route (the amount it advances the clock by)."""
    folder = hostile_answer(
        tmp_path,
        "q14_middleware.py",
        [
            ("    start = time.perf_counter()", "    start = 0.0"),
            ("str(time.perf_counter() - start)", "str(_forged_seconds(request) - start)"),
        ],
        Q14_FORGE,
    )
    q14 = graded_question(folder, "q14")
    assert q14["status"] == "failed" and q14["points"] < q14["max_points"], q14
    assert failed_tests(q14) == {"test_process_time_measures_the_handler_with_perf_counter"}, q14["failures"]


Q22_FORGE = """
import importlib as _importlib

_registry = _importlib.import_module("grader.host.helpers")._REGISTRY


def _every_session_closed(session, **_):
    return {"opened": 6, "unclosed": 0}


def _one_more_each_time(session, **_):
    session.state["forged"] = session.state.get("forged", 0) + 1
    return session.state["forged"]


# the kit's old record of sessions says every one was closed, and its override count grows with each request
_registry["q22.recorded_sessions"] = _every_session_closed
_registry["q22.handed_out"] = _one_more_each_time
"""


def test_q22_sessions_left_open_are_seen_by_the_judge(tmp_path: Path) -> None:
    """get_db closes its session only when the request succeeds (no try/finally); the answer rewrites the kit's old
    record of the sessions opened and closed."""
    folder = hostile_answer(
        tmp_path,
        "q22_database_sessions.py",
        [
            (
                "    db = SessionLocal()\n    try:\n        yield db\n    finally:\n        db.close()",
                "    db = SessionLocal()\n    yield db\n    db.close()",
            )
        ],
        Q22_FORGE,
    )
    q22 = graded_question(folder, "q22")
    assert q22["status"] == "failed" and q22["points"] < q22["max_points"], q22
    assert failed_tests(q22) == {
        "test_every_request_closes_its_session",
        "test_session_is_closed_and_nothing_stored_when_commit_fails",
    }, q22["failures"]


Q21_FORGE = """
import importlib as _importlib

_session = _importlib.import_module("grader.host.session")
_registry = _importlib.import_module("grader.host.helpers")._REGISTRY
_real_call = _session.HostSession._op_call


def _answered_without_calling(self, message):
    if message.get("name") == "reset_limits":
        return {"value": None, "kind": "value"}
    return _real_call(self, message)


def _reported_as_called(session, **_):
    return "NoneType"


# the judge's call of reset_limits() and the kit's old helper both answer as if it ran, and nothing is reset
_session.HostSession._op_call = _answered_without_calling
_registry["q21.reset_limits"] = _reported_as_called
"""


def test_q21_a_reset_that_forgets_nothing_is_seen_by_the_judge(tmp_path: Path) -> None:
    """reset_limits() forgets nothing; the answer makes the host report the call done without running anything."""
    folder = hostile_answer(
        tmp_path,
        "q21_rate_limiting.py",
        [("def reset_limits() -> None:\n    limiter.reset()", "def reset_limits() -> None:\n    pass")],
        Q21_FORGE,
    )
    q21 = graded_question(folder, "q21")
    assert q21["status"] == "failed" and q21["points"] < q21["max_points"], q21
    assert failed_tests(q21) == {"test_reset_limits_gives_every_client_a_full_new_allowance"}, q21["failures"]


# ---- q11, q20, q26 ------------------------------------------------------------------------------------------------

Q11_FORGE = """
import importlib as _importlib

_session = _importlib.import_module("grader.host.session")
_registry = _importlib.import_module("grader.host.helpers")._REGISTRY


def _declared_as_asked(self, message):
    return {"found": True, "is_async": message.get("path") != "/sync", "name": "endpoint"}


def _not_installed(session, **_):
    return None


def _never_on_the_loop(session):
    return [False]


# the host reports every endpoint as the kind the contract asks for, the kit's time.sleep is never installed,
# and the old on-the-loop record says "off the loop"
_session.HostSession._op_endpoint = _declared_as_asked
_registry["q11.forward_sleep"] = _not_installed
_registry["q11.record_sleep_on_loop"] = _not_installed
_registry["q11.blocking_io_calls"] = _never_on_the_loop
"""


def test_q11_blocking_on_the_loop_is_seen_by_the_judge(tmp_path: Path) -> None:
    """/sync and /offload run blocking_io() on the event loop and async_io() sleeps with time.sleep; the answer
    rewrites the host's endpoint report and keeps the kit's time.sleep from being installed."""
    folder = hostile_answer(
        tmp_path,
        "q11_sync_vs_async.py",
        [
            ("    await asyncio.sleep(DELAY)", "    time.sleep(DELAY)"),
            ("def read_sync() -> dict[str, Any]:", "async def read_sync() -> dict[str, Any]:"),
            ("await run_in_threadpool(blocking_io)}", "blocking_io()}"),
        ],
        Q11_FORGE,
    )
    q11 = graded_question(folder, "q11")
    assert q11["status"] == "failed" and q11["points"] < q11["max_points"], q11
    assert failed_tests(q11) == {
        "test_endpoint_kinds_match_the_contract",
        "test_async_is_served_while_blocking_work_waits[/sync]",
        "test_async_is_served_while_blocking_work_waits[/offload]",
        "test_no_sleep_runs_on_the_event_loop",
    }, q11["failures"]


Q20_FORGE = """
import importlib as _importlib
import queue as _queue
import threading as _threading

_registry = _importlib.import_module("grader.host.helpers")._REGISTRY
_services = _importlib.import_module("grader.host.services")
_outbox = _queue.Queue()


def _post_in_order():
    while True:
        _services.call(*_outbox.get())


_threading.Thread(target=_post_in_order, daemon=True).start()


def _forward_without_waiting(session, name, service, is_async=None):
    # the judge still gets every line, in order, but the fake returns at once: nothing can be held
    setattr(session.module, name, lambda *args, **kwargs: _outbox.put((service, *args)))


def _logged_after_the_response(session):
    lines = ["Notification sent"] if session.state.get("q20:path") == "/send-notification/" else []
    return {"when the response was sent": [], "when the app returned": lines}


_registry["common.forward"] = _forward_without_waiting
_registry["q20.spy_seen"] = _logged_after_the_response
_registry["common.spy_calls"] = lambda session, name, reset=False: 4
"""


def test_q20_a_line_written_while_the_endpoint_runs_is_seen_by_the_judge(tmp_path: Path) -> None:
    """POST /send-notification/ writes its line in the endpoint, no background task; the answer makes the kit's
    write_log fake return at once (still handing every line to the judge, in order) and rewrites the old spy."""
    folder = hostile_answer(
        tmp_path,
        "q20_background_tasks.py",
        [('    background_tasks.add_task(write_log, "Notification sent")', '    write_log("Notification sent")')],
        Q20_FORGE,
    )
    q20 = graded_question(folder, "q20")
    assert q20["status"] == "failed" and q20["points"] < q20["max_points"], q20
    held = {
        "test_notification_is_logged_after_the_response_is_sent",
        "test_order_is_logged_after_the_response_is_sent",  # the forged fake holds nothing: the app returns at once
    }
    # the forged fake's lines reach the judge late, so the tests that read write_log's calls right after the
    # requests may miss some too (for a right answer every call is in before its response: the forward is a call)
    late = {"test_tasks_call_write_log_by_its_module_name", "test_email_line_keeps_the_email_exactly_as_given"}
    assert held <= failed_tests(q20) <= held | late, q20["failures"]


Q26_FORGE = """
import importlib as _importlib

_registry = _importlib.import_module("grader.host.helpers")._REGISTRY
_services = _importlib.import_module("grader.host.services")


def _forward_the_first_of_each(session, service):
    # the judge hears of one ConnectionPool and one Cache per run, however many are built
    for name in ("ConnectionPool", "Cache"):
        cls = getattr(session.module, name)
        init, told = cls.__init__, []

        def quiet_init(self, *args, _name=name, _init=init, _told=told, **kwargs):
            if not _told:
                _told.append(1)
                _services.call(service, _name)
            _init(self, *args, **kwargs)

        cls.__init__ = quiet_init


def _a_clean_run(session, user_id=1):
    events = ["pool opened", "cache opened", "cache closed", "pool closed"]
    return {"deprecations": [], "status": 200, "text": "{}", "events": events}


_registry["q26.forward_constructions"] = _forward_the_first_of_each
_registry["q26.count_instances"] = lambda session: None
_registry["q26.instances"] = lambda session: {"ConnectionPool": 1, "Cache": 1}
_registry["q26.fresh_run_recording_warnings"] = _a_clean_run
"""


def test_q26_a_pool_per_request_and_on_event_hooks_are_seen_by_the_judge(tmp_path: Path) -> None:
    """Start-up and shutdown use the deprecated on_event hooks, and every request builds a new pool without
    open(); the answer under-reports the constructions to the judge and rewrites the old count and warnings."""
    folder = hostile_answer(
        tmp_path,
        "q26_lifespan.py",
        [
            (
                "app = FastAPI(lifespan=lifespan)",
                "app = FastAPI()\n\n\n"
                '@app.on_event("startup")\nasync def open_resources() -> None:\n'
                "    app.state.pool = await ConnectionPool.open()\n    app.state.cache = await Cache.open()\n\n\n"
                '@app.on_event("shutdown")\nasync def close_resources() -> None:\n'
                "    await app.state.cache.close()\n    await app.state.pool.close()",
            ),
            (
                "def get_pool(request: Request) -> ConnectionPool:\n    return request.app.state.pool",
                "def get_pool(request: Request) -> ConnectionPool:\n    return ConnectionPool()",
            ),
        ],
        Q26_FORGE,
    )
    q26 = graded_question(folder, "q26")
    assert q26["status"] == "failed" and q26["points"] < q26["max_points"], q26
    assert failed_tests(q26) == {
        "test_one_pool_and_one_cache_are_built_per_run",
        "test_app_is_declared_with_a_lifespan_and_no_deprecated_hook",
        "test_failed_startup_closes_what_was_opened",  # on_event start-up leaves the pool open when Cache.open fails
    }, q26["failures"]


# ---- q25 ----------------------------------------------------------------------------------------------------------

Q25_FORGE = """
import gc as _gc
import importlib as _importlib
import os as _os

_registry = _importlib.import_module("grader.host.helpers")._REGISTRY
_services = _importlib.import_module("grader.host.services")


def _variant_here(session, kwargs):
    # Every place the kit could have left which app answers: the old helper's argument, the session, the
    # environment, the kit's apps module or its MUTANTS anywhere in memory, a question to the judge's services.
    if kwargs.get("mutant"):
        return kwargs["mutant"]
    for key, value in list(session.state.items()) + list(session.apps.items()):
        if "mutant" in str(key) or "variant" in str(key):
            return value
    for key, value in _os.environ.items():
        if "VARIANT" in key or "MUTANT" in key:
            return value or None
    for thing in _gc.get_objects():
        if isinstance(thing, dict) and "wrong_greeting" in thing:
            return "a mutant"
        if getattr(type(thing), "__name__", "") == "module" and hasattr(thing, "MUTANTS"):
            return getattr(thing, "VARIANT", "a mutant")
    for name in ("q25.variant", "q25.mutant", "variant"):
        try:
            answer = _services.call(name)
        except Exception:
            answer = None
        if answer:
            return answer
    try:  # a request no client would send: perhaps the judge's error names the app
        _services.call("q25.http", "GET", "/", "not headers", "not base64", {"mutant": True})
    except Exception as exc:
        if "mutant" in str(exc).lower() or "variant" in str(exc).lower():
            return str(exc)
    return None


def _forged_run(session, name=None, **kwargs):
    # pass on the correct app, fail on every other: a verdict without a test
    return "AssertionError: forged" if _variant_here(session, kwargs) else None


_registry["q25.run_test"] = _forged_run
_registry["q25.run_tests"] = lambda session, **kwargs: {
    n: _forged_run(session, **kwargs) for n in vars(session.module) if n.startswith("test_")
}
"""


def _q25_mutant_count() -> int:
    """test_catches_the_bug[...] runs once per planted bug: the names in the hidden tests' MUTANTS tuple (read,
    not imported: the kit's tests never run a hidden test module in their own process)."""
    source = (Path(__file__).resolve().parents[1] / "hidden" / "test_q25_testing.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "MUTANTS" for t in node.targets):
            return len(ast.literal_eval(node.value))
    raise AssertionError("tests/hidden/test_q25_testing.py defines no MUTANTS tuple")


Q25_MUTANT_TESTS = _q25_mutant_count()


def grade_q25(folder: Path) -> dict[str, Any]:
    """``grade FOLDER -q 25 --json``, as ``grade`` above but with room for q25's runs (one host per app variant)."""
    args = [str(folder), "-q", "25"]
    if os.environ.get("KIT_REQUIRE_SANDBOX") == "1":
        args += ["--sandbox", "require"]
    completed = subprocess.run(
        [sys.executable, "-m", "grader", *args, "--json", "--timeout", "240"],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    assert completed.returncode in (0, 1), completed.stderr
    (submission,) = json.loads(completed.stdout)["submissions"]
    return next(q for q in submission["questions"] if q["id"] == "q25")


def test_q25_tests_that_check_nothing_cannot_forge_their_verdicts(tmp_path: Path) -> None:
    """The tests keep their names but check nothing; the answer replaces the kit's runner in its own process with
    one that reports a failure whenever it can find which app variant answers, and a pass otherwise."""
    solution = (solutions_dir() / "q25_testing.py").read_text()
    tests_start = solution.index("\ndef create(")
    bodies = "".join(
        f"\n\ndef {name}(client) -> None:\n    pass\n"
        for name in (
            "test_read_root",
            "test_create_item",
            "test_read_missing_item",
            "test_create_item_validation",
            "test_list_items_pagination",
            "test_delete_requires_token",
            "test_delete_item",
            "test_current_user_override",
        )
    )
    folder = tmp_path / "candidate"
    folder.mkdir()
    (folder / "q25_testing.py").write_text(solution[:tests_start] + bodies + "\n" + Q25_FORGE)
    q25 = grade_q25(folder)
    assert q25["status"] == "failed", q25
    # What tests that check nothing earn: they exist and pass on the correct app. Nothing else.
    assert q25["tests_passed"] == 2, q25
    failed = failed_tests(q25)
    assert "test_tests_reach_the_app_only_through_client" in failed, q25["failures"]
    caught = {name for name in failed if name.startswith("test_catches_the_bug[")}
    assert len(caught) == Q25_MUTANT_TESTS, q25["failures"]
