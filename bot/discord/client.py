"""The bot process: a discord.py client with the command tree and the gateway listeners.

Gateway disconnects are discord.py's job (``reconnect=True``); everything that
runs on (re)connection here is idempotent: commands are synced only when they
differ from what Discord has, and the background scheduled-event sync is
started once per process, not once per ``on_ready``.
"""
from __future__ import annotations

import asyncio
import logging

import discord
import yarl
from discord import app_commands
from flask import Flask

from bot.discord import announce, metrics, problems, scheduled, settings, sync, wording
from bot.discord.bridge import Bridge, committed
from bot.discord.commands import all_commands
from bot.discord.components import DYNAMIC_ITEMS
from bot.discord.help import welcome_message
from bot.discord.translator import JapaneseTranslator
from core.db import utcnow

log = logging.getLogger(__name__)
EVENT_SYNC_SECONDS = 15 * 60


def set_api_base(base_url: str) -> None:
    """Point discord.py (REST and interaction webhooks) at ``base_url`` (a stand-in in tests)."""
    discord.http.Route.BASE = f"{base_url.rstrip('/')}/api/v10"


_DISCORD_GATEWAY = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


def set_gateway_url(url: str | None) -> None:
    """Connect the gateway websocket to ``url`` (a stand-in in tests), or to Discord's when None.

    A plain ``Client`` never asks GET /gateway/bot: discord.py opens its class-level
    ``DEFAULT_GATEWAY`` (and returns to it after an invalidated session).
    """
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url) if url else _DISCORD_GATEWAY


class BotTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        from bot.discord import interactions

        if isinstance(error, app_commands.TransformerError):
            text = wording.UNKNOWN_CHOICE.format(value=str(error.value)[:40])
        elif isinstance(error, app_commands.CommandNotFound):
            text = "このコマンドは使えなくなりました。/help で今のコマンドを確認してください。"
        else:
            log.error("Discord command %s failed", getattr(interaction.command, "qualified_name", "?"),
                      exc_info=error)
            text = wording.COMMAND_FAILED
        await interactions.say(interaction, text)


def _intents(members: bool) -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True  # channel types, the server itself
    intents.guild_messages = True  # the bot's own announcement posts (their content needs no extra intent)
    intents.members = members  # privileged: member joins for the welcome
    return intents


class MonozukuriBot(discord.Client):
    def __init__(self, app: Flask, *, members_intent: bool = True, sync_commands: bool = True,
                 application_id: int | None = None) -> None:
        super().__init__(intents=_intents(members_intent), application_id=application_id,
                         allowed_mentions=discord.AllowedMentions.none())
        self.app = app
        self.bridge = Bridge(app)
        self.tree = BotTree(self)
        for command in all_commands():
            self.tree.add_command(command)
        self.sync_on_ready = sync_commands
        self._synced = False
        self._background: asyncio.Task | None = None

    async def setup_hook(self) -> None:
        await self.tree.set_translator(JapaneseTranslator())
        self.add_dynamic_items(*DYNAMIC_ITEMS)

    async def on_ready(self) -> None:
        log.info("Discord bot connected as %s (%s guild(s))", self.user, len(self.guilds))
        await self.bridge.run(committed(_mark_ready))
        if self.sync_on_ready and not self._synced:
            await self._sync_commands()
        if self._background is None:
            self._background = asyncio.create_task(self._sync_events_forever(), name="discord-scheduled-events")

    async def close(self) -> None:
        if self._background is not None:
            self._background.cancel()
        await super().close()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Form submissions are read from the payload (see ``tour.on_modal``), restart-proof."""
        if interaction.type is discord.InteractionType.modal_submit:
            from bot.discord import tour

            await tour.on_modal(interaction)

    async def on_resumed(self) -> None:
        log.info("Discord gateway session resumed")

    async def _sync_commands(self) -> None:
        try:
            changed = await sync.sync_commands(self, force=False)
        except discord.HTTPException as exc:
            await asyncio.to_thread(problems.record, "commands", self.application_id or "-", status=exc.status,
                                    code=exc.code, detail=f"スラッシュコマンドを登録できませんでした: {exc.text[:300]}")
            return
        self._synced = True
        if changed:
            await self.bridge.run(committed(_mark_synced))

    async def _sync_events_forever(self) -> None:
        while not self.is_closed():
            try:
                report = await self.bridge.run(scheduled.sync_events)
                if report.created or report.updated:
                    log.info("Discord events: created %s, updated %s", report.created, report.updated)
            except Exception:  # a bad run is retried at the next one
                log.exception("Discord scheduled event sync failed")
            await asyncio.sleep(EVENT_SYNC_SECONDS)

    async def record_command(self, name: str) -> None:
        try:
            await self.bridge.run(committed(lambda session, config: metrics.record_command(session, name)))
        except Exception:
            log.exception("could not record the use of /%s", name)

    async def on_member_join(self, member: discord.Member) -> None:
        if member.bot:
            return
        channel_id = await self.bridge.run(committed(_welcome_channel), member.guild.id)
        if channel_id:
            await self._welcome(member, channel_id)

    async def _welcome(self, member: discord.Member, channel_id: str) -> None:
        channel = self.get_partial_messageable(int(channel_id), guild_id=member.guild.id)
        try:
            await channel.send(**welcome_message(member.id))
        except discord.HTTPException as exc:
            detail = problems.advice(exc.code) if exc.status in (403, 404) else f"HTTP {exc.status}: {exc.text[:200]}"
            await asyncio.to_thread(problems.record, "welcome", channel_id, status=exc.status, code=exc.code,
                                    detail=detail)

    async def on_message(self, message: discord.Message) -> None:
        """Our own announcement posts (made over REST by the broadcast worker): follow up."""
        if self.user is None or message.author.id != self.user.id or message.webhook_id is not None:
            return
        if message.guild is None or not message.embeds or message.mentions:
            return  # (a welcome mentions its member; announcements only ping roles)
        urls = [embed.url for embed in message.embeds]
        kind = message.channel.type.value if hasattr(message.channel, "type") else None
        await self.bridge.run(announce.follow_up_posted, str(message.channel.id), str(message.id), urls, kind)


def _mark_ready(session, config) -> None:
    settings.stored(session).last_ready_at = utcnow()


def _mark_synced(session, config) -> None:
    settings.stored(session).commands_synced_at = utcnow()


def _welcome_channel(session, config, guild_id: int) -> str | None:
    """Count the join (KPI) and say where to welcome: the configured server's welcome channel."""
    current = settings.load(session)
    if current.guild_id and current.guild_id != str(guild_id):
        return None
    metrics.record_join(session)
    return current.welcome_channel_id
