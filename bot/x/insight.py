"""Impressions of the ward's recent X posts (public_metrics.impression_count), for the KPIs.

Fetched once a day by the KPI statistics job (``XChannel.fetch_statistics``) for the posts
of the last week, the days the roll-up still recomputes. Each post's latest count replaces
the one before (``kpi_post_stats``) and becomes the reach of its broadcast on the day it was
posted. When X refuses the read (the token lacks ``tweet.read``/``users.read``, or the API
plan has no reads), nothing is stored and the dashboard shows X's reach as 「不明」; the
posting channel is not affected.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.x.client import LOOKUP_BATCH, ReadRefused, XClient
from bot.x.sender import x_token
from core.db import utcnow
from kpi.models import PostStat
from notifications.models import Broadcast, BroadcastDelivery

log = logging.getLogger(__name__)
RECENT_DAYS = 7  # as far back as the KPI roll-up recomputes days
_STATUS_ID = re.compile(r"/status/(\d{1,25})")


def post_id_of(external_ref: str | None) -> str | None:
    """The post id of an outbox row: as X returned it, or from the address staff pasted (手動で投稿)."""
    if not external_ref:
        return None
    if external_ref.isdigit():
        return external_ref
    found = _STATUS_ID.search(external_ref)
    return found.group(1) if found else None


def recent_posts(session: Session, since) -> dict[str, tuple]:
    """Post id → (broadcast id, article id, posted at) of X posts sent since ``since``."""
    rows = session.execute(
        select(BroadcastDelivery.external_ref, BroadcastDelivery.broadcast_id, Broadcast.article_id,
               BroadcastDelivery.sent_at)
        .join(Broadcast, Broadcast.id == BroadcastDelivery.broadcast_id)
        .where(BroadcastDelivery.channel == "x", BroadcastDelivery.status == "sent",
               BroadcastDelivery.sent_at >= since, BroadcastDelivery.external_ref.is_not(None))
    ).all()
    posts = {}
    for ref, broadcast_id, article_id, sent_at in rows:
        post_id = post_id_of(ref)
        if post_id:
            posts[post_id] = (broadcast_id, article_id, sent_at)
    return posts


def store(session: Session, post_id: str, facts: tuple, impressions: int) -> None:
    broadcast_id, article_id, posted_at = facts
    row = session.scalar(select(PostStat).where(PostStat.channel == "x", PostStat.post_id == post_id))
    if row is None:
        row = PostStat(channel="x", post_id=post_id)
        session.add(row)
    row.broadcast_id, row.article_id, row.posted_at = broadcast_id, article_id, posted_at
    row.impressions, row.fetched_at = impressions, utcnow()


def fetch_impressions(session: Session, config: Mapping, today: date) -> int | None:
    """Store the impressions of the last week's posts (caller commits); None when X is off."""
    token = x_token(config)
    if token is None:
        return None
    posts = recent_posts(session, utcnow() - timedelta(days=RECENT_DAYS))
    ids = sorted(posts)
    stored = 0
    client = XClient(config.get("X_API_BASE_URL") or "https://api.x.com", token, timeout=30.0)
    try:
        for start in range(0, len(ids), LOOKUP_BATCH):
            batch = ids[start:start + LOOKUP_BATCH]
            try:
                found = client.impressions(batch)
            except ReadRefused as refused:
                log.warning("X gave no impressions (%s); reach on X stays unknown", refused)
                return stored
            for post_id, count in found.items():
                if post_id in posts:
                    store(session, post_id, posts[post_id], count)
                    stored += 1
    finally:
        client.close()
    session.flush()
    return stored
