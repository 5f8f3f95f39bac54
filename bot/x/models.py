"""What the console must know about the X account: problems that switched it off."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class XProblem(Base):
    """X refused our token (401/403): the channel is off until staff mark it fixed."""

    __tablename__ = "x_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[int | None]  # HTTP status of X's answer
    detail: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="auth")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class XThreadPost(Base):
    """One part of a post or thread that X accepted, per outbox row (its retry key).

    Written the moment X answers, before the next part is sent: a retry (after a 429,
    a restart or a crash) continues after the last recorded part, replying to it,
    and never posts an earlier part again.
    """

    __tablename__ = "x_thread_posts"
    __table_args__ = (UniqueConstraint("retry_key", "part", name="uq_x_thread_posts_retry_key_part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retry_key: Mapped[str] = mapped_column(
        String(36), ForeignKey("broadcast_deliveries.retry_key", ondelete="CASCADE"), index=True)
    part: Mapped[int]  # 0 = the first post of the thread
    tweet_id: Mapped[str] = mapped_column(String(30))
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)
