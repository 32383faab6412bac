"""q11 (sync and async endpoints): fakes that forward the module's helpers and ``time.sleep`` to the judge.

Each helper only installs a fake and returns None. The fakes keep no record and decide nothing: every call
crosses the wall to a service of the judge, which counts the calls, orders them and chooses (or holds back)
the answers. Whether the event loop stayed free is concluded by the judge from the order in which its own
requests were answered and its services were called.
"""

from __future__ import annotations

import time
import types
from typing import Any

from grader.host import services
from grader.host.helpers import helper


@helper("q11.hold_loop_in_async_io")
def hold_loop_in_async_io(session: Any, service: str) -> None:
    """``async_io`` = a coroutine that calls the judge's ``service`` *synchronously* and returns its answer.

    While the judge holds the answer, the fake blocks whatever event loop awaits it: the server's own loop
    when the endpoint awaits ``async_io()`` there, a private one when it runs it elsewhere.
    """

    async def async_io_holding_its_loop(*args: Any, **kwargs: Any) -> Any:
        return services.call(service)

    session.module.async_io = async_io_holding_its_loop


@helper("q11.forward_async_io_in_order")
def forward_async_io_in_order(session: Any, enter: str, wait: str, leave: str) -> None:
    """``async_io`` = a coroutine that calls ``enter`` synchronously (so the judge sees the calls in the order the
    coroutines started), awaits ``wait`` with the answer ``enter`` gave, without blocking the loop, then calls
    ``leave`` synchronously with that answer just before it returns ``wait``'s answer (so the judge knows a call
    is all but finished: nothing else runs on its loop between ``leave`` and the return)."""

    async def async_io_in_order(*args: Any, **kwargs: Any) -> Any:
        token = services.call(enter)
        answer = await services.acall(wait, token)
        services.call(leave, token)
        return answer

    session.module.async_io = async_io_in_order


@helper("q11.forward_sleep")
def forward_sleep(session: Any, service: str) -> None:
    """``time.sleep`` as the module sees it = a function forwarding ``seconds`` to the judge's ``service``.

    Only the module's own names change (``time`` bound to a copy of the module whose ``sleep`` forwards, and any
    global that is ``time.sleep`` itself), so the kit and the libraries in the host keep the real ``sleep``.
    """

    def forwarded_sleep(seconds: float = 0.0, *args: Any) -> None:
        services.call(service, seconds if isinstance(seconds, int | float) else repr(seconds))

    shim = types.ModuleType("time", time.__doc__)
    shim.__dict__.update({k: v for k, v in vars(time).items() if not k.startswith("__")})
    shim.sleep = forwarded_sleep
    namespace = vars(session.module)
    for name, value in list(namespace.items()):
        if value is time:
            namespace[name] = shim
        elif value is time.sleep:
            namespace[name] = forwarded_sleep
