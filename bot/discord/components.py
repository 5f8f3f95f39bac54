"""Buttons and select menus the bot understands, matched by custom id (``customid``).

Each is a discord.py ``DynamicItem``: the custom id alone says what to do, so
components keep working after a restart and no per-message state is stored.
The callbacks hand over to ``interactions`` and ``tour``.
"""
from __future__ import annotations

import re

import discord

from bot.discord import customid


class ChoiceButton(discord.ui.DynamicItem[discord.ui.Button], template=re.compile(r"[pt]:.+", re.S)):
    """A core choice as a button: p:<postback> or t:<text>."""

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        from bot.discord import interactions

        await interactions.on_choice(interaction, self.custom_id)


class ChoiceSelect(discord.ui.DynamicItem[discord.ui.Select], template=re.compile(r"s:\d{1,2}")):
    """A select menu of core choices; each option's value is p:<postback> or t:<text>."""

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        from bot.discord import interactions

        values = (interaction.data or {}).get("values") or [""]
        await interactions.on_choice(interaction, str(values[0]))


class TourPick(discord.ui.DynamicItem[discord.ui.Select], template=re.compile(re.escape(customid.TOUR_PICK))):
    """The event chosen in ``/tour register``: opens the registration form."""

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        from bot.discord import tour

        values = (interaction.data or {}).get("values") or [""]
        raw = str(values[0])
        await tour.open_form(interaction, int(raw) if raw.isdigit() and len(raw) < 10 else None)


class TourOpen(discord.ui.DynamicItem[discord.ui.Button], template=re.compile(r"tour:open:\d{1,9}")):
    """「入力し直す」: opens the registration form of an event again."""

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        from bot.discord import tour

        await tour.open_form(interaction, customid.event_ref(self.custom_id, customid.TOUR_OPEN))


DYNAMIC_ITEMS = (ChoiceButton, ChoiceSelect, TourPick, TourOpen)


def dynamic_item_for(custom_id: str):
    return next((cls for cls in DYNAMIC_ITEMS if cls.__discord_ui_compiled_template__.fullmatch(custom_id)), None)
