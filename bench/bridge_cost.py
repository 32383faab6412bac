"""Benchmark: what the wall between judge and candidate costs, per HTTP request and per test.

Measured in the same run against the same module (q02's reference solution by default):

- per request: a GET through the bridge (httpx transport -> socket -> sandboxed host -> TestClient) against
  the same GET on a TestClient in this process, the baseline; the difference is the bridge's cost;
- per test: starting a sandboxed host, loading a fresh copy of the module and entering its lifespan, against
  loading the module and entering a TestClient in this process.

    python bench/bridge_cost.py
    python bench/bridge_cost.py --requests 2000 --sandbox off
"""

from __future__ import annotations

import gc
import statistics
import time
import warnings
from pathlib import Path

import click

KIT = Path(__file__).resolve().parent.parent


def _per_request_us(get: object, count: int) -> float:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        get("/")  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


@click.command()
@click.option("--module", "module_name", default="q02_basic_app.py", show_default=True, help="A file of solutions/.")
@click.option("--requests", "count", default=500, show_default=True, help="Requests per side.")
@click.option("--starts", default=20, show_default=True, help="Host starts (and in-process loads) per side.")
@click.option("--sandbox", type=click.Choice(["auto", "off"]), default="auto", show_default=True)
def main(module_name: str, count: int, starts: int, sandbox: str) -> None:
    """Print the bridge's cost per request and per test, against in-process baselines measured alongside."""
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    from grader.judge.bridge.launch import HostOptions, _warm_host_imports, launch
    from grader.loading import load_module_from_path, unload_module

    path = KIT / "solutions" / module_name
    options = HostOptions(sandbox=sandbox, protected=(KIT,))
    _warm_host_imports()
    gc.freeze()

    module = load_module_from_path(path)
    with TestClient(module.app) as local:
        _per_request_us(local.get, 20)  # warm both sides before measuring
        baseline_us = _per_request_us(local.get, count)
    host = launch(path, options)
    host.load()
    with host.client() as remote:
        _per_request_us(remote.get, 20)
        bridged_us = _per_request_us(remote.get, count)
    layers = ", ".join(host.layers) or "none"
    host.close()

    local_starts, host_starts = [], []
    for _ in range(starts):
        started = time.perf_counter()
        fresh = load_module_from_path(path)
        with TestClient(fresh.app):
            pass
        local_starts.append(time.perf_counter() - started)
        unload_module(fresh)
        started = time.perf_counter()
        started_host = launch(path, options)
        started_host.load()
        with started_host.client():
            pass
        started_host.close()
        host_starts.append(time.perf_counter() - started)

    click.echo(f"module {module_name}, sandbox layers: {layers}")
    click.echo(f"per request, in process (baseline): {baseline_us:8.0f} us (median of {count})")
    click.echo(f"per request, through the bridge:    {bridged_us:8.0f} us")
    click.echo(
        f"bridge cost per request:            {bridged_us - baseline_us:8.0f} us ({bridged_us / baseline_us:.2f}x)"
    )
    local_ms, host_ms = statistics.median(local_starts) * 1e3, statistics.median(host_starts) * 1e3
    click.echo(f"per test, load + lifespan in process: {local_ms:6.1f} ms (median of {starts})")
    click.echo(f"per test, start a host + load + lifespan + stop: {host_ms:6.1f} ms ({host_ms / local_ms:.1f}x)")


if __name__ == "__main__":
    main()
