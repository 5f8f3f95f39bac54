"""Following sources and importing their videos; the caller commits."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from staff import audit
from videos import feed
from videos.models import Video, VideoSource

CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
PLAYLIST_ID = re.compile(r"^(?:PL|UU|FL|OL)[A-Za-z0-9_-]{10,62}$")


class VideoError(ValueError):
    """Bad input from staff; ``str(exc)`` is Japanese."""


def _clean_id(raw: str) -> str:
    """Staff may paste a whole channel or playlist address: keep the id."""
    text = (raw or "").strip()
    found = re.search(r"(?:channel/|list=)([A-Za-z0-9_-]+)", text)
    return found.group(1) if found else text


def add_source(session: Session, kind: str, raw_id: str, staff=None) -> VideoSource:
    external_id = _clean_id(raw_id)
    if kind == "channel" and not CHANNEL_ID.match(external_id):
        raise VideoError("チャンネルIDは「UC」で始まる24文字です（チャンネルのURLを貼り付けても構いません）")
    if kind == "playlist" and not PLAYLIST_ID.match(external_id):
        raise VideoError("再生リストIDは「PL」などで始まる英数字です（再生リストのURLを貼り付けても構いません）")
    if kind not in ("channel", "playlist"):
        raise VideoError("種類は「チャンネル」か「再生リスト」を選んでください")
    existing = session.scalar(select(VideoSource).where(VideoSource.kind == kind, VideoSource.external_id == external_id))
    if existing is not None:
        raise VideoError("この動画の取り込み先はすでに登録されています")
    source = VideoSource(kind=kind, external_id=external_id)
    session.add(source)
    session.flush()
    audit.record(session, staff, "video.source_add", "video_source", source.id, {"kind": kind, "id": external_id})
    return source


def remove_source(session: Session, source: VideoSource, staff=None) -> None:
    audit.record(session, staff, "video.source_remove", "video_source", source.id, {"id": source.external_id})
    session.delete(source)


def import_source(session: Session, config, source: VideoSource) -> int:
    """Read the source's feed (conditional GET) and add the videos we do not have; returns how many."""
    base = config.get("YOUTUBE_FEED_BASE_URL") or "https://www.youtube.com"
    source.checked_at = utcnow()
    try:
        result = feed.fetch(base, source.kind, source.external_id, source.etag, source.last_modified)
    except feed.FeedError as exc:
        source.last_error = str(exc)
        return 0
    source.last_error = None
    if result.not_modified:
        return 0
    source.etag, source.last_modified = result.etag, result.last_modified
    source.title = result.title or source.title
    known = set(session.scalars(select(Video.video_id).where(Video.video_id.in_([v.video_id for v in result.videos]))))
    added = 0
    for item in result.videos:
        if item.video_id in known:
            continue
        picture = feed.fetch_thumbnail(item.thumbnail_url, base) if item.thumbnail_url else None
        session.add(Video(video_id=item.video_id, source_id=source.id, title=item.title,
                          description=item.description, published_at=item.published_at,
                          thumbnail=picture[0] if picture else None, thumbnail_type=picture[1] if picture else None))
        known.add(item.video_id)
        added += 1
    return added


def import_all(session: Session, config) -> int:
    total = 0
    for source in session.scalars(select(VideoSource).order_by(VideoSource.id)).all():
        total += import_source(session, config, source)
        session.commit()  # one source's failure never loses another's videos
    return total


def recent_videos(session: Session, limit: int = 24, offset: int = 0) -> list[Video]:
    query = select(Video).order_by(Video.published_at.desc(), Video.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def find_video(session: Session, video_id: str) -> Video | None:
    return session.scalar(select(Video).where(Video.video_id == video_id))
