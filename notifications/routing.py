"""Broadcast settings staff edit in the console: Discord channels per topic and
automatic announcements per article category."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels import registry
from content.models import CATEGORIES
from notifications.models import AnnounceRule, DiscordRoute
from notifications.topics import TOPICS

DEFAULT_ROUTE = "*"  # used for "everyone" broadcasts and topics without a channel of their own
SNOWFLAKE = re.compile(r"^\d{15,22}$")


class SettingsError(ValueError):
    """Invalid settings input; the message is Japanese, for staff."""


@dataclass(frozen=True)
class DiscordTarget:
    channel_id: str
    role_ids: tuple[str, ...]


def routes(session: Session) -> dict[str, DiscordRoute]:
    return {route.topic: route for route in session.scalars(select(DiscordRoute))}


def discord_targets(session: Session, topics: Sequence[str]) -> list[DiscordTarget]:
    """One target per distinct channel; the topics' roles sharing a channel are pinged together."""
    table = routes(session)
    chosen = [table[t] for t in topics if t in table] or ([table[DEFAULT_ROUTE]] if DEFAULT_ROUTE in table else [])
    by_channel: dict[str, list[str]] = {}
    for route in chosen:
        roles = by_channel.setdefault(route.channel_id, [])
        if route.role_id and route.role_id not in roles:
            roles.append(route.role_id)
    return [DiscordTarget(channel, tuple(roles)) for channel, roles in by_channel.items()]


def _snowflake(value: str, what: str, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise SettingsError(f"{what}を入力してください")
        return None
    if not SNOWFLAKE.match(value):
        raise SettingsError(f"{what}は一覧から選んでください")
    return value


def save_route(session: Session, topic: str, channel_id: str, role_id: str = "") -> DiscordRoute | None:
    """Set (or with an empty channel, remove) the Discord channel of a topic."""
    if topic != DEFAULT_ROUTE and topic not in TOPICS:
        raise SettingsError(f"不明なトピックです: {topic}")
    route = session.scalar(select(DiscordRoute).where(DiscordRoute.topic == topic))
    channel = _snowflake(channel_id, "投稿チャンネル", required=False)
    if channel is None:
        if route is not None:
            session.delete(route)
        return None
    role = _snowflake(role_id, "通知するロール", required=False)
    if route is None:
        route = DiscordRoute(topic=topic, channel_id=channel, role_id=role)
        session.add(route)
    else:
        route.channel_id, route.role_id = channel, role
    return route


def announce_rule(session: Session, category: str) -> AnnounceRule | None:
    return session.get(AnnounceRule, category)


def announce_rules(session: Session) -> dict[str, AnnounceRule]:
    return {rule.category: rule for rule in session.scalars(select(AnnounceRule))}


def save_announce_rule(session: Session, category: str, enabled: bool, channels: Sequence[str]) -> AnnounceRule:
    if category not in CATEGORIES:
        raise SettingsError(f"不明な分類です: {category}")
    known = registry.names()
    unknown = [c for c in channels if c not in known]
    if unknown:
        raise SettingsError(f"不明なチャンネルです: {', '.join(unknown)}")
    if enabled and not channels:
        raise SettingsError(f"「{CATEGORIES[category]}」の自動配信先チャンネルを1つ以上選んでください")
    rule = session.get(AnnounceRule, category)
    if rule is None:
        rule = AnnounceRule(category=category)
        session.add(rule)
    rule.enabled = enabled
    rule.channels = [c for c in known if c in channels]
    return rule

