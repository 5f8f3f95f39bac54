"""Subscriptions, topics, broadcasts and their delivery to every channel."""
from __future__ import annotations


def init_app(app) -> None:
    from notifications import announce, views
    from staff import audit

    audit.add_action_labels(app, {"broadcast.approve": "配信の承認"})

    app.register_blueprint(views.bp)  # /admin/broadcasts console + public /posts
    announce.connect()
    from notifications.views_drafts import waiting_drafts
    from staff.navigation import add_waiting_source

    add_waiting_source(app, waiting_drafts)
