"""Followed YouTube channels/playlists and the videos imported from their feeds."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow


class VideoSource(Base):
    __tablename__ = "video_sources"
    __table_args__ = (UniqueConstraint("kind", "external_id", name="uq_video_sources_kind_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # channel | playlist
    external_id: Mapped[str] = mapped_column(String(64))  # UC… / PL…
    title: Mapped[str] = mapped_column(String(200), default="")
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    checked_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Video(Base):
    __tablename__ = "videos"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[str] = mapped_column(String(20), unique=True)  # YouTube's 11-character id
    source_id: Mapped[int | None] = mapped_column(ForeignKey("video_sources.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(index=True)
    # Stored here so visitors never request YouTube's image host (i.ytimg.com) themselves.
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)
    thumbnail_type: Mapped[str | None] = mapped_column(String(30))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    source: Mapped[VideoSource | None] = relationship()
