"""A local stand-in for Discord's gateway (v10, JSON, optional zlib-stream), beside
the REST stand-in, so a real discord.py client runs end to end on this machine::

    with DiscordStandin() as rest, DiscordGateway(rest) as gateway:
        # bot started with DISCORD_GATEWAY_URL=gateway.url
        gateway.wait_until_ready()
        gateway.dispatch("INTERACTION_CREATE", payload)

What it does, as discord.com/developers/docs/events/gateway describes:
HELLO on connect; IDENTIFY (token checked against the REST stand-in, 4004
otherwise; privileged member intent refused with 4014 unless enabled) →
READY with the guilds the REST stand-in knows, then one GUILD_CREATE each;
HEARTBEAT → HEARTBEAT_ACK; RESUME (op 6) after a close → missed events
replayed, then RESUMED; an unknown session → INVALID_SESSION. Every frame
received is recorded in ``received``; ``drop()`` closes the live connection
(as Discord does on a rolling restart) so the client has to resume.
"""
from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, REQUEST_MEMBERS = 0, 1, 2, 6, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11
GUILD_MEMBERS_INTENT = 1 << 1
# Close codes (gateway docs, "Gateway Close Event Codes").
UNKNOWN_OPCODE, DECODE_ERROR, NOT_AUTHENTICATED, AUTH_FAILED, ALREADY_AUTHENTICATED = 4001, 4002, 4003, 4004, 4005
INVALID_API_VERSION, DISALLOWED_INTENTS = 4012, 4014


@dataclass
class Session:
    session_id: str
    identify: dict
    seq: int = 0
    sent: list[dict] = field(default_factory=list)  # every dispatch, for replay on RESUME
    socket: Any = None  # the live connection, None between a close and a RESUME


class _Connection:
    """One websocket: JSON text frames, or one zlib stream when ``compress=zlib-stream``."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self._zlib = zlib.compressobj() if compress else None

    async def send(self, payload: dict) -> None:
        text = json.dumps(payload, ensure_ascii=False)
        if self._zlib is None:
            await self.ws.send_str(text)
        else:
            data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(data)


class DiscordGateway:
    """Constructor args: the REST stand-in (token, bot user, guilds), and whether the
    privileged Server Members intent is enabled for the application."""

    def __init__(self, rest, *, members_intent_enabled: bool = True, heartbeat_interval_ms: int = 41_250) -> None:
        self.rest = rest
        self.members_intent_enabled = members_intent_enabled
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.received: list[dict] = []  # every frame from the client (op, d), tokens included
        self.sessions: dict[str, Session] = {}
        self.close_codes: list[int] = []  # codes the stand-in closed connections with
        self._lock = threading.RLock()  # re-entrant: wait_for's conditions call ops()/latest()
        self._changed = threading.Condition(self._lock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> DiscordGateway:
        started = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, args=(started,), name="DiscordGateway", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("gateway stand-in did not start")
        self.rest.gateway_url = self.url  # GET /gateway/bot now points here
        return self

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/", self._websocket)
        self._runner = web.AppRunner(app, handle_signals=False)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        started.set()
        self._loop.run_forever()

    def stop(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = None
        self.rest.gateway_url = None

    def __enter__(self) -> DiscordGateway:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    # -- driving it from a test (any thread) ------------------------------------------------
    def dispatch(self, event: str, data: dict) -> None:
        """Send a DISPATCH to the newest session (kept for replay if it is disconnected)."""
        asyncio.run_coroutine_threadsafe(self._dispatch_latest(event, data), self._loop).result(10)

    def drop(self, code: int = 4000, forget_session: bool = False) -> None:
        """Close the live connection from the server side (the client should RESUME);
        ``forget_session`` also ends the session, so the RESUME gets INVALID_SESSION."""
        asyncio.run_coroutine_threadsafe(self._drop(code, forget_session), self._loop).result(10)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        """Wait until ``condition()`` holds; woken by gateway traffic, and polled (it may
        watch the REST stand-in too)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"gateway stand-in: condition not met within {timeout}s; "
                                         f"received ops {[f['op'] for f in self.received]}")
                self._changed.wait(min(0.02, remaining))

    def wait_until_ready(self, timeout: float = 15.0) -> Session:
        self.wait_for(lambda: any(s.socket is not None for s in self.sessions.values()), timeout)
        return self.latest()

    def latest(self) -> Session:
        with self._lock:
            return list(self.sessions.values())[-1]

    def ops(self, op: int) -> list[dict]:
        with self._lock:
            return [frame for frame in self.received if frame.get("op") == op]

    def guild_ids(self) -> list[str]:
        """The guilds the REST stand-in knows (its channels' and roles' guilds)."""
        found = {c["guild_id"] for c in self.rest.channels.values() if c.get("guild_id")} | set(self.rest.roles)
        return sorted(found)

    # -- the protocol ---------------------------------------------------------------------------
    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoclose=False, max_msg_size=0)
        await ws.prepare(request)
        if request.query.get("v") != "10" or request.query.get("encoding", "json") != "json":
            return await self._close(ws, INVALID_API_VERSION, "Invalid API version")
        connection = _Connection(ws, request.query.get("compress") == "zlib-stream")
        await connection.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None,
                               "t": None})
        session: Session | None = None
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                break
            try:
                frame = json.loads(message.data)
            except ValueError:
                return await self._close(ws, DECODE_ERROR, "Error while decoding payload.")
            self._record(frame)
            session, refusal = await self._on_frame(connection, session, frame)
            if refusal is not None:
                return await self._close(ws, *refusal)
        if session is not None and session.socket is connection:
            session.socket = None
        return ws

    async def _on_frame(self, connection: _Connection, session: Session | None, frame: dict):
        op, data = frame.get("op"), frame.get("d")
        if op == HEARTBEAT:
            await connection.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
            return session, None
        if op == IDENTIFY:
            if session is not None:
                return session, (ALREADY_AUTHENTICATED, "Already authenticated.")
            return await self._identify(connection, data or {})
        if op == RESUME:
            return await self._resume(connection, data or {})
        if session is None:
            return None, (NOT_AUTHENTICATED, "Not authenticated.")
        if op == REQUEST_MEMBERS:
            chunk = {"guild_id": str(data.get("guild_id")), "members": [], "chunk_index": 0, "chunk_count": 1,
                     "not_found": [], **({"nonce": data["nonce"]} if data.get("nonce") else {})}
            await self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)
            return session, None
        if op in (3, 4):  # presence and voice state updates: accepted, nothing to do here
            return session, None
        return session, (UNKNOWN_OPCODE, "Unknown opcode.")

    async def _identify(self, connection: _Connection, data: dict):
        if data.get("token") != self.rest.token:
            return None, (AUTH_FAILED, "Authentication failed.")
        intents = data.get("intents")
        if not isinstance(intents, int):
            return None, (DECODE_ERROR, "intents is required")
        if intents & GUILD_MEMBERS_INTENT and not self.members_intent_enabled:
            return None, (DISALLOWED_INTENTS, "Disallowed intent(s).")
        session = Session(secrets.token_hex(16), data, socket=connection)
        with self._changed:
            self.sessions[session.session_id] = session
            self._changed.notify_all()
        guilds = self.guild_ids()
        ready = {"v": 10, "user": dict(self.rest.bot_user), "guilds": [{"id": g, "unavailable": True} for g in guilds],
                 "session_id": session.session_id, "session_type": "normal", "resume_gateway_url": self.url,
                 "application": {"id": self.rest.application_id, "flags": 1 << 19}, "private_channels": [],
                 "relationships": [], "presences": [], "guild_join_requests": [], "auth": {},
                 **({"shard": data["shard"]} if "shard" in data else {})}
        await self._send_dispatch(session, "READY", ready)
        for guild_id in guilds:
            await self._send_dispatch(session, "GUILD_CREATE", self._guild(guild_id))
        return session, None

    async def _resume(self, connection: _Connection, data: dict):
        if data.get("token") != self.rest.token:
            return None, (AUTH_FAILED, "Authentication failed.")
        session = self.sessions.get(data.get("session_id") or "")
        if session is None:
            await connection.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return None, None
        session.socket = connection
        last_seen = data.get("seq") or 0
        for missed in [p for p in session.sent if p["s"] > last_seen]:
            await connection.send(missed)
        await self._send_dispatch(session, "RESUMED", {})
        with self._changed:
            self._changed.notify_all()
        return session, None

    def _guild(self, guild_id: str) -> dict:
        channels = [{k: v for k, v in c.items() if k != "guild_id"} for c in self.rest.channels.values()
                    if c.get("guild_id") == guild_id and c.get("type") not in (10, 11, 12)]
        me = {"user": dict(self.rest.bot_user), "roles": [], "joined_at": "2026-01-05T00:00:00+00:00",
              "deaf": False, "mute": False, "flags": 0}
        everyone = {"id": guild_id, "name": "@everyone", "permissions": "1071698660929", "position": 0, "color": 0,
                    "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        return {"id": guild_id, "name": f"server-{guild_id[-4:]}", "icon": None, "owner_id": "1400000000000000999",
                "features": [], "roles": self.rest.roles.get(guild_id, [everyone]), "emojis": [], "stickers": [],
                "channels": channels, "threads": [], "members": [me], "member_count": 1, "large": False,
                "unavailable": False, "joined_at": me["joined_at"], "voice_states": [], "presences": [],
                "stage_instances": [], "guild_scheduled_events": [], "verification_level": 0,
                "preferred_locale": "ja", "premium_tier": 0, "nsfw_level": 0, "mfa_level": 0,
                "system_channel_flags": 0, "default_message_notifications": 0, "explicit_content_filter": 0}

    async def _send_dispatch(self, session: Session, event: str, data: dict) -> None:
        session.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.sent.append(payload)
        if session.socket is not None:
            await session.socket.send(payload)

    async def _dispatch_latest(self, event: str, data: dict) -> None:
        if not self.sessions:
            raise AssertionError("no client has identified with the gateway stand-in")
        await self._send_dispatch(list(self.sessions.values())[-1], event, data)

    async def _drop(self, code: int, forget_session: bool) -> None:
        live = [s for s in self.sessions.values() if s.socket is not None]
        if forget_session:
            self.sessions.clear()
        for session in live:
            socket, session.socket = session.socket, None
            await self._close(socket.ws, code, "stand-in dropped the connection")

    async def _close(self, ws: web.WebSocketResponse, code: int, reason: str) -> web.WebSocketResponse:
        with self._changed:
            self.close_codes.append(code)
            self._changed.notify_all()
        await ws.close(code=code, message=reason.encode())
        return ws

    def _record(self, frame: Any) -> None:
        with self._changed:
            self.received.append(frame if isinstance(frame, dict) else {"op": None, "d": frame})
            self._changed.notify_all()
