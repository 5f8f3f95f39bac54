"""What staff see before sending, and how a sent broadcast reads on the web.

Both use the same neutral ``Draft`` the channels render, so the LINE bubble
and the Discord embed in the console look like what subscribers receive.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from channels import registry
from channels.base import ChannelPreview
from core.db import utcnow
from notifications import compose
from notifications.forms import ComposerInput
from notifications.models import Broadcast, BroadcastDelivery
from notifications.quiet_hours import deliver_at
from notifications.topics import PERSONAS, TOPICS
from notifications.validation import CheckedRequest, check_request


@dataclass(frozen=True)
class Preview:
    content: compose.Draft
    checked: CheckedRequest
    channels: list[ChannelPreview]  # one per chosen channel, in registry order
    send_at: datetime
    deferred: bool  # quiet hours move the start

    @property
    def warnings(self) -> list[str]:
        return [warning for channel in self.channels for warning in channel.warnings]


def build_preview(session: Session, config, data: ComposerInput, article, shared: dict | None = None) -> Preview:
    """Validate the form like a real send, then render every channel (nothing is written)."""
    data.check_audience()
    checked = check_request(session, config, article=article, text=data.text, topics=data.audience_topics,
                            personas=data.personas, channels=data.channels, at=data.scheduled_at(),
                            unit=data.unit or None, thread=data.thread, shared=shared)
    content = compose.draft(config, checked.text, article, thread=data.thread, shared=shared)
    planned = checked.at or utcnow()
    send_at = deliver_at(config, planned, data.urgent)
    previews = [channel.preview(session, config, content, checked.topics, checked.personas)
                for channel in registry.all_channels(config) if channel.name in checked.channels]
    return Preview(content=content, checked=checked, channels=previews, send_at=send_at, deferred=send_at > planned)


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
    links: tuple[tuple[str, str], ...] = ()  # (channel label, address of the post there), e.g. on X


def _posted_links(config, broadcast: Broadcast) -> tuple[tuple[str, str], ...]:
    """Where the post can be seen on other public platforms (from the outbox's external refs)."""
    session = object_session(broadcast)
    if session is None:
        return ()
    rows = session.execute(
        select(BroadcastDelivery.channel, BroadcastDelivery.external_ref)
        .where(BroadcastDelivery.broadcast_id == broadcast.id, BroadcastDelivery.status == "sent",
               BroadcastDelivery.external_ref.is_not(None))
        .order_by(BroadcastDelivery.seq)
    ).all()
    links = []
    for name, ref in rows:
        channel = registry.get(name, config) if name in registry.names(config) else None
        url = channel.post_url(config, ref) if channel is not None else None
        if url and (channel.label, url) not in links:
            links.append((channel.label, url))
    return tuple(links)


def post_view(config, broadcast: Broadcast) -> PostView:
    article = broadcast.article if broadcast.article is not None and broadcast.article.is_public else None
    content = compose.draft(config, broadcast.text, article, shared=(broadcast.options or {}).get("card"))
    if broadcast.article is not None and article is None:
        content = compose.Draft(title=broadcast.title, text=broadcast.text, card=None)  # taken down since
    return PostView(
        id=broadcast.id, title=broadcast.title, content=content, sent_at=broadcast.started_at,
        channels=[c for c in broadcast.channels if not registry.get(c, config).public] or ["web"],
        article_url=content.card.url if content.card else None, links=_posted_links(config, broadcast),
    )
