"""Subscribers (one model for every channel) and their topic subscriptions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.db import Base, utcnow

CHANNELS = ("line", "discord", "web")


class Subscriber(Base):
    """A person reachable on one channel (a LINE user, a Discord member...)."""

    __tablename__ = "subscribers"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_subscribers_channel_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    persona: Mapped[str | None] = mapped_column(String(20))
    # active | blocked (unfollowed on LINE: never targeted again until re-follow)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    inflow_source: Mapped[str | None] = mapped_column(String(50))
    followed_at: Mapped[datetime | None]
    unfollowed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    subscriptions: Mapped[list["Subscription"]] = relationship(
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
