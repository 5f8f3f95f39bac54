"""Broadcast settings (/admin/broadcasts/settings): Discord channels per topic and
automatic announcements per category. Ward staff and administrators only."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from channels import registry
from content.models import CATEGORIES
from core import signals
from core.db import db
from notifications import routing
from notifications.topics import CATEGORY_TOPICS, TOPICS
from notifications.views import BROADCASTERS, bp
from staff import audit
from staff.auth import current_staff, staff_required


def discord_choices(session):
    """The Discord server's channels and roles by name, from the Discord adapter (None without it)."""
    answers = signals.discord_choices_requested.send(current_app._get_current_object(), session=session)
    return next((answer for _, answer in answers if answer is not None), None)


def _page(error: str | None = None, status: int = 200, choices=None):
    session = db.session
    routes = routing.routes(session)
    return render_template(
        "admin/broadcasts/settings.html", error=error, topics=TOPICS, categories=CATEGORIES,
        category_topics=CATEGORY_TOPICS, routes=routes, rules=routing.announce_rules(session),
        default_route=routing.DEFAULT_ROUTE, channels=registry.names(current_app.config),
        discord=choices if choices is not None else discord_choices(session),
    ), status


@bp.get("/admin/broadcasts/settings")
@staff_required(*BROADCASTERS)
def broadcast_settings():
    return _page()[0]


def _topic_label(topic: str) -> str:
    return "既定" if topic == routing.DEFAULT_ROUTE else TOPICS.get(topic, topic)


def _check_choice(value: str, allowed: set[str], saved: str | None, what: str) -> None:
    """A picked channel/role must be in Discord's list, or be the one saved already."""
    value = (value or "").strip()
    if value and value != saved and value not in allowed:
        raise routing.SettingsError(f"{what}は一覧から選んでください")


def _save_routes(session, form, choices) -> dict:
    saved, current = {}, routing.routes(session)
    channels = choices.channel_ids() if choices is not None and choices.available else set()
    roles = choices.role_ids() if choices is not None and choices.available else set()
    for topic in [routing.DEFAULT_ROUTE, *TOPICS]:
        channel = form.get(f"route_channel_{topic}", "")
        role = form.get(f"route_role_{topic}", "")
        route = current.get(topic)
        _check_choice(channel, channels, route.channel_id if route else None, f"「{_topic_label(topic)}」の投稿チャンネル")
        _check_choice(role, roles, route.role_id if route else None, f"「{_topic_label(topic)}」で通知するロール")
        if role.strip() and not channel.strip():
            raise routing.SettingsError(f"「{_topic_label(topic)}」で通知するロールを選んだときは、投稿チャンネルも選んでください")
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
    choices = discord_choices(session)
    try:
        details = {"discord_routes": _save_routes(session, request.form, choices),
                   "announce_rules": _save_rules(session, request.form)}
    except routing.SettingsError as exc:
        session.rollback()
        return _page(error=str(exc), status=400, choices=choices)
    audit.record(session, current_staff(), "broadcast.settings", "broadcast_settings", None, details)
    session.commit()
    flash("配信設定を保存しました")
    return redirect(url_for(".broadcast_settings"))
