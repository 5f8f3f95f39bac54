"""Imported videos as entries of the public timeline (/posts), received through a signal."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from videos.models import Video

MAX_ENTRIES = 50


@dataclass(frozen=True)
class VideoEntry:
    video: Video
    sent_at: datetime
    timeline_template: str = "videos/_timeline_entry.html"


def entries(sender, session, older_than=None, newer_than=None, **_) -> list[VideoEntry]:
    query = select(Video).order_by(Video.published_at.desc()).limit(MAX_ENTRIES)
    if older_than is not None:
        query = query.where(Video.published_at >= older_than)
    if newer_than is not None:
        query = query.where(Video.published_at < newer_than)
    return [VideoEntry(video, video.published_at) for video in session.scalars(query)]
