"""What staff see before sending, and how a sent broadcast reads on the web.

Both use the same neutral ``Draft`` the channels render, so the LINE bubble
and the Discord embed in the console look like what subscribers receive.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.db import utcnow
from notifications import compose, routing
from notifications.forms import ComposerInput
from notifications.models import Broadcast
from notifications.quiet_hours import deliver_at
from notifications.reports import QuotaCheck, estimate_line_messages, quota_check
from notifications.topics import PERSONAS, TOPICS
from notifications.validation import CheckedRequest, check_request


@dataclass(frozen=True)
class Preview:
    content: compose.Draft
    discord: dict | None
    checked: CheckedRequest
    quota: QuotaCheck | None  # None when LINE is not among the channels
    discord_targets: list[routing.DiscordTarget]
    send_at: datetime
    deferred: bool  # quiet hours move the start


def build_preview(session: Session, config, data: ComposerInput, article) -> Preview:
    """Validate the form like a real send, then render every channel (nothing is written)."""
    data.check_audience()
    checked = check_request(session, config, article=article, text=data.text, topics=data.audience_topics,
                            personas=data.personas, channels=data.channels, at=data.scheduled_at(),
                            unit=data.unit or None)
    content = compose.draft(config, checked.text, article)
    planned = checked.at or utcnow()
    send_at = deliver_at(config, planned, data.urgent)
    quota = None
    if "line" in checked.channels:
        quota = quota_check(config, estimate_line_messages(session, checked.topics, checked.personas))
    return Preview(
        content=content,
        discord=compose.discord_payload(content) if "discord" in checked.channels else None,
        checked=checked, quota=quota,
        discord_targets=routing.discord_targets(session, checked.topics) if "discord" in checked.channels else [],
        send_at=send_at, deferred=send_at > planned,
    )


def audience_label(topics: list[str], personas: list[str]) -> str:
    who = "、".join(TOPICS.get(t, t) for t in topics) if topics else "全員"
    if personas:
        who += "（" + "・".join(PERSONAS.get(p, p) for p in personas) + "）"
    return who


@dataclass(frozen=True)
class PostView:
    """A broadcast as the public timeline and the article page show it."""

    id: int
    title: str
    content: compose.Draft
    sent_at: datetime | None
    channels: list[str]
    article_url: str | None


def post_view(config, broadcast: Broadcast) -> PostView:
    article = broadcast.article if broadcast.article is not None and broadcast.article.is_public else None
    content = compose.draft(config, broadcast.text, article)
    if broadcast.article is not None and article is None:
        content = compose.Draft(title=broadcast.title, text=broadcast.text, card=None)  # taken down since
    return PostView(
        id=broadcast.id, title=broadcast.title, content=content, sent_at=broadcast.started_at,
        channels=[c for c in broadcast.channels if c != "web"],
        article_url=content.card.url if content.card else None,
    )
