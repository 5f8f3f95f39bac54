"""Company tours and children's workshops: registration, capacity, waitlist, check-in."""
from __future__ import annotations


def init_app(app) -> None:
    from events import signals, web
    from events.staff import ACTION_LABELS
    from staff import audit

    web.register_blueprints(app)  # /events/<id> + registration, /registrations/<token>, /admin/events
    signals.connect()
    audit.add_action_labels(app, ACTION_LABELS)
