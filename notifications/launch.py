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
from notifications.audience import audience_query, chunk_row, insert_rows, write_chunks
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
    """Render each channel's message and write the outbox rows; returns the people reached.

    The audience is a snapshot of active subscribers at this moment: whoever
    blocks the account later is still in a chunk, whoever blocked before is not.
    """
    now = now or utcnow()
    payloads, recipients = {}, 0
    for channel in registry.all_channels(config):
        if channel.name not in (broadcast.channels or []):
            continue
        content = compose.draft(config, broadcast.text, broadcast.article, channel.name, broadcast.id,
                                thread=bool((broadcast.options or {}).get("thread")))
        payload = channel.render(config, content)
        if payload is not None:
            payloads[channel.name] = payload
        recipients += _write_rows(session, channel, broadcast, now)
    broadcast.payloads = payloads
    broadcast.recipient_count = recipients
    return recipients


def _write_rows(session: Session, channel: Channel, broadcast: Broadcast, now: datetime) -> int:
    if channel.fanout == "subscribers":
        query = audience_query(broadcast.topics or [], broadcast.personas or [], channel.name)
        return write_chunks(session, broadcast.id, channel.name, query, now, channel.chunk_size)
    if channel.fanout == "destinations":
        insert_rows(session, _destination_rows(session, channel, broadcast, now))
        return 0
    row = chunk_row(broadcast.id, channel.name, 0, None, now, count=1)
    insert_rows(session, [{**row, "status": "sent", "sent_at": now}])  # the timeline shows it at once
    return 0


def _destination_rows(session: Session, channel: Channel, broadcast: Broadcast, now: datetime) -> list[dict]:
    targets = channel.destinations(session, broadcast.topics or [])
    if not targets:  # the settings changed after the broadcast was queued
        row = chunk_row(broadcast.id, channel.name, 0, None, now, count=1)
        reason = channel.unavailable_reason(session, {}, broadcast.topics or []) or "投稿先が設定されていません"
        return [{**row, "status": "failed", "last_error": reason}]
    return [chunk_row(broadcast.id, channel.name, i, None, now, count=1, target=t.target,
                      mention=",".join(t.mentions) or None) for i, t in enumerate(targets)]
