"""A local stand-in for YouTube's public Atom feeds (/feeds/videos.xml?channel_id=… or playlist_id=…).

It answers like YouTube: Atom with yt:videoId and media:group (title, thumbnail,
description), ETag and Last-Modified, 304 to a matching conditional GET, 404 for an
unknown id. It also serves the thumbnails the feed points at (/vi/<id>/hqdefault.jpg).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request

from standins.http_standin import RecordedCall, Reply, StandinServer

# The smallest valid JPEG (1×1 pixel), as a thumbnail.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c"
    "20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f000001050101010101010000"
    "0000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191"
    "a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a"
    "737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8"
    "d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9")


@dataclass
class FeedVideo:
    video_id: str
    title: str
    description: str
    published: datetime


class YouTubeFeedStandin(StandinServer):
    def __init__(self) -> None:
        super().__init__()
        self.feeds: dict[str, list[FeedVideo]] = {}  # channel or playlist id → videos, newest first
        self.changed_at = datetime(2026, 12, 1, tzinfo=UTC)

    def add_video(self, feed_id: str, video_id: str, title: str, description: str, published: datetime) -> None:
        self.feeds.setdefault(feed_id, []).insert(0, FeedVideo(video_id, title, description, published))
        self.changed_at = max(self.changed_at, published)

    def etag(self, feed_id: str) -> str:
        return f'"{feed_id}-{len(self.feeds.get(feed_id, []))}"'

    def handle(self, request: Request, call: RecordedCall) -> Reply:
        if call.path.startswith("/vi/"):
            return Reply(200, JPEG, content_type="image/jpeg")
        if call.path != "/feeds/videos.xml" or request.method != "GET":
            return Reply(404, b"Not Found", content_type="text/html")
        feed_id = request.args.get("channel_id") or request.args.get("playlist_id") or ""
        if feed_id not in self.feeds:
            return Reply(404, b"Not Found", content_type="text/html")
        headers = {"ETag": self.etag(feed_id), "Last-Modified": format_datetime(self.changed_at, usegmt=True)}
        if request.headers.get("If-None-Match") == headers["ETag"]:
            return Reply(304, None, headers=headers)
        return Reply(200, self._atom(feed_id).encode(), headers=headers, content_type="application/atom+xml")

    def _atom(self, feed_id: str) -> str:
        entries = "".join(self._entry(v) for v in self.feeds[feed_id])
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
                'xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">'
                f'<id>yt:channel:{feed_id}</id><yt:channelId>{feed_id}</yt:channelId>'
                '<title>大田区公式チャンネル</title>'
                f'<published>2020-01-01T00:00:00+00:00</published>{entries}</feed>')

    def _entry(self, video: FeedVideo) -> str:
        when = video.published.isoformat()
        return (f'<entry><id>yt:video:{video.video_id}</id><yt:videoId>{video.video_id}</yt:videoId>'
                f'<title>{escape(video.title)}</title>'
                f'<link rel="alternate" href="https://www.youtube.com/watch?v={video.video_id}"/>'
                f'<published>{when}</published><updated>{when}</updated>'
                f'<media:group><media:title>{escape(video.title)}</media:title>'
                f'<media:content url="https://www.youtube.com/v/{video.video_id}" type="application/x-shockwave-flash" width="640" height="390"/>'
                f'<media:thumbnail url="{self.base_url}/vi/{video.video_id}/hqdefault.jpg" width="480" height="360"/>'
                f'<media:description>{escape(video.description)}</media:description></media:group></entry>')
