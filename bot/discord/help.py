"""``/help`` and the member welcome: what the commands do and which topics exist."""
from __future__ import annotations

import discord

from bot.discord import wording
from bot.discord.layout import DEFAULT_COLOUR, SITE_NAME


def _embed(title: str, description: str) -> discord.Embed:
    embed = discord.Embed(title=title, description=description, colour=DEFAULT_COLOUR)
    return embed.set_footer(text=SITE_NAME)


def help_embeds(in_guild: bool) -> list[discord.Embed]:
    body = wording.HELP_BODY if in_guild else f"{wording.HELP_BODY}\n\n{wording.DM_NOTE}"
    return [_embed(wording.HELP_TITLE, body), _embed(wording.TOPICS_TITLE, wording.topics_text())]


def welcome_message(member_id: int) -> dict:
    """Content (mentioning only the new member) and embeds of the welcome post."""
    return {
        "content": wording.WELCOME_GREETING.format(mention=f"<@{member_id}>"),
        "embeds": [_embed(wording.WELCOME_TITLE, wording.WELCOME_BODY),
                   _embed(wording.TOPICS_TITLE, wording.topics_text())],
        "allowed_mentions": discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(member_id)]),
    }
