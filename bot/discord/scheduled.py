"""Tours and workshops as Discord scheduled events (place, time, link to registration).

``sync_events`` creates a Discord event for every upcoming public tour and
workshop and updates it when the event changed (a hash of what was sent is
kept). Run by the bot every few minutes and by ``monozukuri discord sync-events``.
A missing "Manage Events" permission is recorded for staff once per run.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.cards import event_details
from bot.discord import limits as L
from bot.discord import problems, settings
from bot.discord.models import DiscordScheduledEvent
from bot.discord.rest import DiscordError, DiscordRest
from channels.links import tracked_url
from content import service as content_service
from core.db import utcnow
from events.models import Event

log = logging.getLogger(__name__)
KINDS = ("tour", "workshop")
EXTERNAL, GUILD_ONLY = 3, 2
NAME_MAX, DESCRIPTION_MAX, LOCATION_MAX = 100, 1000, 100
DEFAULT_LENGTH = timedelta(hours=2)  # external events need an end; used when none is set
DEFAULT_PLACE = "東京都大田区"


@dataclass
class SyncReport:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: str = ""


def event_payload(config: Mapping, event: Event) -> dict:
    link = tracked_url(config, f"/events/{event.id}", channel="discord", campaign="discord-event")
    tail = f"\n\n申し込み・詳細：{link}"
    ends = event.ends_at if event.ends_at and event.ends_at > event.starts_at else event.starts_at + DEFAULT_LENGTH
    return {
        "name": L.cut(f"{event.kind_label}｜{event.title}", NAME_MAX),
        "description": L.cut(event_details(event), DESCRIPTION_MAX - len(tail)) + tail,
        "scheduled_start_time": event.starts_at.isoformat(),
        "scheduled_end_time": ends.isoformat(),
        "privacy_level": GUILD_ONLY,
        "entity_type": EXTERNAL,
        "entity_metadata": {"location": L.cut(event.place or DEFAULT_PLACE, LOCATION_MAX)},
    }


def content_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _create(session: Session, rest: DiscordRest, guild_id: str, event: Event, payload: dict, digest: str) -> None:
    created = rest.post(f"/guilds/{guild_id}/scheduled-events", payload)
    row = session.scalar(select(DiscordScheduledEvent).where(DiscordScheduledEvent.event_id == event.id))
    if row is None:
        row = DiscordScheduledEvent(event_id=event.id)
        session.add(row)
    row.guild_id, row.discord_event_id = guild_id, str(created["id"])
    row.content_hash, row.synced_at = digest, utcnow()


def sync_event(session: Session, config: Mapping, rest: DiscordRest, guild_id: str, event: Event) -> str:
    """"created", "updated" or "unchanged"; raises ``DiscordError``."""
    payload = event_payload(config, event)
    digest = content_hash(payload)
    row = session.scalar(select(DiscordScheduledEvent).where(DiscordScheduledEvent.event_id == event.id))
    if row is None or row.guild_id != guild_id:
        _create(session, rest, guild_id, event, payload, digest)
        return "created"
    if row.content_hash == digest:
        return "unchanged"
    try:
        rest.patch(f"/guilds/{guild_id}/scheduled-events/{row.discord_event_id}", payload)
    except DiscordError as exc:
        if not exc.missing:
            raise
        _create(session, rest, guild_id, event, payload, digest)  # staff deleted it on Discord: make it again
        return "created"
    row.content_hash, row.synced_at = digest, utcnow()
    return "updated"


def _due(session: Session) -> list[Event]:
    upcoming = content_service.upcoming_events(session, limit=200, public_only=True)
    return [e for e in upcoming if e.kind in KINDS]


def sync_events(session: Session, config: Mapping, rest: DiscordRest | None = None,
                progress: Callable[[int, int], None] | None = None) -> SyncReport:
    """Create/update the Discord events; ``progress(done, total)`` after each event."""
    current, report = settings.load(session), SyncReport()
    if not config.get("DISCORD_BOT_TOKEN") or not current.scheduled_events or not current.guild_id:
        report.skipped = "Discordのイベント連携はオフです（トークン・サーバーID・設定を確認してください）"
        return report
    own = rest is None
    rest = rest or DiscordRest(config)
    try:
        _sync_all(session, config, rest, current.guild_id, report, progress or (lambda done, total: None))
    finally:
        if own:
            rest.close()
    return report


def _sync_all(session: Session, config: Mapping, rest: DiscordRest, guild_id: str, report: SyncReport,
              progress: Callable[[int, int], None]) -> None:
    due = _due(session)
    progress(0, len(due))
    for done, event in enumerate(due, start=1):
        try:
            getattr(report, sync_event(session, config, rest, guild_id, event)).append(event.id)
            session.commit()
        except DiscordError as exc:
            session.rollback()
            report.failed.append(event.id)
            if exc.forbidden:  # the same for every event: record once and stop this run
                problems.record("scheduled_event", guild_id, status=exc.status, code=exc.code,
                                detail="ボットに「イベントの管理」権限がありません。サーバー設定で許可してください。")
                return
            log.error("Discord scheduled event for event %s failed: %s", event.id, exc)
        progress(done, len(due))
