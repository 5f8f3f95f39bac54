"""Registering the slash commands with Discord (bulk overwrite), only when they changed.

``monozukuri discord sync-commands [--guild ID]`` always overwrites; the
running bot compares what Discord has with what it would send and syncs only
on a difference, so reconnects (on_ready fires again) never re-sync in a loop.
A guild sync copies the global commands to that server (instant for testing;
global commands can take a while to appear everywhere).
"""
from __future__ import annotations

import json
import logging

import discord
from discord import app_commands

log = logging.getLogger(__name__)
COMPARED_KEYS = ("name", "description", "type", "name_localizations", "description_localizations", "options",
                 "choices", "required", "min_length", "max_length", "value")


def _canonical(value):
    """The parts of a command payload that matter, with Discord's defaults filled in."""
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _canonical(v) for k, v in value.items() if k in COMPARED_KEYS and v not in (None, [], {})}
    if out.get("required") is False:
        del out["required"]
    return out


def fingerprint(payloads: list[dict]) -> str:
    ordered = sorted((_canonical(p) for p in payloads), key=lambda p: p.get("name", ""))
    return json.dumps(ordered, ensure_ascii=False, sort_keys=True)


async def local_payloads(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None = None) -> list[dict]:
    commands = tree._get_all_commands(guild=guild)
    translator = tree.translator
    if translator is None:
        return [command.to_dict(tree) for command in commands]
    return [await command.get_translated_payload(tree, translator) for command in commands]


async def remote_payloads(client: discord.Client, guild_id: int | None = None) -> list[dict]:
    if guild_id is None:
        return await client.http.get_global_commands(client.application_id)
    return await client.http.get_guild_commands(client.application_id, guild_id)


async def sync_commands(client: discord.Client, guild_id: int | None = None, *, force: bool = True) -> bool:
    """Overwrite the commands (globally or in one server); False when nothing had to change."""
    tree = client.tree
    guild = discord.Object(id=guild_id) if guild_id else None
    if guild is not None:
        tree.clear_commands(guild=guild)
        tree.copy_global_to(guild=guild)
    if not force:
        local, remote = await local_payloads(tree, guild), await remote_payloads(client, guild_id)
        if fingerprint(local) == fingerprint(remote):
            log.info("Discord commands unchanged%s; not synced", f" in guild {guild_id}" if guild_id else "")
            return False
    synced = await tree.sync(guild=guild)
    log.info("Discord commands synced%s: %s", f" to guild {guild_id}" if guild_id else " globally",
             ", ".join(c.name for c in synced))
    return True
