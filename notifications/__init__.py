"""Subscriptions, topics, broadcasts and their delivery to every channel."""
from __future__ import annotations


def init_app(app) -> None:
    from notifications import announce, views

    app.register_blueprint(views.bp)  # /admin/broadcasts console + public /posts
    announce.connect()
