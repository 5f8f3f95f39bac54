"""Fixtures for the Discord adapter: the app wired to a local Discord stand-in."""
from __future__ import annotations

import asyncio

import discord.http
import pytest

from core.db import db
from testkit import make_test_app
from tests.bot.discord.discord_helpers import (
    GUILD,
    NEWS_CHANNEL,
    SECRET_CHANNEL,
    TEXT_CHANNEL,
    WELCOME_CHANNEL,
    Harness,
    discord_config,
    sent_payload_problems,
)
from tests.standins.discord_api import DiscordStandin


@pytest.fixture
def standin():
    original = discord.http.Route.BASE
    with DiscordStandin() as server:
        for channel, kind in ((TEXT_CHANNEL, 0), (NEWS_CHANNEL, 5), (SECRET_CHANNEL, 0), (WELCOME_CHANNEL, 0)):
            server.add_channel(channel, type=kind, guild_id=GUILD)
        server.forbidden_channels.add(SECRET_CHANNEL)
        try:
            yield server
        finally:
            discord.http.Route.BASE = original
        assert server.response_errors == []  # the stand-in answered within the spec
        assert [str(r) for r in server.validation_errors] == []  # Discord would have accepted every request
        assert sent_payload_problems(server) == []  # every message the bot sent kept Discord's limits


@pytest.fixture
def discord_app(database_url, tmp_path, standin):
    app = make_test_app(database_url, tmp_path / "instance", **discord_config(standin))
    with app.app_context():
        yield app
    db.session.remove()


@pytest.fixture
def demo_app(open_demo_app, standin):
    """The demo articles and events (with their search index), with Discord wired to the stand-in."""
    with open_demo_app(copy_instance=True, **discord_config(standin)) as app:
        yield app


@pytest.fixture
def run(request, database_url, standin):
    """``run(scenario)`` runs ``async def scenario(h)`` with a logged-in bot, in a fresh event loop."""
    app = request.getfixturevalue("demo_app" if "demo_app" in request.fixturenames else "discord_app")

    def runner(scenario):
        async def main():
            async with Harness(app, standin) as harness:
                return await scenario(harness)
        return asyncio.run(main())
    return runner
