"""Subscriptions, topics, broadcasts and their delivery to every channel."""
from __future__ import annotations


def init_app(app) -> None:
    from notifications import announce, views
    from staff import audit

    audit.add_action_labels(app, {"broadcast.approve": "配信の承認", "broadcast.sendback": "配信の下書きの差し戻し",
                                  "broadcast.resubmit": "配信の下書きの再依頼", "broadcast.comment": "配信の下書きへのコメント",
                                  "broadcast.cancel": "配信の取り消し"})

    app.register_blueprint(views.bp)  # /admin/broadcasts console + public /posts
    announce.connect()
    from notifications.views_drafts import waiting_drafts
    from staff.navigation import add_waiting_source

    add_waiting_source(app, waiting_drafts)
