"""Warn staff when a Discord role chosen for pings cannot be mentioned by the bot.

Discord silently drops a role mention the bot may not make: the post goes out and
nobody is pinged. A role can be mentioned when it is "mentionable" (or the bot may
mention every role, which the warning names as the other fix).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PingWarning:
    topic: str
    message: str


def _guild_roles(config, guild_id: str) -> dict[str, dict] | None:
    from bot.discord.rest import DiscordError, DiscordRest

    try:
        with DiscordRest(config, max_retries=1, max_wait=5.0) as rest:
            return {str(role["id"]): role for role in rest.get(f"/guilds/{guild_id}/roles") or []}
    except (DiscordError, OSError) as exc:
        log.warning("Discord roles of guild %s could not be read: %s", guild_id, exc)
        return None


def _only_server(config) -> str | None:
    """The bot's one server when none is saved yet (the settings pages offer its roles then too)."""
    from bot.discord.directory import load

    found = load(config)
    return found.guild_id if found.guilds_loaded and len(found.guilds) == 1 else None


def ping_warnings(session: Session, config, routes: dict, topic_labels: dict[str, str]) -> list[PingWarning]:
    """One warning per route whose ping role the bot cannot mention (empty when all is well)."""
    from bot.discord import settings as discord_settings
    from bot.discord.delivery import discord_configured

    chosen = {topic: route.role_id for topic, route in routes.items() if route.role_id}
    if not chosen or not discord_configured(config):
        return []
    guild_id = discord_settings.load(session).guild_id or _only_server(config)
    if not guild_id:
        return []
    roles = _guild_roles(config, guild_id)
    if roles is None:
        return [PingWarning("*", "Discordからロールの情報を読み取れなかったため、通知できるか確認できませんでした。")]
    out = []
    for topic, role_id in chosen.items():
        label = topic_labels.get(topic, "既定")
        role = roles.get(role_id)
        if role is None:
            out.append(PingWarning(topic, f"「{label}」で通知するロールがサーバーにありません。投稿されても誰にも通知されません。"))
        elif not role.get("mentionable"):
            out.append(PingWarning(topic, (
                f"「{label}」で通知するロール「{role.get('name', '')}」はメンションできない設定です。"
                "このままでは投稿されても誰にも通知されません。Discordのサーバー設定で、このロールの"
                "「このロールに対して@mentionを許可する」をオンにするか、ボットに「@everyone、@here、"
                "全てのロールにメンション」の権限を付けてください。")))
    return out


def ping_warnings_for_settings_page() -> list[PingWarning]:
    """Template global for the broadcast settings page (notifications never import this adapter)."""
    from flask import current_app

    from core.db import db
    from notifications import routing
    from notifications.topics import TOPICS

    return ping_warnings(db.session, current_app.config, routing.routes(db.session), TOPICS)
