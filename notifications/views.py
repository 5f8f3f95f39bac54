"""Broadcast console (/admin/broadcasts) and the public timeline (/posts).

Ward staff (区職員) and administrators may broadcast; contractors may not.
Views are thin: parse → service → render. Every write is audited by the service.
"""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from channels import registry
from core.db import db
from messages.colours import label_colour
from notifications import forms, preview, reports, service, validation
from notifications.topics import PERSONAS, TOPICS
from staff.auth import current_staff, staff_required

bp = Blueprint("notifications", __name__)
BROADCASTERS = ("ward",)  # "admin" passes every role check
# Why a system push went out, in staff's words (never the raw key).
PUSH_REASON_LABELS = {"workshop_alert": "子ども向け体験教室のお知らせ", "event_offer": "キャンセル待ちの繰り上げ",
                      "event_reminder": "イベントの前日・直前のご案内", "event_thanks": "参加のお礼"}


def channel_labels() -> dict[str, str]:
    return registry.labels(current_app.config)


def _chip_class(label: str) -> str:
    """The CSS class carrying the label's colour (static/css/broadcasts.css); no inline style needed."""
    return "bc-colour-" + label_colour(label).lstrip("#").lower()


def article_broadcast_posts(article) -> list[preview.PostView]:
    """For the article page partial (notifications/_posts.html)."""
    from notifications import timeline

    rows = timeline.for_article(db.session, article.id)
    return [preview.post_view(current_app.config, b) for b in rows]


# Globals rather than a context processor: imported macro files see them too.
bp.add_app_template_global(_chip_class, "broadcast_chip_class")
bp.add_app_template_global(service.status_label, "broadcast_status_label")
bp.app_context_processor(lambda: {"broadcast_channel_labels": channel_labels()})
bp.add_app_template_global(article_broadcast_posts, "article_broadcast_posts")


@bp.get("/admin/broadcasts")
@staff_required(*BROADCASTERS)
def broadcast_list():
    items = service.recent_broadcasts(db.session)
    return render_template("admin/broadcasts/list.html", items=items, audience_label=preview.audience_label,
                           push_reason_labels=PUSH_REASON_LABELS)


def _composer_page(data: forms.ComposerInput, *, result=None, error: str | None = None, status: int = 200,
                   quota_choices: dict | None = None, shared: dict | None = None):
    session = db.session
    context = dict(
        quota_choices=quota_choices, shared=shared,
        data=data, preview=result, error=error, topics=TOPICS, personas=PERSONAS,
        channels=registry.names(current_app.config),
        articles=forms.article_choices(session),
        available=validation.available_channels(session, current_app.config, data.audience_topics),
    )
    return render_template("admin/broadcasts/new.html", **context), status


@bp.get("/admin/broadcasts/new")
@staff_required(*BROADCASTERS)
def composer():
    session, config = db.session, current_app.config
    available = validation.default_channels(session, config, [])
    data = forms.ComposerInput(channels=available, article_slug=request.args.get("article", "")[:120],
                               card=request.args.get("card", "").strip()[:80])
    try:
        shared = forms.find_shared(session, data.card)
    except validation.BroadcastError as exc:
        data.card = ""
        return _composer_page(data, error=str(exc), status=404)
    if shared:
        # 「LINE・Discordでお知らせ」: the page (a video) is on the web timeline already.
        data.channels = [name for name in available if not registry.get(name, config).public]
    return _composer_page(data, shared=shared)


@bp.post("/admin/broadcasts/new")
@staff_required(*BROADCASTERS)
def composer_submit():
    session, config = db.session, current_app.config
    data = forms.ComposerInput.from_form(request.form)
    shared = None
    try:
        article = forms.find_article(session, data.article_slug)
        shared = forms.find_shared(session, data.card)
        if request.form.get("action") != "send" and "quota_choice" not in request.form:
            return _composer_page(data, result=preview.build_preview(session, config, data, article, shared),
                                  shared=shared)
        data.check_audience()
        at, stop = _quota_decision(session, config, data, shared)
        if stop is not None:
            return stop
        broadcast = service.create_broadcast(
            session, article=article, text=data.text, topics=data.audience_topics, personas=data.personas,
            channels=data.channels, at=at, urgent=data.urgent, staff=current_staff(),
            unit=data.unit or None, config=config, thread=data.thread, shared=shared,
        )
    except validation.BroadcastError as exc:
        session.rollback()
        return _composer_page(data, error=str(exc), status=400, shared=shared)
    session.commit()
    if broadcast.status == "awaiting_approval":
        flash(f"配信 #{broadcast.id} を受け付けました。区の承認後に配信されます（承認待ち）")
    else:
        flash(f"配信 #{broadcast.id} を受け付けました（配信開始: {_when(broadcast)}）")
    return redirect(url_for(".broadcast_detail", broadcast_id=broadcast.id))


def _quota_decision(session, config, data: forms.ComposerInput, shared: dict | None = None):
    """(send time, None) to go ahead, or (None, page) when the LINE quota stops the send first."""
    from notifications import quota_gate

    at = data.scheduled_at()
    choice = request.form.get("quota_choice", "")
    check = quota_gate.over_quota(session, config, data.channels, data.audience_topics, data.personas)
    if check is None or choice == "part":
        return at, None
    if choice == "wait":
        return quota_gate.next_month_start(), None
    if choice == "cancel":
        flash("送信をやめました（何も送っていません）。")
        return None, redirect(url_for(".broadcast_list"))
    return None, _composer_page(data, error=quota_gate.explain(check), status=409,
                                quota_choices=quota_gate.CHOICES, shared=shared)


def _when(broadcast) -> str:
    from core.timefmt import datetime_ja

    return datetime_ja(broadcast.send_at)


def _load(broadcast_id: int):
    broadcast = service.get_broadcast(db.session, broadcast_id)
    if broadcast is None:
        abort(404)
    return broadcast


@bp.get("/admin/broadcasts/<int:broadcast_id>")
@staff_required(*BROADCASTERS)
def broadcast_detail(broadcast_id: int):
    broadcast = _load(broadcast_id)
    post = preview.post_view(current_app.config, broadcast)
    sent = [c for c in registry.all_channels(current_app.config) if c.name in (broadcast.channels or [])]
    return render_template(
        "admin/broadcasts/detail.html", broadcast=broadcast,
        report=reports.delivery_report(db.session, broadcast), post=post,
        sent_views=[(c, c.show(db.session, replace(post.content, thread=bool((broadcast.options or {}).get("thread"))),
                               broadcast.topics or [])) for c in sent],
        audience=preview.audience_label(broadcast.topics or [], broadcast.personas or []),
    )


@bp.post("/admin/broadcasts/<int:broadcast_id>/cancel")
@staff_required(*BROADCASTERS)
def broadcast_cancel(broadcast_id: int):
    return _act(broadcast_id, service.cancel_broadcast, "配信を取り消しました")


@bp.post("/admin/broadcasts/<int:broadcast_id>/approve")
@staff_required(*BROADCASTERS)
def broadcast_approve(broadcast_id: int):
    return _act(broadcast_id, service.approve_broadcast, "承認しました。配信を開始します")


@bp.post("/admin/broadcasts/<int:broadcast_id>/retry")
@staff_required(*BROADCASTERS)
def broadcast_retry(broadcast_id: int):
    return _act(broadcast_id, service.retry_failed, "失敗・停止した送信を再送の待ち行列に戻しました")


def _act(broadcast_id: int, action, done_message: str):
    session = db.session
    broadcast = _load(broadcast_id)
    try:
        action(session, broadcast, current_staff())
    except validation.BroadcastError as exc:
        session.rollback()
        flash(str(exc))
        return redirect(url_for(".broadcast_detail", broadcast_id=broadcast_id))
    session.commit()
    flash(done_message)
    return redirect(url_for(".broadcast_detail", broadcast_id=broadcast_id))


# Imported for their side effect of adding routes to ``bp`` (after bp exists).
from notifications import views_announce, views_drafts, views_public, views_settings  # noqa: E402,F401
