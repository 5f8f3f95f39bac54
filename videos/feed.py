"""Reading one YouTube Atom feed: conditional GET (ETag / Last-Modified), parsed with feedparser."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

# feedparser and requests are imported by the calls that read a feed (the worker, a console check):
# web pages import this module, and the two cost ~25 MB in every process that loads them.

VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
MAX_THUMBNAIL_BYTES = 2_000_000


@dataclass(frozen=True)
class FeedVideo:
    video_id: str
    title: str
    description: str
    published_at: datetime
    thumbnail_url: str | None


@dataclass(frozen=True)
class FeedResult:
    not_modified: bool
    title: str
    videos: list[FeedVideo]
    etag: str | None
    last_modified: str | None


class FeedError(Exception):
    """The feed could not be read; ``str(exc)`` is Japanese, shown to staff."""


def feed_url(base_url: str, kind: str, external_id: str) -> str:
    key = "channel_id" if kind == "channel" else "playlist_id"
    return f"{base_url.rstrip('/')}/feeds/videos.xml?{key}={external_id}"


def _published(entry) -> datetime:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6], tzinfo=UTC) if parsed else datetime.now(UTC)


def _video(entry) -> FeedVideo | None:
    video_id = entry.get("yt_videoid") or ""
    if not VIDEO_ID.match(video_id):
        return None
    thumbnails = entry.get("media_thumbnail") or []
    group = entry.get("media_group") or {}
    description = entry.get("media_description") or (group.get("media_description") if isinstance(group, dict) else "")
    return FeedVideo(video_id=video_id, title=(entry.get("title") or "").strip()[:300] or video_id,
                     description=(description or entry.get("summary") or "").strip(),
                     published_at=_published(entry),
                     thumbnail_url=thumbnails[0].get("url") if thumbnails else None)


def fetch(base_url: str, kind: str, external_id: str, etag: str | None, last_modified: str | None,
          timeout: float = 20.0) -> FeedResult:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    import feedparser
    import requests

    try:
        response = requests.get(feed_url(base_url, kind, external_id), headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        raise FeedError(f"YouTubeのフィードを読み込めませんでした（{type(exc).__name__}）") from exc
    if response.status_code == 304:
        return FeedResult(True, "", [], etag, last_modified)
    if response.status_code == 404:
        raise FeedError("YouTubeに見つかりません。チャンネルIDまたは再生リストIDを確認してください")
    if response.status_code != 200:
        raise FeedError(f"YouTubeのフィードを読み込めませんでした（HTTP {response.status_code}）")
    parsed = feedparser.parse(response.content)
    if parsed.bozo and not parsed.entries:
        raise FeedError("YouTubeのフィードの形式が読み取れませんでした")
    videos = [video for video in map(_video, parsed.entries) if video is not None]
    return FeedResult(False, (parsed.feed.get("title") or "").strip()[:200], videos,
                      response.headers.get("ETag"), response.headers.get("Last-Modified"))


def thumbnail_allowed(url: str, base_url: str) -> bool:
    """Only YouTube's image hosts (or, in tests, the feed host itself): never an arbitrary address."""
    host = urlsplit(url).hostname or ""
    return urlsplit(url).scheme in ("http", "https") and (
        host == "i.ytimg.com" or host.endswith(".ytimg.com") or host == urlsplit(base_url).hostname)


def fetch_thumbnail(url: str, base_url: str, timeout: float = 20.0) -> tuple[bytes, str] | None:
    if not thumbnail_allowed(url, base_url):
        return None
    import requests

    try:
        response = requests.get(url, timeout=timeout)
    except requests.RequestException:
        return None
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    if response.status_code != 200 or kind not in ("image/jpeg", "image/png", "image/webp"):
        return None
    return (response.content, kind) if len(response.content) <= MAX_THUMBNAIL_BYTES else None
