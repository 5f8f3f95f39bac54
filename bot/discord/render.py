"""Laid-out messages (``layout.Outgoing``) → discord.py objects: embeds and a view.

Buttons and select menus carrying core choices are ``DynamicItem``s (see
``components``): they are matched by custom id whenever they are used, even
after the bot restarted, so no view has to be kept in memory.
"""
from __future__ import annotations

import discord

from bot.discord.components import dynamic_item_for
from bot.discord.layout import Outgoing


def _select(spec: dict) -> discord.ui.Select:
    options = [discord.SelectOption(label=o["label"], value=o["value"], description=o.get("description"))
               for o in spec["options"]]
    return discord.ui.Select(custom_id=spec["custom_id"], placeholder=spec.get("placeholder"), options=options,
                             min_values=spec.get("min_values", 1), max_values=spec.get("max_values", 1))


def _item(spec: dict, row: int) -> discord.ui.Item:
    if spec["type"] == 3:
        base: discord.ui.Item = _select(spec)
    elif spec.get("url"):
        return discord.ui.Button(style=discord.ButtonStyle.link, label=spec["label"], url=spec["url"], row=row)
    else:
        base = discord.ui.Button(style=discord.ButtonStyle(spec.get("style", 2)), label=spec["label"],
                                 custom_id=spec["custom_id"])
    dynamic = dynamic_item_for(spec["custom_id"])
    if dynamic is None:
        raise ValueError(f"no handler for custom id {spec['custom_id']!r}")
    return dynamic(base, row=row)


def view_for(rows: list[dict]) -> discord.ui.View | None:
    if not rows:
        return None
    view = discord.ui.View(timeout=None)  # every item is dynamic or a link: nothing is kept per message
    for index, action_row in enumerate(rows):
        for spec in action_row["components"]:
            view.add_item(_item(spec, index))
    return view


def message_kwargs(message: Outgoing) -> dict:
    """Keyword arguments for ``send_message`` / ``followup.send`` / ``edit_original_response``."""
    kwargs: dict = {"content": message.content or None,
                    "embeds": [discord.Embed.from_dict(e) for e in message.embeds]}
    view = view_for(message.rows)
    if view is not None:
        kwargs["view"] = view
    return kwargs
