"""Publish → announce, never silent.

After 公開 (or 公開予約) staff see who would get the article on each channel and
choose 送信する / 送信しない / 予約 (``decide``). The choice is kept per article
(``AnnounceDecision``) and carried out when the article is public: at once, or by
the worker when a scheduled article goes public. A scheduled publication nobody
chose for follows the category's rule (console → 配信設定; ON after install).
Every choice is in the audit log.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels import registry
from core import signals
from core.db import utcnow
from notifications import routing, validation
from notifications.audience import count_audience
from notifications.models import AnnounceDecision, Broadcast
from notifications.reports import QuotaCheck, quota_check
from notifications.topics import TOPICS, topics_for_article
from staff import audit
from staff.models import StaffUser

log = logging.getLogger(__name__)
DECISIONS = {"send": "送信する", "skip": "送信しない", "later": "予約"}


class AnnounceError(ValueError):
    """A choice that cannot be carried out; the message is Japanese, for staff."""


@dataclass(frozen=True)
class Audience:
    """Who would get an article's announcement, per channel and topic."""

    topics: list[str]
    line_total: int
    line_by_topic: dict[str, int]
    quota: QuotaCheck | None  # None: LINE is not set up
    discord_targets: list[routing.DiscordTarget]
    usable: list[str]  # channels that are set up for these topics

    @property
    def topic_labels(self) -> list[str]:
        return [TOPICS.get(t, t) for t in self.topics]


def article_topics(article) -> list[str]:
    event = getattr(article, "event", None)
    return list(topics_for_article(article.category, event.kind if event else None))


def audience(session: Session, config, article, with_quota: bool = True) -> Audience:
    topics = article_topics(article)
    by_topic = {t: count_audience(session, [t], [], "line") for t in topics}
    total = count_audience(session, topics, [], "line") if topics else 0
    usable = validation.available_channels(session, config, topics)
    quota = quota_check(config, total) if with_quota and "line" in usable else None
    return Audience(topics=topics, line_total=total, line_by_topic=by_topic, quota=quota,
                    discord_targets=routing.discord_targets(session, topics) if "discord" in usable else [],
                    usable=usable)


def default_choice(session: Session, article, usable: list[str]) -> tuple[str, list[str]]:
    """The category's rule as the preselected answer: ("send", channels) or ("skip", [])."""
    rule = routing.announce_rule(session, article.category)
    if rule is None or not rule.enabled:
        return "skip", []
    return "send", [c for c in rule.channels if c in usable]


def decision_for(session: Session, article_id: int) -> AnnounceDecision | None:
    return session.get(AnnounceDecision, article_id)


def _already_announced(session: Session, article_id: int) -> bool:
    query = select(Broadcast.id).where(Broadcast.article_id == article_id, Broadcast.origin == "auto").limit(1)
    return session.scalar(query) is not None


def decide(session: Session, article, staff, decision: str, channels: list[str],
           at: datetime | None = None, config=None) -> AnnounceDecision:
    """Record staff's choice (audited) and carry it out now when the article is already public."""
    config = config if config is not None else current_app.config
    if decision not in DECISIONS:
        raise AnnounceError("送信する・送信しない・予約のどれかを選んでください")
    if _already_announced(session, article.id):
        raise AnnounceError("この記事のお知らせはすでに送信（または予約）されています。配信一覧で確認してください")
    usable = validation.available_channels(session, config, article_topics(article))
    labels = registry.labels(config)
    chosen = [c for c in labels if c in channels]
    if decision != "skip":
        if not chosen:
            raise AnnounceError("送信先を1つ以上選んでください")
        unusable = [labels[c] for c in chosen if c not in usable]
        if unusable:
            raise AnnounceError(f"{'・'.join(unusable)}は設定されていないため送信できません")
    if decision == "later":
        if at is None:
            raise AnnounceError("予約する日時を入力してください")
        validation.check_time(at)
    row = session.get(AnnounceDecision, article.id) or AnnounceDecision(article_id=article.id)
    row.decision, row.channels = decision, chosen if decision != "skip" else []
    row.send_at = at if decision == "later" else None
    row.decided_by_id, row.decided_at, row.applied_at, row.broadcast_id = (
        staff.id if staff else None, utcnow(), None, None)
    session.add(row)
    session.flush()
    audit.record(session, staff, "article.announce", "article", article.id, {
        "slug": article.slug, "decision": decision, "channels": row.channels,
        "send_at": at.isoformat() if at and decision == "later" else None,
    })
    if article.is_public:
        _carry_out(session, article, row, staff, config)
    return row


def _carry_out(session: Session, article, row: AnnounceDecision, staff, config) -> Broadcast | None:
    from notifications.service import create_broadcast

    row.applied_at = utcnow()
    if row.decision == "skip":
        return None
    if staff is None and row.decided_by_id is not None:  # the worker carries out a person's choice
        staff = session.get(StaffUser, row.decided_by_id)
    usable = validation.available_channels(session, config, article_topics(article))
    channels = [c for c in row.channels if c in usable]
    if not channels:
        log.warning("announcement of article %s: none of %s is set up any more", article.id, row.channels)
        return None
    broadcast = create_broadcast(session, article=article, text="", topics=article_topics(article),
                                 channels=channels, staff=staff, origin="auto", config=config,
                                 at=row.send_at if row.decision == "later" and row.send_at > utcnow() else None)
    row.broadcast_id = broadcast.id
    return broadcast


def _by_rule(session: Session, article, config) -> Broadcast | None:
    from notifications.service import create_broadcast

    choice, channels = default_choice(session, article, validation.available_channels(
        session, config, article_topics(article)))
    if choice != "send" or not channels:
        return None
    broadcast = create_broadcast(session, article=article, text="", topics=article_topics(article),
                                 channels=channels, staff=None, origin="auto", config=config)
    audit.record(session, None, "article.announce", "article", article.id, {
        "slug": article.slug, "decision": "send", "channels": channels, "by_rule": True})
    return broadcast


def announce_on_publish(session: Session, article, staff) -> Broadcast | None:
    """Receiver of ``core.signals.article_published``. Never raises for settings problems: a missing
    Discord channel must not stop an article from going public.

    A stored choice is carried out; a publication by the worker without one follows the rule;
    a publication by staff in the console waits for their choice on the announce page.
    """
    config = current_app.config if has_app_context() else {}
    if _already_announced(session, article.id):
        return None
    row = decision_for(session, article.id)
    try:
        if row is not None and row.applied_at is None:
            return _carry_out(session, article, row, staff, config)
        if row is None and staff is None:
            return _by_rule(session, article, config)
    except validation.BroadcastError as exc:
        log.warning("announcement of article %s not queued: %s", article.id, exc)
    return None


def _on_article_published(article, *, session: Session, staff) -> None:
    announce_on_publish(session, article, staff)


def connect() -> None:
    """Announce newly published articles (connecting twice is a no-op)."""
    signals.article_published.connect(_on_article_published)
