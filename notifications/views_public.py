"""The public timeline of broadcasts (/posts): what went out on LINE and Discord,
drawn like the messages themselves, and one page per post."""
from __future__ import annotations

from flask import abort, current_app, make_response, render_template

from core import signals
from core.db import db
from core.pagination import requested_page
from notifications import preview, timeline
from notifications.views import bp

PER_PAGE = 20
PUBLIC_MAX_AGE = 60


def _cached(body):
    response = make_response(body)
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    return response


def _other_entries(newer_than, older_than) -> list:
    """Entries other domains add to the timeline (videos...), in this page's date window."""
    results = signals.timeline_requested.send(current_app._get_current_object(), session=db.session,
                                              older_than=older_than, newer_than=newer_than)
    return [entry for _, entries in results for entry in (entries or [])]


@bp.get("/posts")
def posts():
    number = requested_page()
    start = (number - 1) * PER_PAGE
    before = 1 if start else 0  # the last post of the previous page bounds this page's window
    rows = timeline.posts(db.session, limit=PER_PAGE + 1 + before, offset=start - before)
    newer_than = rows[0].started_at if before and rows else None
    rows = rows[before:]
    if number > 1 and not rows:
        abort(404)
    config = current_app.config
    has_next = len(rows) > PER_PAGE
    items = [preview.post_view(config, b) for b in rows[:PER_PAGE]]
    older_than = items[-1].sent_at if has_next else None
    entries = sorted(items + _other_entries(newer_than, older_than), key=lambda e: _naive(e.sent_at), reverse=True)
    return _cached(render_template("notifications/posts.html", posts=entries, page=number, has_next=has_next))


def _naive(moment):
    return moment.replace(tzinfo=None) if moment is not None and moment.tzinfo else moment


@bp.get("/posts/<int:post_id>")
def post(post_id: int):
    broadcast = timeline.post(db.session, post_id)
    if broadcast is None:
        abort(404)
    return _cached(render_template("notifications/post.html", post=preview.post_view(current_app.config, broadcast)))
