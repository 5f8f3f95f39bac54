"""Tables of the LINE adapter: a channel-neutral job queue, deployed rich menus and LIFF apps."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow

JOB_STATUSES = ("pending", "processing", "done", "failed", "skipped")


class BotJob(Base):
    """One unit of bot work, persisted before the webhook answers 200.

    Webhook events, and follow-up tasks such as linking a rich menu, wait here
    until the worker claims them. ``dedup_key`` (e.g. LINE's webhookEventId)
    is unique per channel so a redelivered event is stored only once; rows are
    kept for a week after they finish so redeliveries stay recognisable.
    ``result`` keeps the rendered answer: a retry after a failed send resends
    it instead of running the conversation (and its side effects) again.
    Any channel can use this table; ``channel`` + ``kind`` pick the handler.
    """

    __tablename__ = "bot_jobs"
    __table_args__ = (
        UniqueConstraint("channel", "dedup_key", name="uq_bot_jobs_channel_dedup_key"),
        Index("ix_bot_jobs_status_run_after", "status", "run_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    dedup_key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    result: Mapped[dict | None] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]


class LineRichMenu(Base):
    """The rich menu currently deployed for one menu key of richmenus.yaml."""

    __tablename__ = "line_rich_menus"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    rich_menu_id: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64))
    alias_id: Mapped[str | None] = mapped_column(String(32))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LiffApp(Base):
    """A LIFF app deployed by ``monozukuri line liff deploy`` (key from bot/line/liff_apps.py)."""

    __tablename__ = "line_liff_apps"

    key: Mapped[str] = mapped_column(String(30), primary_key=True)
    liff_id: Mapped[str] = mapped_column(String(100))
    endpoint_url: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiffNonce(Base):
    """A nonce handed to one LIFF page load; the ID token sent back must carry it, once."""

    __tablename__ = "liff_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    used_at: Mapped[datetime | None]
