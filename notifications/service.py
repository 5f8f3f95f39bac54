"""Broadcasting services: plain functions taking a session; the caller commits.

Every write by staff is audited in the same transaction (``staff.audit``).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from channels import registry
from channels.base import Channel
from core.db import utcnow
from messages.replies import BotResponse
from notifications import compose, validation
from notifications.audience import chunk_row, chunked, insert_rows
from notifications.launch import expand_recipients  # noqa: F401  (part of this module's interface)
from notifications.models import Broadcast, BroadcastDelivery, Subscriber
from notifications.quiet_hours import deliver_at
from notifications.reports import (  # noqa: F401  (part of this module's interface)
    DeliveryReport,
    QuotaCheck,
    delivery_report,
    estimate_line_messages,
    quota_check,
)
from notifications.validation import BroadcastError  # noqa: F401
from staff import audit

WENT_OUT = ("sending", "done", "stopped", "failed")


def _config(config):
    return config if config is not None else current_app.config


def create_broadcast(session: Session, *, article=None, text: str | None = None, topics: Sequence[str] = (),
                     personas: Sequence[str] = (), channels: Sequence[str] | None = None,
                     at: datetime | None = None, urgent: bool = False, staff=None, origin: str = "console",
                     unit: str | None = None, config=None, thread: bool = False,
                     shared: dict | None = None) -> Broadcast:
    """Validate and queue a broadcast; the worker snapshots the audience when it is due.

    ``channels=None`` means every channel that is set up (LINE, Discord, web). ``shared`` is
    another page's card (a video, from ``forms.find_shared``), kept with the broadcast as sent.
    """
    config = _config(config)
    req = validation.check_request(session, config, article=article, text=text, topics=topics,
                                   personas=personas, channels=channels, at=at, unit=unit, thread=thread,
                                   shared=shared)
    held = any(registry.get(name, config).needs_approval for name in req.channels)
    options = {**({"thread": True} if thread else {}), **({"card": dict(shared)} if shared else {})}
    broadcast = Broadcast(
        kind="broadcast", origin=origin, article=article, title=compose.headline(req.text, article, shared),
        text=req.text, channels=req.channels, topics=req.topics, personas=req.personas, urgent=bool(urgent),
        scheduled_at=req.at, web_post=any(registry.get(name, config).public for name in req.channels),
        status="awaiting_approval" if held else "queued", options=options or None,
        send_at=deliver_at(config, req.at or utcnow(), urgent), aggregation_unit=req.unit or "pending",
        created_by_id=staff.id if staff is not None else None,
    )
    session.add(broadcast)
    session.flush()
    broadcast.aggregation_unit = req.unit or f"mz_broadcast_{broadcast.id}"
    audit.record(session, staff, "broadcast.create", "broadcast", broadcast.id, _audit_details(broadcast))
    return broadcast


def _audit_details(broadcast: Broadcast) -> dict:
    return {"title": broadcast.title, "channels": broadcast.channels, "topics": broadcast.topics,
            "personas": broadcast.personas, "urgent": broadcast.urgent, "origin": broadcast.origin,
            "article_id": broadcast.article_id, "card": ((broadcast.options or {}).get("card") or {}).get("ref"),
            "send_at": broadcast.send_at.isoformat() if broadcast.send_at else None}


def approve_broadcast(session: Session, broadcast: Broadcast, staff=None) -> Broadcast:
    """A ward approval releases a held broadcast (X posts need one); atomic against a second click."""
    now = utcnow()
    result = session.execute(
        update(Broadcast).where(Broadcast.id == broadcast.id, Broadcast.status == "awaiting_approval")
        .values(status="queued", approved_at=now, approved_by_id=staff.id if staff is not None else None)
    )
    if result.rowcount != 1:
        session.refresh(broadcast)
        raise BroadcastError(f"この配信は承認待ちではありません（状態: {status_label(broadcast.status)}）")
    session.refresh(broadcast)
    if broadcast.send_at < now:
        broadcast.send_at = deliver_at(current_app.config, now, broadcast.urgent)
    audit.record(session, staff, "broadcast.approve", "broadcast", broadcast.id, {"title": broadcast.title})
    return broadcast


def cancel_broadcast(session: Session, broadcast: Broadcast, staff=None) -> Broadcast:
    """Cancel a broadcast that has not started; an atomic check so the worker cannot race it."""
    result = session.execute(
        update(Broadcast).where(Broadcast.id == broadcast.id, Broadcast.status.in_(("queued", "draft", "returned", "awaiting_approval")))
        .values(status="cancelled", cancelled_at=utcnow())
    )
    if result.rowcount != 1:
        session.refresh(broadcast)
        raise BroadcastError(f"この配信は取り消せません（状態: {status_label(broadcast.status)}）。"
                             "取り消せるのは配信開始前のものだけです")
    session.refresh(broadcast)
    audit.record(session, staff, "broadcast.cancel", "broadcast", broadcast.id, {"title": broadcast.title})
    return broadcast


def retry_failed(session: Session, broadcast: Broadcast, staff=None) -> int:
    """Put failed and stopped deliveries back in the outbox (same retry keys); returns how many."""
    if broadcast.status in ("queued", "cancelled", "draft", "returned", "awaiting_approval"):
        raise BroadcastError("まだ配信されていない（または取り消した）配信は再送できません")
    result = session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.broadcast_id == broadcast.id, BroadcastDelivery.status.in_(("failed", "stopped")))
        .values(status="pending", attempts=0, next_attempt_at=utcnow(), claim_token=None, locked_until=None)
    )
    count = result.rowcount or 0
    if count:
        broadcast.status, broadcast.finished_at, broadcast.stop_reason = "sending", None, None
    audit.record(session, staff, "broadcast.retry_failed", "broadcast", broadcast.id, {"deliveries": count})
    return count


STATUS_LABELS = {"draft": "下書き（承認待ち）", "returned": "差し戻し中", "awaiting_approval": "承認待ち", "queued": "配信待ち", "sending": "配信中", "done": "配信済み",
                 "cancelled": "取り消し", "failed": "失敗", "stopped": "停止"}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


# --- queries -------------------------------------------------------------------------------


def get_broadcast(session: Session, broadcast_id: int) -> Broadcast | None:
    return session.get(Broadcast, broadcast_id, options=[selectinload(Broadcast.article)])


def recent_broadcasts(session: Session, limit: int = 50) -> list[Broadcast]:
    query = (select(Broadcast).options(selectinload(Broadcast.article))
             .order_by(Broadcast.created_at.desc(), Broadcast.id.desc()).limit(limit))
    return list(session.scalars(query))


def web_posts_query():
    """Web posts that went out, newest first (the public timeline)."""
    return (
        select(Broadcast)
        .where(Broadcast.web_post.is_(True), Broadcast.status.in_(WENT_OUT), Broadcast.started_at.is_not(None))
        .options(selectinload(Broadcast.article))
        .order_by(Broadcast.started_at.desc(), Broadcast.id.desc())
    )


def is_public_post(broadcast: Broadcast | None) -> bool:
    return (broadcast is not None and broadcast.web_post and broadcast.status in WENT_OUT
            and broadcast.started_at is not None)


def public_posts(session: Session, limit: int = 20, offset: int = 0) -> list[Broadcast]:
    return list(session.scalars(web_posts_query().limit(limit).offset(offset)))


def public_post(session: Session, broadcast_id: int) -> Broadcast | None:
    post = get_broadcast(session, broadcast_id)
    return post if is_public_post(post) else None


def broadcasts_for_article(session: Session, article_id: int, limit: int = 10) -> list[Broadcast]:
    """The web posts about an article, for its page (newest first)."""
    return list(session.scalars(web_posts_query().where(Broadcast.article_id == article_id).limit(limit)))


# --- small pushes (event reminders, waitlist offers) ------------------------------------------


def _active_targets(session: Session, subscriber_ids: Sequence[int]) -> dict[str, list[str]]:
    """External ids of the active subscribers, per channel (registry order)."""
    found: dict[str, list[str]] = {}
    query = (select(Subscriber.channel, Subscriber.external_id)
             .where(Subscriber.id.in_(sorted(set(subscriber_ids))), Subscriber.status == "active")
             .order_by(Subscriber.id))
    for channel, external_id in session.execute(query):
        found.setdefault(channel, []).append(external_id)
    return found


def _all_want_pushes_anytime(session: Session, subscriber_ids: Sequence[int]) -> bool:
    """Everyone asked (受信設定) for their own event messages at any hour: skip quiet hours."""
    prefs = set(session.scalars(select(Subscriber.quiet_pref).where(Subscriber.id.in_(sorted(set(subscriber_ids))))))
    return prefs == {"anytime"}


def _push_channels(config, targets: dict[str, list[str]]) -> list[Channel]:
    """Chat channels that can carry a push to these people (those that render a response)."""
    return [c for c in registry.all_channels(config) if c.chat and targets.get(c.name)]


def push_to_subscribers(session: Session, subscriber_ids: Sequence[int], response: BotResponse, *, reason: str,
                        urgent: bool = False, config=None) -> Broadcast | None:
    """Queue a push to a few subscribers through the outbox (retry keys, backoff, quiet hours).

    Blocked subscribers are skipped; returns None when nobody is left to reach.
    """
    if response.is_empty:
        raise BroadcastError("送信する内容がありません")
    config = _config(config)
    targets = _active_targets(session, subscriber_ids)
    channels = _push_channels(config, targets)
    if not channels:
        return None
    now = utcnow()
    urgent = urgent or _all_want_pushes_anytime(session, subscriber_ids)
    push = _push_row(config, response, channels, targets, reason, urgent, now, deliver_at(config, now, urgent))
    session.add(push)
    session.flush()
    rows = []
    for channel in channels:
        size = channel.chunk_size if channel.fanout == "subscribers" else 1
        rows += [chunk_row(push.id, channel.name, i, ids, push.send_at)
                 for i, ids in enumerate(chunked([targets[channel.name]], size))]
    insert_rows(session, rows)
    return push


def _push_row(config, response: BotResponse, channels: list[Channel], targets: dict[str, list[str]],
              reason: str, urgent: bool, now: datetime, when: datetime) -> Broadcast:
    summary = compose.plain_text(response)
    return Broadcast(
        kind="push", origin="push", reason=reason[:100], title=summary[:200], text=summary,
        channels=[c.name for c in channels], urgent=urgent, send_at=when, status="sending",
        aggregation_unit=f"mz_push_{reason_unit(reason)}"[:30], started_at=now,
        recipient_count=sum(len(targets[c.name]) for c in channels),
        payloads={c.name: c.render_response(config, response) for c in channels},
    )


def reason_unit(reason: str) -> str:
    """A LINE aggregation-unit-safe form of the push reason (letters, digits, underscores)."""
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_" for ch in reason)
    return cleaned.strip("_")[:20] or "system"
