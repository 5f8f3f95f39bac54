"""The public timeline of broadcasts (/posts): what went out on LINE and Discord,
drawn like the messages themselves, and one page per post."""
from __future__ import annotations

from flask import abort, current_app, make_response, render_template

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


@bp.get("/posts")
def posts():
    number = requested_page()
    rows = timeline.posts(db.session, limit=PER_PAGE + 1, offset=(number - 1) * PER_PAGE)
    if number > 1 and not rows:
        abort(404)
    config = current_app.config
    items = [preview.post_view(config, b) for b in rows[:PER_PAGE]]
    return _cached(render_template("notifications/posts.html", posts=items, page=number,
                                   has_next=len(rows) > PER_PAGE))


@bp.get("/posts/<int:post_id>")
def post(post_id: int):
    broadcast = timeline.post(db.session, post_id)
    if broadcast is None:
        abort(404)
    return _cached(render_template("notifications/post.html", post=preview.post_view(current_app.config, broadcast)))
