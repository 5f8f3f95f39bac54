"""Starting the bot and the one-off command sync (used by ``bot.discord.cli``)."""
from __future__ import annotations

import asyncio
import logging

import discord
from flask import Flask

from bot.discord.client import MonozukuriBot, set_api_base, set_gateway_url
from core.cli import CommandError

log = logging.getLogger(__name__)


def run_bot(app: Flask) -> int:
    """Run until stopped; without the privileged members intent, run without welcomes."""
    set_api_base(app.config["DISCORD_API_BASE_URL"])
    set_gateway_url(app.config.get("DISCORD_GATEWAY_URL"))
    token = app.config["DISCORD_BOT_TOKEN"]
    try:
        MonozukuriBot(app).run(token, reconnect=True, log_handler=None)
    except discord.PrivilegedIntentsRequired:
        log.warning("Server Members Intent is off in the Discord developer portal: "
                    "running without member welcomes (enable it to welcome new members)")
        MonozukuriBot(app, members_intent=False).run(token, reconnect=True, log_handler=None)
    except discord.LoginFailure as exc:
        raise CommandError(f"Discord refused DISCORD_BOT_TOKEN: {exc}") from exc
    return 0


async def _sync(app: Flask, guild_id: int | None) -> list[str]:
    from bot.discord import sync

    client = MonozukuriBot(app, sync_commands=False)
    async with client:
        await client.login(app.config["DISCORD_BOT_TOKEN"])  # runs setup_hook: translator, components
        await sync.sync_commands(client, guild_id, force=True)
        return [c.name for c in client.tree.get_commands(guild=discord.Object(guild_id) if guild_id else None)]


def sync_commands_once(app: Flask, guild_id: int | None) -> int:
    set_api_base(app.config["DISCORD_API_BASE_URL"])
    try:
        names = asyncio.run(_sync(app, guild_id))
    except discord.LoginFailure as exc:
        raise CommandError(f"Discord refused DISCORD_BOT_TOKEN: {exc}") from exc
    except discord.HTTPException as exc:
        raise CommandError(f"Discord refused the commands: HTTP {exc.status} {exc.text[:300]}") from exc
    where = f"server {guild_id}" if guild_id else "all servers (global)"
    print(f"synced {len(names)} command(s) to {where}: {', '.join('/' + n for n in names)}")
    return 0
