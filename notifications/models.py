"""Subscribers (one model for every channel) and their topic subscriptions."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow

if TYPE_CHECKING:
    from content.models import Article
    from staff.models import StaffUser

class Subscriber(Base):
    """A person reachable on one channel (a LINE user, a Discord member...)."""

    __tablename__ = "subscribers"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_subscribers_channel_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    persona: Mapped[str | None] = mapped_column(String(20))
    child_stage: Mapped[str | None] = mapped_column(String(20))  # parents: the child's school stage
    quiet_pref: Mapped[str | None] = mapped_column(String(20))  # None = the service's quiet hours
    # active | blocked (unfollowed on LINE: never targeted again until re-follow)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    inflow_source: Mapped[str | None] = mapped_column(String(50))
    followed_at: Mapped[datetime | None]
    unfollowed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan"
    )

    @property
    def topics(self) -> set[str]:
        return {s.topic for s in self.subscriptions}


class Subscription(Base):
    __tablename__ = "subscriptions"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions")


# --- broadcasting -------------------------------------------------------------------

BROADCAST_STATUSES = ("draft", "returned", "awaiting_approval", "queued", "sending", "done", "cancelled", "failed", "stopped")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "stopped", "cancelled")


class Broadcast(Base):
    """One message to many (kind "broadcast") or a small system push (kind "push").

    A broadcast with "web" among its channels is also the web post shown on
    /posts and on the related article page.
    """

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_status_send_at", "status", "send_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="broadcast")
    origin: Mapped[str] = mapped_column(String(20), default="console")  # console, cli, auto, push
    reason: Mapped[str] = mapped_column(String(100), default="")  # why a push was sent
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty = everyone
    personas: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty = every persona
    urgent: Mapped[bool] = mapped_column(default=False)
    web_post: Mapped[bool] = mapped_column(default=False)  # "web" in channels: shown on /posts
    scheduled_at: Mapped[datetime | None]  # what staff asked for (None = now)
    send_at: Mapped[datetime]  # when the worker may start (after quiet hours unless urgent)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    aggregation_unit: Mapped[str] = mapped_column(String(30))
    # Each channel's rendering, keyed by channel name, shared by all of that channel's outbox rows.
    payloads: Mapped[dict | None] = mapped_column(JSON)
    # Composer options the channels read when rendering, e.g. {"thread": true} (split into an X thread).
    options: Mapped[dict | None] = mapped_column(JSON)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    # Before 0010 each channel had a column; read by nothing now, kept because migrations only add.
    line_payload: Mapped[list | None] = mapped_column(JSON)
    discord_payload: Mapped[dict | None] = mapped_column(JSON)
    recipient_count: Mapped[int] = mapped_column(default=0)
    stop_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    article: Mapped[Article | None] = relationship()
    created_by: Mapped[StaffUser | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[StaffUser | None] = relationship(foreign_keys=[approved_by_id])


class BroadcastComment(Base):
    """One message in a broadcast draft's review thread (委託事業者 ↔ 区職員)."""

    __tablename__ = "broadcast_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10), default="comment")  # comment | sendback | resubmit | approve
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BroadcastDelivery(Base):
    """The outbox: one row per LINE chunk (≤ 500 recipients), Discord channel or web post.

    ``retry_key`` is generated when the row is inserted, i.e. before the first
    attempt, and reused on every retry, so LINE (X-Line-Retry-Key) and Discord
    (enforced nonce) can recognise a replay after a crash or a lost answer.
    """

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (
        Index("ix_broadcast_deliveries_claim", "status", "next_attempt_at"),
        Index("ix_broadcast_deliveries_broadcast", "broadcast_id", "channel", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    seq: Mapped[int] = mapped_column(default=0)
    target: Mapped[str | None] = mapped_column(String(100))  # Discord channel id
    mention: Mapped[str | None] = mapped_column(String(100))  # Discord role id to ping
    # Audience segment ("persona:student", "discord:<channel>"): its own message variant and links.
    segment: Mapped[str | None] = mapped_column(String(60))
    recipients: Mapped[list[str] | None] = mapped_column(JSON)  # LINE user ids of this chunk
    recipient_count: Mapped[int] = mapped_column(default=0)
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_status: Mapped[int | None]  # HTTP status of the last answer
    last_error: Mapped[str | None] = mapped_column(Text)
    external_ref: Mapped[str | None] = mapped_column(String(100))  # LINE request id / Discord message id
    sent_at: Mapped[datetime | None]


class DiscordRoute(Base):
    """Where broadcasts of a topic go on Discord; topic "*" is the default channel."""

    __tablename__ = "discord_routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(30), unique=True)
    channel_id: Mapped[str] = mapped_column(String(30))
    role_id: Mapped[str | None] = mapped_column(String(30))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AnnounceRule(Base):
    """Per article category: announce automatically on publish, and on which channels."""

    __tablename__ = "announce_rules"

    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AnnounceDecision(Base):
    """What staff chose after publishing (or scheduling) an article: send / skip / send at a time.

    For an article published later by the worker, the choice waits here until it goes
    public; without a choice the category's rule (AnnounceRule) decides.
    """

    __tablename__ = "announce_decisions"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    decision: Mapped[str] = mapped_column(String(10))  # send | skip | later
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    send_at: Mapped[datetime | None]  # "later": when the announcement goes out
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id", ondelete="SET NULL"))
    applied_at: Mapped[datetime | None]  # the article went public and the choice was carried out
