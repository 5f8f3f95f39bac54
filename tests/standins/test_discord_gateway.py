"""The Discord gateway stand-in, driven by a real discord.py client (REST + gateway stand-ins)."""
from __future__ import annotations

import asyncio
import threading

import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .discord_api import DiscordStandin
from .discord_gateway import IDENTIFY, RESUME, DiscordGateway
from .specs import specs_dir

GUILD, TEXT = "1200000000000000001", "1300000000000000001"


@pytest.fixture
def stands():
    specs_dir()
    original = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    with DiscordStandin() as rest, DiscordGateway(rest) as gateway:
        Route.BASE = f"{rest.base_url}/api/v10"
        DiscordWebSocket.DEFAULT_GATEWAY = type(original[1])(gateway.url)
        rest.add_channel(TEXT, type=0, guild_id=GUILD, name="general")
        try:
            yield rest, gateway
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = original
        assert rest.response_errors == []


class Recorder(discord.Client):
    """A bare client that notes what the gateway made it see."""

    def __init__(self, members: bool = False) -> None:
        intents = discord.Intents.none()
        intents.guilds, intents.members = True, members
        super().__init__(intents=intents)
        self.seen: list[str] = []
        self.ready = asyncio.Event()

    async def before_identify_hook(self, shard_id, *, initial: bool = False) -> None:
        """No pause before a second IDENTIFY: discord.py waits 5 s there to pace the shards of a
        large bot (a limit of Discord's, not of the protocol the stand-in checks)."""

    async def on_ready(self) -> None:
        self.seen.append("ready")
        self.ready.set()

    async def on_resumed(self) -> None:
        self.seen.append("resumed")

    async def on_socket_event_type(self, event: str) -> None:
        self.seen.append(event)


def run_client(rest, client: Recorder, scenario):
    """Start ``client`` against the stand-ins, run ``scenario(client)`` (sync, in a thread), close."""
    async def main():
        task = asyncio.create_task(client.start(rest.token))
        try:
            await asyncio.wait_for(client.ready.wait(), 15)
            return await asyncio.to_thread(scenario, client)
        finally:
            await client.close()
            await asyncio.gather(task, return_exceptions=True)
    return asyncio.run(main())


def test_identify_ready_with_the_known_guilds_and_heartbeat_ack(stands):
    rest, gateway = stands
    client = Recorder()
    names = run_client(rest, client, lambda c: [g.name for g in c.guilds] + [ch.name for g in c.guilds
                                                                              for ch in g.channels])
    [identify] = gateway.ops(IDENTIFY)
    assert identify["d"]["token"] == rest.token and identify["d"]["intents"] == client.intents.value
    assert names == ["server-0001", "general"]
    assert gateway.ops(1)  # discord.py heartbeats at once after HELLO; the ACK keeps it alive
    assert client.seen[:3] == ["READY", "GUILD_CREATE", "ready"]


def test_dispatch_reaches_the_client_and_a_close_is_resumed_with_missed_events(stands):
    rest, gateway = stands
    client = Recorder()
    typed = threading.Event()
    client.on_typing = lambda *args: typed.set()  # noqa: E731 - any dispatched event will do

    def scenario(c):
        session = gateway.wait_until_ready()
        gateway.drop(4000)  # a rolling restart on Discord's side
        gateway.dispatch("CHANNEL_UPDATE", {**rest.channels[TEXT], "name": "renamed"})  # missed while away
        gateway.wait_for(lambda: len(gateway.ops(RESUME)) == 1 and session.socket is not None)
        gateway.wait_for(lambda: "RESUMED" in [p["t"] for p in session.sent])
        gateway.wait_for(lambda: "RESUMED" in c.seen)  # sent is not yet seen: do not close before it is
        return session

    session = run_client(rest, client, scenario)
    [resume] = gateway.ops(RESUME)
    assert resume["d"]["session_id"] == session.session_id and resume["d"]["token"] == rest.token
    assert resume["d"]["seq"] == 2  # READY and GUILD_CREATE were seen before the close
    assert len(gateway.ops(IDENTIFY)) == 1  # resumed, not a new session
    assert client.seen.index("CHANNEL_UPDATE") < client.seen.index("RESUMED")
    assert client.get_channel(int(TEXT)).name == "renamed"
    assert gateway.close_codes == [4000]


def test_an_unknown_session_is_invalidated_and_the_client_identifies_again(stands):
    rest, gateway = stands
    client = Recorder()

    def scenario(c):
        gateway.wait_until_ready()
        gateway.drop(4000, forget_session=True)  # the session is gone on Discord's side
        gateway.wait_for(lambda: len(gateway.ops(IDENTIFY)) == 2, timeout=20)
        # The second READY is sent after the IDENTIFY; closing before it arrives would lose it.
        gateway.wait_for(lambda: c.seen.count("READY") == 2, timeout=20)

    run_client(rest, client, scenario)
    assert len(gateway.ops(RESUME)) == 1 and len(gateway.sessions) == 1
    assert client.seen.count("READY") == 2


def test_the_privileged_members_intent_is_refused_unless_enabled(stands):
    rest, gateway = stands
    gateway.members_intent_enabled = False

    async def main():
        client = Recorder(members=True)
        try:
            await client.start(rest.token)
        finally:
            await client.close()

    with pytest.raises(discord.PrivilegedIntentsRequired):
        asyncio.run(main())
    assert gateway.close_codes == [4014]


def test_get_gateway_bot_points_at_the_gateway_stand_in(stands):
    rest, gateway = stands

    async def main():
        http = discord.http.HTTPClient(asyncio.get_running_loop())
        try:
            await http.static_login(rest.token)
            return await http.get_bot_gateway()
        finally:
            await http.close()

    shards, url, _ = asyncio.run(main())
    assert (shards, url) == (1, gateway.url)
