"""Q18 · WebSockets (advanced)

Question: how do you serve WebSockets in FastAPI, from a plain echo to a chat room shared by several
clients?

Contract (the hidden tests check exactly this):

- [q18.1] ``/ws`` (WebSocket, no credentials): accepts the connection and answers every text message ``data`` with
  the text ``Message: {data}``, for as many messages as the client sends, until the client disconnects.
  ``data`` is any text, echoed unchanged (empty, leading or trailing spaces, non-ASCII).
- [q18.2] ``/ws/rooms/{room}?token=<token>`` (WebSocket): a chat room. The credentials are the ``token`` query
  parameter, looked up in the module-level dict ``TOKENS`` (given in the stub, keep it):
  ``"alice-token"`` → ``alice``, ``"bob-token"`` → ``bob``, ``"carol-token"`` → ``carol``,
  ``"dave-token"`` → ``dave``.
  - A connection without ``token`` or with a token not in ``TOKENS`` (an empty one, another case, a user name
    such as ``alice``) is refused with close code 1008 (policy violation). Refusing before ``accept()`` or
    accepting and closing at once with 1008 both pass. A refused connection never becomes a member.
  - Each text message ``data`` sent by a member is delivered, as the text ``{user}: {data}`` (e.g.
    ``alice: hello``), to every OTHER member of the same room: never back to the sender, never to
    members of other rooms. ``data`` is any text, passed on unchanged (empty, spaces, non-ASCII).
    Nothing else is sent to room members (no join or leave notices).
  - A member counts as in the room from the moment its connection is accepted until it disconnects.
    When a member disconnects, the room keeps working for the others.
  - A member is a connection, not a user: one user may hold several connections at once (two tabs), even in
    the same room. A message then reaches every connection of the room except the one it was sent on, the
    sender's other connections included; when one of them disconnects, the others stay members.
  - The tests open every connection through one client entered as ``with TestClient(app) as client:``, so all
    connections share one event loop, as under uvicorn: a connection manager that keeps the open WebSockets
    in a module-level object and sends to them from another member's handler (as in FastAPI's docs) works.
- [q18.3] ``GET /rooms/{room}`` answers 200 with exactly ``{"room": room, "members": [...]}``: the user names of
  the members connected right now, one entry per connection (a user connected twice is listed twice; any
  order); an unknown or empty room has ``"members": []``.

Run it: ``fastlings serve 18``, then connect two WebSocket
clients to ws://127.0.0.1:8000/ws/rooms/lobby?token=alice-token and ?token=bob-token.
"""

from fastapi import FastAPI

TOKENS: dict[str, str] = {
    "alice-token": "alice",
    "bob-token": "bob",
    "carol-token": "carol",
    "dave-token": "dave",
}

app = FastAPI()

# TODO: WebSocket /ws: accept, then answer every text message with "Message: {data}" until the client leaves.

# TODO: keep track of the open connections of each room, with the user name of each.

# TODO: WebSocket /ws/rooms/{room}?token=...: refuse a missing or unknown token with close code 1008; send
#       "{user}: {data}" to every other member of the room; forget a member as soon as it disconnects.

# TODO: GET /rooms/{room}: {"room": room, "members": [user names connected right now]}.
