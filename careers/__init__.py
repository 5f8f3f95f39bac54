"""Careers: company pages, openings, contact requests to the ward, and outcomes (応募・内定・就職)."""
from __future__ import annotations


def init_app(app) -> None:
    from careers import admin, views
    from staff.audit import add_action_labels

    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    add_action_labels(app, admin.ACTION_LABELS)
    app.add_template_global(admin.attendee_panel, "career_attendee_panel")  # the events page's attendee list
