"""Adapters to the other domains this one talks to (subscriptions, pushes, tracked links).

Kept in one small module so events code (and its tests) depend on these
names only; if another domain changes shape, this is the one place to adapt.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from messages.replies import BotResponse


def chat_user(person_key: str) -> tuple[str, str] | None:
    """("line", "U123") for a chat applicant; None for web/staff or purged keys."""
    channel, _, user_id = person_key.partition(":")
    if channel not in chat_channels() or not user_id or user_id.startswith("purged-"):
        return None
    return channel, user_id


def chat_channels() -> list[str]:
    from channels import registry

    return [c.name for c in registry.all_channels() if c.chat]


def subscriber_id(session: Session, channel: str, user_id: str) -> int | None:
    from notifications.subscriptions import find_subscriber

    subscriber = find_subscriber(session, channel, user_id)
    return subscriber.id if subscriber is not None and subscriber.status == "active" else None


def push(session: Session, config: Mapping, subscriber_ids: list[int], response: BotResponse, *,
         reason: str, urgent: bool = False) -> bool:
    """Queue a push through the broadcast outbox; False when nobody could be reached."""
    from notifications.service import push_to_subscribers

    if not subscriber_ids:
        return False
    queued = push_to_subscribers(session, subscriber_ids, response, reason=reason, urgent=urgent, config=config)
    return queued is not None


def topic_subscriber_ids(session: Session, topics: Iterable[str]) -> list[int]:
    from notifications.subscriptions import active_subscribers_for_topics

    query = active_subscribers_for_topics(session, topics)
    return [row[0] for row in session.execute(query)]


def tracked(config: Mapping, path: str, *, channel: str, recipient: str | None = None,
            campaign: str | None = None, article_id: int | None = None) -> str:
    from channels import registry
    from channels.links import tracked_url

    return tracked_url(config, path, channel=channel if channel in registry.names(config) else "web",
                       recipient=recipient, campaign=campaign, article_id=article_id)


def app_config() -> Mapping:
    """The running app's config (hooks are called without one)."""
    from flask import current_app, has_app_context

    return current_app.config if has_app_context() else {}


def article_auto_announced(session: Session, article, *, by_worker: bool = False) -> bool:
    """True when a broadcast carries the news to the workshop topic, so parents need no separate
    alert: one is already queued or sent, or the worker publishes under an enabled category rule."""
    try:
        from notifications import routing
        from notifications.models import Broadcast
    except ImportError:  # broadcasting not installed: our own alert is the only one
        return False
    rule = routing.announce_rule(session, article.category)
    if by_worker and rule is not None and rule.enabled and rule.channels:
        return True
    query = select(Broadcast.id).where(Broadcast.article_id == article.id, Broadcast.kind == "broadcast",
                                       Broadcast.status != "cancelled").limit(1)
    return session.scalar(query) is not None
