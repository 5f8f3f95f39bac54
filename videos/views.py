"""Public video pages (動画), stored thumbnails, and the click-to-load embed for articles.

No page requests anything from a video host before the visitor clicks: thumbnails are
served from our database, and the player (youtube-nocookie.com) is added by
web/static/js/video-facade.js only on click.
"""
from __future__ import annotations

import re

from flask import Blueprint, abort, make_response, render_template
from markupsafe import Markup, escape

from core.db import db
from core.pagination import requested_page
from videos import service

bp = Blueprint("videos", __name__)
PER_PAGE = 24
PLACEHOLDER = ('<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360" viewBox="0 0 480 360">'
               '<rect width="480" height="360" fill="#222"/></svg>')
_WATCH = r"https://(?:www\.youtube\.com/watch\?v=|youtu\.be/|www\.youtube-nocookie\.com/embed/)([A-Za-z0-9_-]{11})[^\s<\"]*"
# A paragraph holding only a YouTube address (plain or as its own link) becomes a player.
_ALONE = re.compile(rf"<p>\s*(?:<a href=\"{_WATCH}\"[^>]*>[^<]*</a>|{_WATCH})\s*</p>")


def facade(video_id: str, title: str = "") -> Markup:
    return Markup(render_template("videos/_facade.html", video_id=video_id, title=title))


def embed_videos(html) -> Markup:
    """Jinja filter for article bodies: YouTube addresses alone on a line → click-to-load player."""
    def replace(match: re.Match) -> str:
        video_id = match.group(1) or match.group(2)
        video = service.find_video(db.session, video_id)
        return str(facade(video_id, video.title if video else ""))

    return Markup(_ALONE.sub(replace, str(html if isinstance(html, Markup) else escape(html))))


def _cached(body, seconds: int = 300):
    response = make_response(body)
    response.cache_control.public = True
    response.cache_control.max_age = seconds
    return response


@bp.get("/videos")
def video_list():
    number = requested_page()
    rows = service.recent_videos(db.session, limit=PER_PAGE + 1, offset=(number - 1) * PER_PAGE)
    if number > 1 and not rows:
        abort(404)
    return _cached(render_template("videos/list.html", videos=rows[:PER_PAGE], page=number,
                                   has_next=len(rows) > PER_PAGE))


@bp.get("/videos/<video_id>")
def video_page(video_id: str):
    video = service.find_video(db.session, video_id)
    if video is None:
        abort(404)
    return _cached(render_template("videos/video.html", video=video))


@bp.get("/videos/<video_id>/thumbnail")
def thumbnail(video_id: str):
    video = service.find_video(db.session, video_id)
    if video is None or not video.thumbnail:
        response = _cached(PLACEHOLDER, 3600)
        response.mimetype = "image/svg+xml"
        return response
    response = _cached(video.thumbnail, 86400)
    response.mimetype = video.thumbnail_type or "image/jpeg"
    return response
