"""The pytest plugin behind every hidden test and public check (loaded with ``-p grader.judge.fixtures``).

It adds ``--target DIR``, the folder of ``qNN_<slug>.py`` files under test (default: the kit's
``solutions/``), and the fixtures through which a test file ``test_qNN_<slug>.py`` reaches its module. Hidden
tests never import the module: ``host`` is an ``AppHost`` (``grader.judge.bridge``), a sandboxed process holding a
fresh copy of the module, and ``client`` an ``httpx.Client`` whose requests that process serves. The public
checks (``checks/``), which candidates run on their own code, may still use ``target_module`` in-process.

Options: ``--sandbox auto|require|off``, ``--in-process`` (debugging a test: the module runs in this process),
``--request-timeout S`` (the deadline of each request to the host), ``--protect PATH`` (folders no host may
read besides the kit, the target and the home folder). Rule for test files: never touch the module under test
at import or collection time, so the grader can count a question's tests even when the module is broken.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from grader.host.routes import find_endpoint as find_endpoint  # re-exported for the public checks (in-process)
from grader.judge.bridge import AppHost, HostOptions, launch
from grader.kit import default_target_dir, kit_root
from grader.kit.catalogue import Question, find_question
from grader.loading import load_module_from_path, unload_module

_TEST_FILE_RE = re.compile(r"^test_(q\d\d)_")


def error_locs(body: object) -> list[list[object]]:
    """The ``loc`` of every error in a FastAPI validation body (``{"detail": [{"loc": [...], ...}, ...]}``).

    Shared by hidden tests and public checks; a body of another shape yields no locations, so the caller's
    assertion fails with its own message instead of an AttributeError.
    """
    detail = body.get("detail", []) if isinstance(body, dict) else []
    if not isinstance(detail, list):
        return []
    return [list(error.get("loc", [])) for error in detail if isinstance(error, dict)]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--target",
        action="store",
        default=None,
        metavar="DIR",
        help="folder of qNN_<slug>.py files the tests import (default: solutions/, or exercises/ without it)",
    )
    parser.addoption(
        "--sandbox",
        choices=("auto", "require", "off"),
        default="auto",
        help="confinement of the app hosts: every layer available (auto), all or refuse (require), none (off)",
    )
    parser.addoption(
        "--in-process", action="store_true", help="run the module in the test process (debugging; no sandbox)"
    )
    parser.addoption("--request-timeout", type=float, default=20.0, metavar="S", help="deadline of one request")
    parser.addoption("--protect", action="append", default=[], metavar="PATH", help="a folder no host may read")


def _target_from_config(config: pytest.Config) -> Path:
    """``--target``, relative to where pytest was started (tests themselves run in temporary folders)."""
    chosen = config.getoption("--target")
    return (config.invocation_params.dir / chosen).resolve() if chosen else default_target_dir()


@pytest.fixture(scope="session")
def target_dir(pytestconfig: pytest.Config) -> Path:
    return _target_from_config(pytestconfig)


@pytest.fixture
def question(request: pytest.FixtureRequest) -> Question:
    """The catalogue entry of the question this test file belongs to, derived from the file's name."""
    match = _TEST_FILE_RE.match(request.path.stem)
    if match is None:
        raise pytest.UsageError(f"{request.path.name}: test files must be named test_qNN_<slug>.py")
    return find_question(match.group(1))


@pytest.fixture
def target_path(target_dir: Path, question: Question) -> Path:
    path = target_dir / question.filename
    if not path.is_file():
        pytest.fail(f"{question.filename} not found in {target_dir}", pytrace=False)
    return path


def host_options_from_config(config: pytest.Config) -> HostOptions:
    """How this run starts app hosts, from its command-line options (shared with the grader's judge plugin)."""
    target = _target_from_config(config)
    protected = [kit_root(), target, Path.home(), Path.cwd(), *map(Path, config.getoption("--protect"))]
    return HostOptions(
        sandbox=config.getoption("--sandbox"),
        in_process=config.getoption("--in-process"),
        request_timeout_s=config.getoption("--request-timeout"),
        protected=tuple(protected),
    )


@pytest.fixture(scope="session")
def host_options(pytestconfig: pytest.Config) -> HostOptions:
    return host_options_from_config(pytestconfig)


StartHost = Callable[..., AppHost]


@pytest.fixture
def start_host(target_path: Path, host_options: HostOptions) -> Iterator[StartHost]:
    """``start_host(env=None, tcp_ports=(), support_files=(), load=True)``: a new host on the module under test.

    ``env`` is set in the host before the module is imported, ``tcp_ports`` are loopback ports it may connect
    to (a service the test started), ``support_files`` are copied beside the module (read-only). Every host
    started here is killed, with everything it started, when the test ends.
    """
    hosts: list[AppHost] = []

    def start(
        env: dict[str, str] | None = None,
        tcp_ports: tuple[int, ...] = (),
        support_files: tuple[Path, ...] = (),
        load: bool = True,
    ) -> AppHost:
        started = launch(target_path, host_options, env=env, tcp_ports=tcp_ports, support_files=support_files)
        hosts.append(started)
        if load:
            started.load()
        return started

    yield start
    for started in hosts:
        started.close()


@pytest.fixture
def host(start_host: StartHost) -> AppHost:
    """A sandboxed process holding a fresh copy of the module under test (its state starts clean every test)."""
    return start_host()


@pytest.fixture
def load_target(target_path: Path) -> Iterator[Callable[[], ModuleType]]:
    """A function that loads a fresh copy of the module under test (call it after patching the environment)."""
    loaded: list[ModuleType] = []

    def load() -> ModuleType:
        module = load_module_from_path(target_path)
        loaded.append(module)
        return module

    yield load
    for module in loaded:
        unload_module(module)


@pytest.fixture
def target_module(load_target: Callable[[], ModuleType]) -> ModuleType:
    """A fresh copy of the module under test: its in-memory state starts clean in every test."""
    return load_target()


def _is_public_check(request: pytest.FixtureRequest) -> bool:
    """Public checks (``checks/``) run candidates' own code on their own machine: in-process, full tracebacks."""
    return request.path.parent.name == "checks"


@pytest.fixture
def client(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """A client on the module's ``app``, entered so that its lifespan runs.

    For hidden tests the app is served by the host (``host``); for public checks it is the ``target_module``
    loaded in this process, so that a check and the module it patches share one copy.
    """
    if _is_public_check(request):
        from fastapi.testclient import TestClient

        module = request.getfixturevalue("target_module")
        app = getattr(module, "app", None)
        if app is None:
            pytest.fail("the module defines no `app`", pytrace=False)
        with TestClient(app) as test_client:
            yield test_client
        return
    host: AppHost = request.getfixturevalue("host")
    with host.client() as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _run_in_temporary_folder(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files a module writes with relative paths land in a temporary folder, never in the kit or a submission."""
    if _TEST_FILE_RE.match(request.path.stem):
        monkeypatch.chdir(tmp_path)
