"""Topic roles: a member subscribed to a topic gets the role its announcements mention.

Only inside a server (a DM has no roles). The bot needs "Manage Roles" and its
own role above the topic roles; when it cannot, the member's settings are still
saved, the member is told, and staff see the problem in the console.
"""
from __future__ import annotations

import asyncio
import logging

import discord

from bot.discord import problems, wording

log = logging.getLogger(__name__)
REASON = "お知らせのトピック設定（/subscribe）"


async def record_problem(action: str, target: str | int, *, status: int | None = None,
                         code: int | None = None, detail: str = "") -> None:
    """``problems.record`` off the event loop (it writes to the database)."""
    await asyncio.to_thread(problems.record, action, target, status=status, code=code, detail=detail)


async def _change(member: discord.Member, role_id: str, wanted: bool) -> None:
    role = discord.Object(id=int(role_id))
    if wanted:
        await member.add_roles(role, reason=REASON)
    else:
        await member.remove_roles(role, reason=REASON)


async def apply(interaction: discord.Interaction, changes: dict[str, bool]) -> str | None:
    """Add/remove roles; returns a note for the member when something could not be done."""
    member = interaction.user
    if not changes or interaction.guild_id is None or not isinstance(member, discord.Member):
        return None
    if not interaction.app_permissions.manage_roles:
        await record_problem("role", interaction.guild_id, status=403, code=50013,
                             detail=wording.ROLE_STAFF_DETAIL)
        return wording.ROLE_NO_PERMISSION
    for role_id, wanted in changes.items():
        try:
            await _change(member, role_id, wanted)
        except discord.HTTPException as exc:
            return await _failed(role_id, exc)
    return None


async def _failed(role_id: str, exc: discord.HTTPException) -> str:
    forbidden = exc.status == 403
    detail = wording.ROLE_STAFF_DETAIL if forbidden else problems.advice(exc.code, wording.ROLE_STAFF_DETAIL)
    await record_problem("role", role_id, status=exc.status, code=exc.code, detail=detail)
    return wording.ROLE_NO_PERMISSION if forbidden else wording.ROLE_FAILED
