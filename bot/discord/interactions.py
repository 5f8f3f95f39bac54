"""From an interaction to the core and back: normalise, run the turn, send the answer.

Slow work is deferred first (Discord allows 3 seconds for the first answer),
then the laid-out messages follow: the first edits the deferred "thinking"
message, the others are follow-ups. A failed send is logged, never raised:
one broken reply must not take the bot down.
"""
from __future__ import annotations

import functools
import logging

import discord

from bot.discord import customid, roles, turns, wording
from bot.discord.layout import Outgoing, layout
from bot.discord.render import message_kwargs
from messages.replies import BotResponse, IncomingMessage, ReplyRoute, Text

log = logging.getLogger(__name__)
CHANNEL = "discord"


def incoming(interaction: discord.Interaction, kind: str, *, text: str = "", data: str = "") -> IncomingMessage:
    route = ReplyRoute(channel=CHANNEL, user_id=str(interaction.user.id), reply_token=interaction.token,
                       conversation_id=str(interaction.channel_id) if interaction.channel_id else None,
                       received_at=interaction.created_at)
    return IncomingMessage(kind=kind, route=route, text=text, data=data, event_id=str(interaction.id),
                           display_name=(interaction.user.display_name or "")[:200])


def in_guild(interaction: discord.Interaction) -> bool:
    return interaction.guild_id is not None


async def defer(interaction: discord.Interaction, ephemeral: bool) -> None:
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


ANSWERED = "monozukuri_answered"  # Interaction.extras key: the deferred message was replaced already


def _edits_original(interaction: discord.Interaction) -> bool:
    deferred = interaction.response.type == discord.InteractionResponseType.deferred_channel_message
    return deferred and not interaction.extras.get(ANSWERED)


async def _send_one(interaction: discord.Interaction, message: Outgoing, ephemeral: bool) -> None:
    kwargs = message_kwargs(message)
    if not interaction.response.is_done():
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
    elif _edits_original(interaction):
        await interaction.edit_original_response(**kwargs)
    else:
        await interaction.followup.send(ephemeral=ephemeral, **{k: v for k, v in kwargs.items() if v is not None})
    interaction.extras[ANSWERED] = True


async def send(interaction: discord.Interaction, messages: list[Outgoing], *, ephemeral: bool) -> bool:
    """Deliver laid-out messages; False (logged) when Discord refused or was unreachable."""
    messages = messages or [Outgoing(content="受け付けました。")]
    try:
        for message in messages:
            await _send_one(interaction, message, ephemeral)
    except discord.HTTPException as exc:
        log.error("%s (interaction %s): HTTP %s code %s: %s", wording.SEND_FAILED_LOG, interaction.id,
                  exc.status, exc.code, exc.text[:200])
        return False
    return True


async def say(interaction: discord.Interaction, text: str, *, ephemeral: bool = True) -> bool:
    return await send(interaction, layout(BotResponse([Text(text)])), ephemeral=ephemeral)


def guarded(handler):
    """For component and form handlers: a failure is logged and answered, never left hanging."""
    @functools.wraps(handler)
    async def run(interaction: discord.Interaction, *args):
        try:
            return await handler(interaction, *args)
        except Exception:
            log.exception("Discord %s failed", handler.__name__)
            await say(interaction, wording.COMMAND_FAILED)
    return run


async def converse(interaction: discord.Interaction, message: IncomingMessage, *, ephemeral: bool,
                   command: str | None = None) -> None:
    """Run ``message`` through the core and answer; topic changes update the member's roles."""
    await defer(interaction, ephemeral)
    try:
        outcome = await interaction.client.bridge.run(turns.converse, message, command)
    except Exception:  # the core answers politely itself; this is the database being unreachable
        log.exception("Discord turn failed (%s)", command or message.kind)
        await say(interaction, wording.COMMAND_FAILED)
        return
    await send(interaction, layout(outcome.response), ephemeral=ephemeral)
    note = await roles.apply(interaction, outcome.role_changes)
    if note:
        await say(interaction, note)


async def postback(interaction: discord.Interaction, data: str, *, ephemeral: bool, command: str | None = None):
    await converse(interaction, incoming(interaction, "postback", data=data), ephemeral=ephemeral, command=command)


async def _help(interaction: discord.Interaction, data: str) -> bool:
    """ヘルプ / 検索のしかた buttons: Discord's own help (the core's explains typing to a LINE chat)."""
    from bot.discord.help import help_embeds
    from messages import postback as postbacks

    parsed = postbacks.decode(data)
    if parsed is None or parsed.action != "help":
        return False
    if parsed.get("s") == "search":
        await say(interaction, wording.SEARCH_HELP)
    else:
        await interaction.response.send_message(embeds=help_embeds(in_guild(interaction)), ephemeral=True)
    return True


@guarded
async def on_choice(interaction: discord.Interaction, value: str) -> None:
    """A button or select option with a core choice: answered privately to whoever used it."""
    parsed = customid.parse(value)
    if parsed is None:
        await say(interaction, "このボタンはもう使えません。コマンドからもう一度お試しください。")
        return
    kind, payload = parsed
    if kind == "postback":
        from bot.discord import tour

        if await tour.intercept(interaction, payload) or await _help(interaction, payload):
            return
        await postback(interaction, payload, ephemeral=True)
    else:
        await converse(interaction, incoming(interaction, "text", text=payload), ephemeral=True)
