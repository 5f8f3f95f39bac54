"""The ward's official X account as a channel: weighted counter, API v2 client, manual posting."""
from __future__ import annotations


def init_app(app) -> None:
    from bot.x import admin
    from staff import audit

    app.register_blueprint(admin.bp)  # /admin/x: manual posting and the account's problems
    audit.add_action_labels(app, admin.ACTION_LABELS)
