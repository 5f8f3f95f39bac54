"""The slash commands. English names are the fallback; ``translator`` gives the Japanese.

Each command turns its options into a core postback (the same actions the
LINE buttons send), so answers, wording and rules are shared. Options are
checked here too: Discord enforces choices and lengths in its client, but a
crafted or outdated request must still get a clear Japanese answer.
"""
from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice
from discord.app_commands import locale_str as _

from bot.core.menus import BROWSABLE_CATEGORIES
from bot.discord import interactions, tour, wording
from bot.discord.help import help_embeds
from content.models import CATEGORIES
from events.models import EVENT_KINDS
from messages import postback
from notifications.topics import TOPICS

QUERY_MAX = 100
CATEGORY_NAMES = {"feature": "Features", "series": "Series (companies, people, products)", "news": "News",
                  "local": "Local information", "admin": "Public services and jobs"}
KIND_NAMES = {"tour": "Company tours", "workshop": "Children's workshops", "event": "Other events"}
TOPIC_NAMES = {"features": "Feature articles", "series": "Series articles", "news": "News",
               "local": "Local events", "workshops": "Children's workshops (for parents)",
               "tours": "Company tours", "admin": "Job support and public services"}
CATEGORY_CHOICES = [Choice(name=_(CATEGORY_NAMES[key]), value=key) for key in BROWSABLE_CATEGORIES]
KIND_CHOICES = [Choice(name=_(KIND_NAMES[key]), value=key) for key in EVENT_KINDS]
TOPIC_CHOICES = [Choice(name=_(TOPIC_NAMES[key]), value=key) for key in TOPICS]
CONTEXTS = dict(guilds=True, dms=True, private_channels=False)


def public(interaction: discord.Interaction) -> bool:
    """Answers to look-ups are shared in a server channel; everything personal stays private."""
    return interactions.in_guild(interaction)


async def _refuse(interaction: discord.Interaction, text: str) -> None:
    await interactions.say(interaction, text, ephemeral=True)


def _known(value: str | None, allowed) -> bool:
    return value is None or value in allowed


@app_commands.command(name=_("search"), description=_("Search the articles of the portal"))
@app_commands.rename(query=_("query"), category=_("category"))
@app_commands.describe(query=_("Words to search for (e.g. lathe, space)"), category=_("Only articles of this category"))
@app_commands.choices(category=CATEGORY_CHOICES)
@app_commands.allowed_contexts(**CONTEXTS)
async def search(interaction: discord.Interaction, query: app_commands.Range[str, 1, QUERY_MAX],
                 category: str | None = None) -> None:
    words = " ".join((query or "").split())
    if not words:
        return await _refuse(interaction, wording.EMPTY_QUERY)
    if len(words) > QUERY_MAX:
        return await _refuse(interaction, wording.TOO_LONG.format(limit=QUERY_MAX))
    if not _known(category, BROWSABLE_CATEGORIES):
        return await _refuse(interaction, wording.UNKNOWN_CHOICE.format(value=str(category)[:40]))
    data = postback.encode_fitting("search", "q", words, c=category, p=1)
    await interactions.postback(interaction, data, ephemeral=not public(interaction), command="search")


@app_commands.command(name=_("latest"), description=_("Show the newest articles"))
@app_commands.rename(category=_("category"))
@app_commands.describe(category=_("Only articles of this category"))
@app_commands.choices(category=CATEGORY_CHOICES)
@app_commands.allowed_contexts(**CONTEXTS)
async def latest(interaction: discord.Interaction, category: str | None = None) -> None:
    if not _known(category, CATEGORIES):
        return await _refuse(interaction, wording.UNKNOWN_CHOICE.format(value=str(category)[:40]))
    data = postback.encode("latest", c=category)
    await interactions.postback(interaction, data, ephemeral=not public(interaction), command="latest")


@app_commands.command(name=_("events"), description=_("Upcoming company tours and children's workshops"))
@app_commands.rename(kind=_("kind"))
@app_commands.describe(kind=_("Only events of this kind"))
@app_commands.choices(kind=KIND_CHOICES)
@app_commands.allowed_contexts(**CONTEXTS)
async def events(interaction: discord.Interaction, kind: str | None = None) -> None:
    if not _known(kind, EVENT_KINDS):
        return await _refuse(interaction, wording.UNKNOWN_CHOICE.format(value=str(kind)[:40]))
    data = postback.encode("events", k=kind)
    await interactions.postback(interaction, data, ephemeral=not public(interaction), command="events")


async def _topic_command(interaction: discord.Interaction, topic: str | None, on: bool, name: str) -> None:
    if not _known(topic, TOPICS):
        return await _refuse(interaction, wording.UNKNOWN_CHOICE.format(value=str(topic)[:40]))
    data = postback.encode("topic", t=topic, v=int(on)) if topic else postback.encode("settings")
    await interactions.postback(interaction, data, ephemeral=True, command=name)


@app_commands.command(name=_("subscribe"), description=_("Receive announcements of a topic"))
@app_commands.rename(topic=_("topic"))
@app_commands.describe(topic=_("The topic (leave empty to see all settings)"))
@app_commands.choices(topic=TOPIC_CHOICES)
@app_commands.allowed_contexts(**CONTEXTS)
async def subscribe(interaction: discord.Interaction, topic: str | None = None) -> None:
    await _topic_command(interaction, topic, True, "subscribe")


@app_commands.command(name=_("unsubscribe"), description=_("Stop announcements of a topic"))
@app_commands.rename(topic=_("topic"))
@app_commands.describe(topic=_("The topic (leave empty to see all settings)"))
@app_commands.choices(topic=TOPIC_CHOICES)
@app_commands.allowed_contexts(**CONTEXTS)
async def unsubscribe(interaction: discord.Interaction, topic: str | None = None) -> None:
    await _topic_command(interaction, topic, False, "unsubscribe")


@app_commands.command(name=_("help"), description=_("How to use this bot"))
@app_commands.allowed_contexts(**CONTEXTS)
async def help_command(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(embeds=help_embeds(interactions.in_guild(interaction)),
                                            ephemeral=not public(interaction))
    await interaction.client.record_command("help")


def tour_group() -> app_commands.Group:
    group = app_commands.Group(name=_("tour"), description=_("Register for a tour or workshop, or check and cancel"),
                               allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True))
    for name, description, callback in (
        ("register", "Register for a company tour or children's workshop", tour.register),
        ("view", "Show your registrations", tour.view),
        ("cancel", "Cancel one of your registrations", tour.cancel),
    ):
        group.add_command(app_commands.Command(name=_(name), description=_(description), callback=callback))
    return group


def all_commands() -> list:
    return [search, latest, events, tour_group(), subscribe, unsubscribe, help_command]
