"""The judge's side of the bridge to the candidate's app host.

``launch`` starts a host for one candidate file (a fork, confined by ``grader.sandbox``, or an in-process
stand-in for debugging); ``AppHost`` speaks ``grader.protocol`` to it with a deadline on every call; its
``client()`` is an ``httpx.Client`` whose transport forwards each request to the host, so hidden tests still
read like FastAPI tests. Nothing here imports the candidate's module or unpickles what comes back.
"""

from grader.judge.bridge.errors import BridgeError, CandidateError, HostDied, HostTimeout
from grader.judge.bridge.host import AppHost, Endpoint
from grader.judge.bridge.launch import HostOptions, launch

__all__ = [
    "AppHost",
    "BridgeError",
    "CandidateError",
    "Endpoint",
    "HostDied",
    "HostOptions",
    "HostTimeout",
    "launch",
]
