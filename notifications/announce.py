"""Publish and announce: a newly public article is broadcast to its topics when the
category's rule says so (console → 配信設定). Runs inside the publishing
transaction, so the article and its queued announcement commit together.
"""
from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import signals
from notifications import routing, validation
from notifications.models import Broadcast
from notifications.topics import topics_for_article

log = logging.getLogger(__name__)


def _already_announced(session: Session, article_id: int) -> bool:
    query = select(Broadcast.id).where(Broadcast.article_id == article_id, Broadcast.origin == "auto").limit(1)
    return session.scalar(query) is not None


def announce_on_publish(session: Session, article, staff) -> Broadcast | None:
    """Receiver of ``core.signals.article_published``. Never raises for settings problems: a missing
    Discord channel must not stop an article from going public."""
    from notifications.service import create_broadcast

    rule = routing.announce_rule(session, article.category)
    if rule is None or not rule.enabled or _already_announced(session, article.id):
        return None
    config = current_app.config if has_app_context() else {}
    event = getattr(article, "event", None)
    topics = list(topics_for_article(article.category, event.kind if event else None))
    usable = validation.available_channels(session, config, topics)
    channels = [c for c in rule.channels if c in usable]
    skipped = sorted(set(rule.channels) - set(channels))
    if skipped:
        log.warning("auto-announce of article %s skips unconfigured channel(s): %s", article.id, skipped)
    if not channels:
        return None
    return create_broadcast(session, article=article, text="", topics=topics, channels=channels, staff=staff,
                            origin="auto", config=config)


def _on_article_published(article, *, session: Session, staff) -> None:
    announce_on_publish(session, article, staff)


def connect() -> None:
    """Announce newly published articles (connecting twice is a no-op)."""
    signals.article_published.connect(_on_article_published)
