"""Starting a due broadcast: render it per channel and snapshot its audience into the outbox.

The start is claimed with an atomic ``UPDATE ... WHERE status = 'queued'``: of
several workers exactly one gets the row, and the expansion commits together
with the status change, so a crash leaves the broadcast queued (never half
expanded).
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from channels import registry
from channels.base import Channel
from core.db import utcnow
from notifications import compose
from notifications.audience import chunk_row, insert_rows, persona_segments, write_chunks
from notifications.models import Broadcast
from notifications.quiet_hours import deliver_at

log = logging.getLogger(__name__)


def due_broadcast_ids(session: Session, now: datetime, limit: int = 10) -> list[int]:
    query = (select(Broadcast.id).where(Broadcast.status == "queued", Broadcast.send_at <= now)
             .order_by(Broadcast.urgent.desc(), Broadcast.send_at, Broadcast.id).limit(limit))
    return list(session.scalars(query))


def _claim_start(session: Session, broadcast_id: int, now: datetime) -> bool:
    result = session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.status == "queued")
        .values(status="sending", started_at=now)
    )
    return result.rowcount == 1


def _defer_if_quiet(session: Session, config, broadcast: Broadcast, now: datetime) -> bool:
    """A broadcast picked up late (worker was down) must still respect quiet hours."""
    allowed = deliver_at(config, now, broadcast.urgent)
    if allowed <= now:
        return False
    broadcast.status, broadcast.started_at, broadcast.send_at = "queued", None, allowed
    log.info("broadcast %s deferred to %s (quiet hours)", broadcast.id, allowed.isoformat())
    return True


def start_due(session: Session, config, now: datetime | None = None) -> list[int]:
    """Start every due broadcast (one transaction each); returns the started ids."""
    now = now or utcnow()
    started = []
    for broadcast_id in due_broadcast_ids(session, now):
        try:
            if _start_one(session, config, broadcast_id, now):
                started.append(broadcast_id)
            session.commit()
        except Exception:
            session.rollback()
            log.exception("could not start broadcast %s; it stays queued", broadcast_id)
    return started


def _start_one(session: Session, config, broadcast_id: int, now: datetime) -> bool:
    if not _claim_start(session, broadcast_id, now):
        return False
    broadcast = session.get(Broadcast, broadcast_id, populate_existing=True)
    if _defer_if_quiet(session, config, broadcast, now):
        return False
    expand_recipients(session, broadcast, config, now)
    return True


def expand_recipients(session: Session, broadcast: Broadcast, config, now: datetime | None = None) -> int:
    """Render each segment's message variant and write the outbox rows; returns the people reached.

    Every audience segment — a persona on a subscriber channel, a destination on a posting
    channel — gets its own variant whose tracked links name the segment, so clicks are
    attributed to it without tracking anyone. The audience is a snapshot of active
    subscribers at this moment: whoever blocks the account later is still in a chunk,
    whoever blocked before is not.
    """
    now = now or utcnow()
    fanout = Fanout(session, broadcast, config, now)
    for channel in registry.all_channels(config):
        if channel.name in (broadcast.channels or []):
            fanout.write(channel)
    broadcast.payloads = fanout.payloads
    broadcast.recipient_count = fanout.recipients
    return fanout.recipients


def payload_key(channel: str, segment: str | None) -> str:
    """Where a row's variant is kept in ``Broadcast.payloads`` (the channel's own key without a segment)."""
    return f"{channel}|{segment}" if segment else channel


def payload_of(payloads: dict | None, channel: str, segment: str | None):
    """The variant an outbox row sends: its segment's, else the channel's one payload."""
    payloads = payloads or {}
    return payloads.get(payload_key(channel, segment), payloads.get(channel))


class Fanout:
    """One broadcast's variants and outbox rows, channel by channel."""

    def __init__(self, session: Session, broadcast: Broadcast, config, now: datetime) -> None:
        self.session, self.broadcast, self.config, self.now = session, broadcast, config, now
        self.payloads: dict = {}
        self.recipients = 0

    def _variant(self, channel: Channel, segment: str | None) -> None:
        b = self.broadcast
        options = b.options or {}
        draft = compose.draft(self.config, b.text, b.article, channel.name, b.id, segment=segment,
                              thread=bool(options.get("thread")), shared=options.get("card"))
        payload = channel.render(self.config, draft)
        if payload is not None:
            self.payloads[payload_key(channel.name, segment)] = payload

    def write(self, channel: Channel) -> None:
        b = self.broadcast
        if channel.fanout == "subscribers":
            for segment, query in persona_segments(self.session, b.topics or [], b.personas or [], channel.name):
                self._variant(channel, segment)
                self.recipients += write_chunks(self.session, b.id, channel.name, query, self.now,
                                                channel.chunk_size, segment=segment)
        elif channel.fanout == "destinations":
            rows = _destination_rows(self.session, channel, b, self.now)
            for row in rows:
                if row["status"] == "pending":
                    self._variant(channel, row["segment"])
            insert_rows(self.session, rows)
        else:
            self._variant(channel, None)
            row = chunk_row(b.id, channel.name, 0, None, self.now, count=1)
            insert_rows(self.session, [{**row, "status": "sent", "sent_at": self.now}])  # on the timeline at once


def _destination_rows(session: Session, channel: Channel, broadcast: Broadcast, now: datetime) -> list[dict]:
    targets = channel.destinations(session, broadcast.topics or [])
    if not targets:  # the settings changed after the broadcast was queued
        row = chunk_row(broadcast.id, channel.name, 0, None, now, count=1)
        reason = channel.unavailable_reason(session, {}, broadcast.topics or []) or "投稿先が設定されていません"
        return [{**row, "status": "failed", "last_error": reason}]
    return [chunk_row(broadcast.id, channel.name, i, None, now, count=1, target=t.target,
                      mention=",".join(t.mentions) or None, segment=f"{channel.name}:{t.target}")
            for i, t in enumerate(targets)]
