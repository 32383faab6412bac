"""A second answer to q11, written blind from the contract in exercises/q11_sync_vs_async.py."""

import asyncio
import time
from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, FastAPI

DELAY = 0.05  # seconds each helper takes


def blocking_io() -> str:
    """Blocks the calling thread for DELAY seconds."""
    time.sleep(DELAY)
    return "blocking done"


async def async_io() -> str:
    """Waits DELAY seconds while letting the event loop serve other requests."""
    await asyncio.sleep(DELAY)
    return "async done"


app = FastAPI(title="Sync and async endpoints")

router = APIRouter()


@router.get("/sync")
def sync_endpoint() -> dict[str, Any]:
    # A plain def endpoint: FastAPI runs it in its worker-thread pool, so blocking here is fine.
    return {"mode": "sync", "result": blocking_io()}


@router.get("/async")
async def async_endpoint() -> dict[str, Any]:
    # Runs on the event loop: only non-blocking awaits belong here.
    return {"mode": "async", "result": await async_io()}


@router.get("/offload")
async def offload_endpoint() -> dict[str, Any]:
    # The blocking helper is handed to a worker thread; the loop keeps serving other requests meanwhile.
    result = await anyio.to_thread.run_sync(_call_blocking_io)
    return {"mode": "offload", "result": result}


def _call_blocking_io() -> Any:
    # Looks the module attribute up at call time (the tests replace it).
    return blocking_io()


@router.get("/gather")
async def gather_endpoint() -> dict[str, Any]:
    # Two concurrent tasks in one task group: both awaits are in flight together; results keep their order.
    results: list[Any] = [None, None]

    async def run(slot: int) -> None:
        results[slot] = await async_io()

    async with anyio.create_task_group() as group:
        for slot in range(len(results)):
            group.start_soon(run, slot)
    return {"mode": "gather", "results": results}


app.include_router(router)
