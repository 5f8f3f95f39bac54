"""The bot end to end on this machine: ``monozukuri discord`` logs in at the REST stand-in,
connects to the gateway stand-in (DISCORD_GATEWAY_URL), receives slash commands as
INTERACTION_CREATE and answers through the interaction callback endpoint; a dropped
connection is resumed (op 6 → RESUMED) and commands keep working."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from discord.gateway import DiscordWebSocket

from bot.discord import wording
from bot.discord.client import MonozukuriBot, set_api_base, set_gateway_url
from tests.bot.discord.discord_helpers import slash_command
from tests.standins.discord_gateway import IDENTIFY, RESUME, DiscordGateway

# These run beside the rest of the suite (no serial pass): beside a full three-process run on
# 2 CPUs the bot still answered within the stand-in's 3 s and closed on Ctrl+C, 16 of 16 times.
CALLBACK_WAIT_SECONDS = 10  # how long the test waits; the stand-in itself refuses a callback after 3 s


@pytest.fixture
def gateway(standin):
    original = DiscordWebSocket.DEFAULT_GATEWAY
    with DiscordGateway(standin) as server:
        try:
            yield server
        finally:
            DiscordWebSocket.DEFAULT_GATEWAY = original


def callback_of(standin, payload: dict, gateway: DiscordGateway, timeout: float = CALLBACK_WAIT_SECONDS) -> dict:
    """The interaction response the bot sent for ``payload`` (waits for it)."""
    path = f"/interactions/{payload['id']}/{payload['token']}/callback"
    gateway.wait_for(lambda: bool(standin.calls_to(path, "POST")), timeout)
    [call] = standin.calls_to(path, "POST")
    assert call.status in (200, 204), call.response_json
    return call.json


def bot_environment(app, standin, gateway) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "DISCORD_"))}
    env.update({key: str(app.config[key]) for key in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY", "BASE_URL")})
    env.update(DISCORD_BOT_TOKEN=standin.token, DISCORD_API_BASE_URL=standin.base_url,
               DISCORD_GATEWAY_URL=gateway.url, PYTHONUNBUFFERED="1")
    return env


def _ctrl_c_as_on_a_terminal() -> None:
    """SIGINT back to its default in the bot: a test run started as a background job of a
    non-interactive shell (a CI runner, say) ignores SIGINT, and the bot would inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_monozukuri_discord_answers_a_slash_command_through_the_gateway(discord_app, standin, gateway, tmp_path):
    command = [str(Path(sys.executable).with_name("monozukuri")), "discord"]
    log = (tmp_path / "bot.log").open("w+")
    bot = subprocess.Popen(command, env=bot_environment(discord_app, standin, gateway), stdout=log,
                           stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[3],
                           preexec_fn=_ctrl_c_as_on_a_terminal)
    try:
        gateway.wait_until_ready(timeout=90)  # the bot process imports the app first: slow on a busy machine
        # on_ready has run once the commands are synced (bulk overwrite at the REST stand-in).
        gateway.wait_for(lambda: bool(standin.commands.get((standin.application_id, None))), timeout=30)
        payload = slash_command(standin, "help")
        gateway.dispatch("INTERACTION_CREATE", payload)
        answer = callback_of(standin, payload, gateway)
    finally:
        bot.send_signal(signal.SIGINT)  # Ctrl+C: discord.py closes the session and returns
        code = bot.wait(timeout=30)
        log.seek(0)
        output = log.read()
    assert answer["type"] == 4 and answer["data"]["embeds"][0]["title"] == wording.HELP_TITLE, output
    [identify] = gateway.ops(IDENTIFY)
    assert identify["d"]["token"] == standin.token and identify["d"]["intents"] & (1 << 0)  # guilds intent
    assert code in (0, 130), output
    assert standin.validation_errors == []


def test_a_dropped_connection_is_resumed_and_commands_keep_working(discord_app, standin, gateway, caplog):
    set_api_base(standin.base_url)
    set_gateway_url(gateway.url)

    async def scenario():
        client = MonozukuriBot(discord_app, sync_commands=False)
        task = asyncio.create_task(client.start(standin.token))
        try:
            return await asyncio.to_thread(drive, client)
        finally:
            await client.close()
            await asyncio.gather(task, return_exceptions=True)

    def drive(client):
        session = gateway.wait_until_ready()
        first = slash_command(standin, "help")
        gateway.dispatch("INTERACTION_CREATE", first)
        before = callback_of(standin, first, gateway)
        gateway.drop(4000)  # Discord closes the connection (e.g. a rolling restart)
        missed = slash_command(standin, "help", guild=False)
        gateway.dispatch("INTERACTION_CREATE", missed)  # arrives while the bot is reconnecting
        gateway.wait_for(lambda: session.socket is not None and "RESUMED" in [p["t"] for p in session.sent])
        after = callback_of(standin, missed, gateway)
        return session, before, after

    with caplog.at_level(logging.INFO, logger="bot.discord.client"):
        session, before, after = asyncio.run(scenario())
    [resume] = gateway.ops(RESUME)
    assert resume["d"]["session_id"] == session.session_id and len(gateway.ops(IDENTIFY)) == 1
    assert before["data"]["embeds"][0]["title"] == after["data"]["embeds"][0]["title"] == wording.HELP_TITLE
    assert wording.DM_NOTE in after["data"]["embeds"][0]["description"]  # the replayed one came from a DM
    assert "Discord gateway session resumed" in caplog.messages


def test_without_discord_gateway_url_the_bot_connects_to_discords_gateway(gateway):
    set_gateway_url(gateway.url)
    assert str(DiscordWebSocket.DEFAULT_GATEWAY) == gateway.url
    set_gateway_url(None)
    assert str(DiscordWebSocket.DEFAULT_GATEWAY).startswith("wss://") and "127.0.0.1" not in str(
        DiscordWebSocket.DEFAULT_GATEWAY)


def test_discord_gateway_url_must_be_a_websocket_url(monkeypatch):
    from core import config

    monkeypatch.setenv("DISCORD_GATEWAY_URL", "http://127.0.0.1:1/")
    with pytest.raises(config.ConfigError, match="DISCORD_GATEWAY_URL must be a ws"):
        config.from_environment({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    monkeypatch.setenv("DISCORD_GATEWAY_URL", "ws://127.0.0.1:1/")
    assert config.from_environment({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})["DISCORD_GATEWAY_URL"] == \
        "ws://127.0.0.1:1/"
