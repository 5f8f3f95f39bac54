"""Broadcast settings (/admin/broadcasts/settings): Discord channels per topic and
automatic announcements per category. Ward staff and administrators only."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from channels import registry
from content.models import CATEGORIES
from core.db import db
from notifications import routing
from notifications.topics import CATEGORY_TOPICS, TOPICS
from notifications.views import BROADCASTERS, bp
from staff import audit
from staff.auth import current_staff, staff_required


def _page(error: str | None = None, status: int = 200):
    session = db.session
    routes = routing.routes(session)
    return render_template(
        "admin/broadcasts/settings.html", error=error, topics=TOPICS, categories=CATEGORIES,
        category_topics=CATEGORY_TOPICS, routes=routes, rules=routing.announce_rules(session),
        default_route=routing.DEFAULT_ROUTE, channels=registry.names(current_app.config),
    ), status


@bp.get("/admin/broadcasts/settings")
@staff_required(*BROADCASTERS)
def broadcast_settings():
    return _page()[0]


def _save_routes(session, form) -> dict:
    saved = {}
    for topic in [routing.DEFAULT_ROUTE, *TOPICS]:
        channel = form.get(f"route_channel_{topic}", "")
        role = form.get(f"route_role_{topic}", "")
        route = routing.save_route(session, topic, channel, role)
        saved[topic] = {"channel_id": route.channel_id, "role_id": route.role_id} if route else None
    return saved


def _save_rules(session, form) -> dict:
    saved = {}
    for category in CATEGORIES:
        enabled = form.get(f"announce_{category}") == "1"
        channels = form.getlist(f"announce_channels_{category}")
        rule = routing.save_announce_rule(session, category, enabled, channels)
        saved[category] = {"enabled": rule.enabled, "channels": rule.channels}
    return saved


@bp.post("/admin/broadcasts/settings")
@staff_required(*BROADCASTERS)
def broadcast_settings_save():
    session = db.session
    try:
        details = {"discord_routes": _save_routes(session, request.form),
                   "announce_rules": _save_rules(session, request.form)}
    except routing.SettingsError as exc:
        session.rollback()
        return _page(error=str(exc), status=400)
    audit.record(session, current_staff(), "broadcast.settings", "broadcast_settings", None, details)
    session.commit()
    flash("配信設定を保存しました")
    return redirect(url_for(".broadcast_settings"))
