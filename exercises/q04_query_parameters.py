"""Q04 · Query parameters (basic)

Question: how does FastAPI read the query string (``?key=value`` after the path), and how do you make a query
parameter optional, required, typed or bounded?

Write a module that creates a FastAPI application named ``app`` with the routes below.

Contract (the hidden tests check exactly this):

- [q04.1] ``GET /items/`` takes three query parameters and answers 200 with ``{"skip": ..., "limit": ..., "q": ...}``:
  ``skip`` (integer, default ``0``, at least 0), ``limit`` (integer, default ``10``, from 1 to 100 inclusive) and
  ``q`` (optional string, ``null`` in the answer when absent; an empty ``?q=`` is given, not absent: ``"q": ""``).
  So ``/items/`` answers ``{"skip": 0, "limit": 10, "q": null}`` and ``/items/?skip=20&limit=5&q=pen`` answers
  ``{"skip": 20, "limit": 5, "q": "pen"}``. ``skip`` has no upper bound, and ``q`` is any text, of any length
  and script, echoed as decoded. A non-integer ``skip`` or ``limit`` (``ten``, ``1.5``), a negative ``skip``, or a
  ``limit`` outside 1..100 answers 422 with an error whose ``loc`` names it, e.g. ``["query", "limit"]``; with
  several bad values, each one has its error. Other spellings of a whole number that FastAPI's ``int`` accepts
  (``skip=1.0``, ``limit=+5``, ``limit=007``) are yours to decide: 200 with the number they spell, or 422. A
  repeated parameter (``?limit=5&limit=7``) counts with its last value, as FastAPI reads it: ``limit`` is 7 there,
  and ``?limit=500&limit=7`` is fine while ``?limit=7&limit=500`` answers 422.
- [q04.2] ``GET /items/{item_id}`` (``item_id`` any integer) takes a boolean query parameter ``short`` (default
  ``false``) and answers 200 with ``{"item_id": <int>, "short": <bool>}``. ``short`` is ``true`` for ``true``, ``1``,
  ``yes``, ``on`` and ``false`` for ``false``, ``0``, ``no``, ``off``; a value that is no boolean word (``maybe``,
  ``2``, an empty ``short=``) answers 422 with an error whose ``loc`` is ``["query", "short"]``. Other spellings
  that FastAPI's ``bool`` accepts too (``t``, ``f``, ``y``, ``n``, ``TRUE``, ...) are left to you: no test sends them.
- [q04.3] ``GET /search/`` takes a **required** string query parameter ``q`` and an optional, repeatable ``tag``
  parameter. ``/search/?q=pen&tag=red&tag=blue`` answers 200 with ``{"q": "pen", "tags": ["red", "blue"]}``
  (``"tags": []`` when no ``tag`` is given). ``q`` and the tags come back as given, decoded, in any script; the
  tags in their order, duplicates kept, never split (``tag=a,b`` is the one tag ``"a,b"``), and an empty ``tag=``
  is the tag ``""`` (``?q=pen&tag=&tag=x`` answers ``"tags": ["", "x"]``). Without ``q`` it answers 422 with an
  error whose ``loc`` is ``["query", "q"]`` and whose ``type`` is ``missing``. An empty ``q`` is still a given
  ``q``: ``/search/?q=`` answers 200 with ``{"q": "", "tags": []}``.

Run it: ``fastlings serve 4`` then open http://127.0.0.1:8000/docs
"""

# Everything you need is imported already (ruff's unused-import check is silenced until you use it).
from typing import Annotated, Any

from fastapi import FastAPI, Query

app = FastAPI()

# TODO: serve GET /items/ with skip (default 0, >= 0), limit (default 10, 1..100) and an optional q.

# TODO: serve GET /items/{item_id} with a boolean query parameter short (default False).

# TODO: serve GET /search/ with a required q and a repeatable tag (a list, empty by default).
