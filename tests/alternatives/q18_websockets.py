"""A second answer to q18, written blind from the contract in exercises/q18_websockets.py."""

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, WebSocket, WebSocketException, status
from starlette.endpoints import WebSocketEndpoint

TOKENS: dict[str, str] = {
    "alice-token": "alice",
    "bob-token": "bob",
    "carol-token": "carol",
    "dave-token": "dave",
}

app = FastAPI()


@app.websocket_route("/ws")
class EchoEndpoint(WebSocketEndpoint):
    """/ws: Starlette's class-based endpoint accepts, then calls on_receive once per text message."""

    encoding = "text"

    async def on_receive(self, websocket: WebSocket, data: Any) -> None:
        await websocket.send_text(f"Message: {data}")


class RoomRegistry:
    """The open connections of every room, each with its user name (one entry per connection)."""

    def __init__(self) -> None:
        self._rooms: dict[str, dict[WebSocket, str]] = {}

    def join(self, room: str, websocket: WebSocket, user: str) -> None:
        self._rooms.setdefault(room, {})[websocket] = user

    def leave(self, room: str, websocket: WebSocket) -> None:
        members = self._rooms.get(room)
        if members is None:
            return
        members.pop(websocket, None)
        if not members:
            del self._rooms[room]

    def members(self, room: str) -> list[str]:
        return list(self._rooms.get(room, {}).values())

    async def relay(self, room: str, sender: WebSocket, text: str) -> None:
        for websocket in list(self._rooms.get(room, {})):
            if websocket is sender:
                continue
            try:
                await websocket.send_text(text)
            except Exception:
                self.leave(room, websocket)


registry = RoomRegistry()

rooms = APIRouter()


@rooms.websocket("/ws/rooms/{room}")
async def room_socket(websocket: WebSocket, room: str, token: Annotated[str | None, Query()] = None) -> None:
    user = TOKENS.get(token) if token is not None else None
    if user is None:
        # Raised before accept(): the handshake is refused with close code 1008.
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason="Invalid or missing token")
    await websocket.accept()
    registry.join(room, websocket, user)
    try:
        async for data in websocket.iter_text():
            await registry.relay(room, websocket, f"{user}: {data}")
    finally:
        # Synchronous, so it still runs if the task is cancelled rather than told about the disconnect.
        registry.leave(room, websocket)


@rooms.get("/rooms/{room}")
def room_members(room: str) -> dict[str, Any]:
    return {"room": room, "members": registry.members(room)}


app.include_router(rooms)
