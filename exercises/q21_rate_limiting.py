"""Q21 · Rate limiting (advanced)

Question: how do you stop one client from calling an endpoint too often in FastAPI?

``GET /limited`` may be called at most 5 times per minute by each client. Use slowapi (installed) or write
the limiter yourself: the tests check only the behaviour below.

Contract (the hidden tests check exactly this):

- [q21.1] ``GET /limited`` answers 200 with ``{"message": "Success"}`` for the first 5 requests of a client in a
  60-second window. The 6th request, and every later one in the same window, answers 429.
- [q21.2] A 429 carries a ``Retry-After`` header: the whole number of seconds until the window frees up, an
  integer from 1 to 61 (slowapi's rounding can give 61). The 429 body is not checked.
- [q21.3] The client key: the value of the ``X-Client-ID`` request header when the request has one, otherwise the
  client's host (``request.client.host``). Each key has its own count: a client that hit the limit does not
  block any other key, and two hosts sending the same ``X-Client-ID`` share one count.
- [q21.4] ``GET /health`` answers 200 with ``{"status": "ok"}``; it is never limited and does not count towards
  the limit of ``/limited``.
- [q21.5] ``reset_limits()``: a module-level function, called without arguments, that forgets every count so that
  every client may call ``/limited`` 5 more times. The tests call it instead of waiting a minute; they
  never wait for the window to pass. Every fresh import of the module starts with no counts.

Run it: ``fastlings serve 21`` then call
``curl -i http://127.0.0.1:8000/limited`` six times.
"""

from fastapi import FastAPI, Request

app = FastAPI()

# TODO: create the limiter (slowapi's Limiter or your own), keyed by the X-Client-ID header when present,
#       else by request.client.host, and make sure a client over the limit gets 429 with Retry-After.


def reset_limits() -> None:
    # TODO: forget every client's count.
    pass


@app.get("/limited")
# TODO: limit this route to 5 requests per minute per client key.
async def limited_endpoint(request: Request) -> dict[str, str]:
    return {"message": "Success"}


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
