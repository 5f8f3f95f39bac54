"""Broadcast drafts: the contractor (委託事業者) drafts, ward staff approve before anything
goes to the ward's official accounts (/admin/broadcasts/drafts)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select, update

from core.db import db, utcnow
from notifications import forms, preview, service, validation
from notifications.models import Broadcast
from notifications.quiet_hours import deliver_at
from notifications.topics import TOPICS
from notifications.views import BROADCASTERS, bp
from staff import audit
from staff.auth import current_staff, staff_required

DRAFTERS = ("contractor", "ward")


def drafts(session) -> list[Broadcast]:
    query = select(Broadcast).where(Broadcast.status == "draft").order_by(Broadcast.created_at.desc())
    return list(session.scalars(query))


def _page(data: forms.ComposerInput | None = None, error: str | None = None, status: int = 200):
    session = db.session
    return render_template(
        "admin/broadcasts/drafts.html", items=drafts(session), data=data or forms.ComposerInput(audience="topics"),
        topics=TOPICS, articles=forms.article_choices(session), error=error,
        channels=validation.available_channels(session, current_app.config, list(TOPICS)),
        may_approve=current_staff().role in ("ward", "admin"), audience_label=preview.audience_label,
    ), status


@bp.get("/admin/broadcasts/drafts")
@staff_required(*DRAFTERS)
def draft_list():
    return _page()[0]


@bp.post("/admin/broadcasts/drafts")
@staff_required(*DRAFTERS)
def draft_create():
    session = db.session
    data = forms.ComposerInput.from_form(request.form)
    try:
        data.check_audience()
        article = forms.find_article(session, data.article_slug)
        broadcast = service.create_broadcast(
            session, article=article, text=data.text, topics=data.audience_topics, channels=data.channels,
            staff=current_staff(), origin="draft", config=current_app.config)
    except validation.BroadcastError as exc:
        session.rollback()
        return _page(data, error=str(exc), status=400)
    broadcast.status = "draft"  # same transaction: the worker never sees it queued
    session.commit()
    flash("配信の下書きを保存しました。区職員の承認後に送信されます。")
    return redirect(url_for(".draft_list"))


@bp.post("/admin/broadcasts/drafts/<int:broadcast_id>/approve")
@staff_required(*BROADCASTERS)
def draft_approve(broadcast_id: int):
    session = db.session
    send_at = deliver_at(current_app.config, utcnow(), False)
    done = session.execute(update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.status == "draft")
                           .values(status="queued", send_at=send_at)).rowcount
    if done != 1:
        flash("この下書きはもう承認または取り消しされています。")
        return redirect(url_for(".draft_list"))
    audit.record(session, current_staff(), "broadcast.approve", "broadcast", broadcast_id, {})
    session.commit()
    flash(f"配信 #{broadcast_id} を承認しました。ワーカーが送信します。")
    return redirect(url_for(".broadcast_detail", broadcast_id=broadcast_id))


@bp.post("/admin/broadcasts/drafts/<int:broadcast_id>/reject")
@staff_required(*BROADCASTERS)
def draft_reject(broadcast_id: int):
    session = db.session
    done = session.execute(update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.status == "draft")
                           .values(status="cancelled", cancelled_at=utcnow())).rowcount
    if done == 1:
        audit.record(session, current_staff(), "broadcast.reject", "broadcast", broadcast_id, {})
        session.commit()
        flash("下書きを差し戻しました（送信されません）。")
    return redirect(url_for(".draft_list"))


def waiting_drafts(session, staff) -> list[tuple[str, str]]:
    """Waiting source for the console badge: drafts wait for ward staff."""
    if staff.role not in ("ward", "admin"):
        return []
    return [(f"配信の下書き: {b.title}", url_for("notifications.draft_list")) for b in drafts(session)]
