"""Tables of the Discord adapter: server settings, problems staff must fix, scheduled events.

Which channel a topic is announced in and which role it pings are broadcast
settings (``notifications.models.DiscordRoute``, edited under 配信設定); the
tables here hold only what the bot itself needs.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow

SETTINGS_ID = 1  # one community server per installation


class DiscordSettings(Base):
    """The community server: where welcomes go and which announcement extras are on."""

    __tablename__ = "discord_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[str | None] = mapped_column(String(30))
    welcome_channel_id: Mapped[str | None] = mapped_column(String(30))
    crosspost: Mapped[bool] = mapped_column(default=True)  # publish posts in announcement channels
    feature_threads: Mapped[bool] = mapped_column(default=True)  # a discussion thread per feature article
    scheduled_events: Mapped[bool] = mapped_column(default=True)  # tours/workshops as Discord events
    last_ready_at: Mapped[datetime | None]  # the bot's last gateway (re)connection
    commands_synced_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DiscordProblem(Base):
    """Something the bot could not do (mostly a missing permission), shown to staff.

    One row per action and target: a failure that repeats only counts up, so a
    misconfigured channel never floods the table (or the log) in a loop.
    """

    __tablename__ = "discord_problems"
    __table_args__ = (UniqueConstraint("action", "target_id", name="uq_discord_problems_action_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(40))  # welcome, role, crosspost, thread, scheduled_event...
    target_id: Mapped[str] = mapped_column(String(40))  # channel, role or guild id
    status: Mapped[int | None]  # HTTP status Discord answered
    code: Mapped[int | None]  # Discord JSON error code (50013 Missing Permissions...)
    detail: Mapped[str] = mapped_column(Text, default="")
    count: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class DiscordScheduledEvent(Base):
    """A tour or workshop published as a Discord scheduled event (one per event)."""

    __tablename__ = "discord_scheduled_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    guild_id: Mapped[str] = mapped_column(String(30))
    discord_event_id: Mapped[str] = mapped_column(String(30))
    content_hash: Mapped[str] = mapped_column(String(64))  # what was sent, to update only on change
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
