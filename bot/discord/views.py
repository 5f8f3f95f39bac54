"""Staff console page /admin/discord: server settings and the problems the bot met.

Ward staff and administrators only. The topic → channel/role table itself is
edited under 配信設定 (it drives the announcements); it is shown here read-only
so staff see in one place what ``/subscribe`` gives and where posts go.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from bot.discord import directory, problems, settings
from core.db import db
from notifications.topics import TOPICS
from staff import audit
from staff.auth import current_staff, staff_required

bp = Blueprint("discord_admin", __name__, url_prefix="/admin/discord")
ROLES = ("ward",)  # administrators pass every check
ACTION_LABELS = {"discord.settings": "Discord設定の変更", "discord.problem_resolved": "Discordの問題を対応済みに"}


def _page(error: str | None = None, form: settings.SettingsForm | None = None, status: int = 200,
          choices: directory.Directory | None = None):
    session = db.session
    current = settings.load(session)
    if choices is None:
        choices = directory.load(current_app.config, current.guild_id)
    return render_template(
        "admin/discord/index.html", error=error, current=current, form=form, topics=TOPICS,
        roles=settings.topic_roles(session), channels=settings.topic_channels(session),
        problems=problems.open_problems(session), resolved=problems.recent_resolved(session),
        action_label=problems.action_label, choices=choices, target_label=_target_label(choices),
    ), status


def _target_label(choices: directory.Directory):
    """What a problem was about, by name (「#お知らせ」, 「@見学会」, the server), never an id."""
    def label(target_id: str) -> str:
        for found in (choices.channels, choices.roles, choices.guilds):
            name = next((c.label for c in found if c.id == target_id), None)
            if name:
                return name
        return ""
    return label


@bp.get("/")
@staff_required(*ROLES)
def index():
    return _page()[0]


def _form() -> settings.SettingsForm:
    data = request.form
    return settings.SettingsForm(
        guild_id=data.get("guild_id", "")[:40], welcome_channel_id=data.get("welcome_channel_id", "")[:40],
        crosspost=data.get("crosspost") == "1", feature_threads=data.get("feature_threads") == "1",
        scheduled_events=data.get("scheduled_events") == "1",
    )


@bp.post("/")
@staff_required(*ROLES)
def save():
    session, form = db.session, _form()
    choices = directory.load(current_app.config, form.guild_id.strip() or None)
    try:
        row, note = settings.save(session, form, choices)
    except settings.SettingsError as exc:
        session.rollback()
        return _page(error=str(exc), form=form, status=400)
    audit.record(session, current_staff(), "discord.settings", "discord_settings", row.id, {
        "guild_id": row.guild_id, "welcome_channel_id": row.welcome_channel_id, "crosspost": row.crosspost,
        "feature_threads": row.feature_threads, "scheduled_events": row.scheduled_events})
    session.commit()
    flash("Discordの設定を保存しました")
    if note:
        flash(note)
    return redirect(url_for(".index"))


@bp.post("/problems/<int:problem_id>/resolve")
@staff_required(*ROLES)
def resolve(problem_id: int):
    session = db.session
    problem = problems.resolve(session, problem_id) if problem_id < 2**31 else None
    if problem is None:
        flash("その問題は見つかりませんでした")
        return redirect(url_for(".index"))
    audit.record(session, current_staff(), "discord.problem_resolved", "discord_problem", problem.id,
                 {"action": problem.action, "target_id": problem.target_id})
    session.commit()
    flash("対応済みにしました。同じ問題がまた起きると、ここに再び表示されます")
    return redirect(url_for(".index"))


def register(app) -> None:
    """The blueprint plus the audit log's Japanese names for our actions."""
    audit.add_action_labels(app, ACTION_LABELS)
    app.register_blueprint(bp)
