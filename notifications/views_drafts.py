"""Broadcast drafts: the contractor (委託事業者) drafts, ward staff approve or send back with a
comment before anything goes to the ward's official accounts (/admin/broadcasts/drafts)."""
from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from core.db import db
from notifications import drafts, forms, preview, service, validation
from notifications.models import Broadcast
from notifications.topics import TOPICS
from notifications.views import BROADCASTERS, bp
from staff.auth import current_staff, staff_required
from staff.models import StaffUser

log = logging.getLogger(__name__)
DRAFTERS = ("contractor", "ward")


def _names(session, comments) -> dict[int, str]:
    ids = {c.staff_id for c in comments if c.staff_id}
    return {s.id: s.display_name for s in session.query(StaffUser).filter(StaffUser.id.in_(ids))} if ids else {}


def _page(data: forms.ComposerInput | None = None, error: str | None = None, status: int = 200):
    session = db.session
    return render_template(
        "admin/broadcasts/drafts.html", items=drafts.drafts(session), decided=drafts.drafts(
            session, ("queued", "sending", "done", "cancelled", "failed", "stopped"), limit=10),
        data=data or forms.ComposerInput(audience="topics"),
        topics=TOPICS, articles=forms.article_choices(session), error=error,
        channels=validation.available_channels(session, current_app.config, list(TOPICS)),
        may_approve=drafts.is_reviewer(current_staff()), audience_label=preview.audience_label,
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
    _mail_reviewers(broadcast, "【配信の確認依頼】")
    flash("配信の下書きを保存しました。区職員の承認後に送信されます。")
    return redirect(url_for(".draft_detail", broadcast_id=broadcast.id))


# --- one draft: preview, thread, decisions -------------------------------------------------

def _load(broadcast_id: int) -> Broadcast:
    broadcast = drafts.get_draft(db.session, broadcast_id)
    if broadcast is None:
        abort(404)
    return broadcast


def _input_of(broadcast: Broadcast) -> forms.ComposerInput:
    return forms.ComposerInput(
        channels=list(broadcast.channels or []), audience="topics" if broadcast.topics else "everyone",
        topics=list(broadcast.topics or []), article_slug=broadcast.article.slug if broadcast.article else "",
        text=broadcast.text or "")


def _detail(broadcast: Broadcast, error: str | None = None, data: forms.ComposerInput | None = None,
            status: int = 200):
    session, config, staff = db.session, current_app.config, current_staff()
    shown = data or _input_of(broadcast)
    result, preview_error = None, None
    if broadcast.status in drafts.OPEN:
        try:
            result = preview.build_preview(session, config, _input_of(broadcast), broadcast.article)
        except validation.BroadcastError as exc:
            preview_error = str(exc)
    comments = drafts.thread(session, broadcast.id)
    return render_template(
        "admin/broadcasts/draft.html", broadcast=broadcast, error=error, data=shown, preview=result,
        preview_error=preview_error, thread=comments, staff_names=_names(session, comments),
        comment_kinds=drafts.KIND_LABELS, may_approve=drafts.is_reviewer(staff),
        may_fix=broadcast.status == "returned" and staff.role in (*DRAFTERS, "admin"),
        writer=session.get(StaffUser, broadcast.created_by_id) if broadcast.created_by_id else None,
        topics=TOPICS, articles=forms.article_choices(session),
        channels=validation.available_channels(session, config, list(TOPICS)),
        audience=preview.audience_label(broadcast.topics or [], broadcast.personas or []),
    ), status


@bp.get("/admin/broadcasts/drafts/<int:broadcast_id>")
@staff_required(*DRAFTERS)
def draft_detail(broadcast_id: int):
    return _detail(_load(broadcast_id))[0]


def _back(broadcast_id: int, anchor: str = "draft-thread"):
    return redirect(url_for(".draft_detail", broadcast_id=broadcast_id) + f"#{anchor}")


def _step(broadcast_id: int, action, done: str, anchor: str = "draft-thread"):
    """Run one review step; a refusal is shown on the draft's page, never a 500."""
    session = db.session
    broadcast = _load(broadcast_id)
    try:
        action(session, broadcast)
    except validation.BroadcastError as exc:
        session.rollback()
        flash(str(exc))
        return _back(broadcast_id, anchor), None
    session.commit()
    flash(done)
    return _back(broadcast_id, anchor), broadcast


@bp.post("/admin/broadcasts/drafts/<int:broadcast_id>/comments")
@staff_required(*DRAFTERS)
def draft_comment(broadcast_id: int):
    body = request.form.get("body", "")
    response, _ = _step(broadcast_id, lambda s, b: drafts.add_comment(s, b, current_staff(), body),
                        "コメントを書き込みました。")
    return response


@bp.post("/admin/broadcasts/drafts/<int:broadcast_id>/send-back")
@staff_required(*BROADCASTERS)
def draft_send_back(broadcast_id: int):
    body = request.form.get("body", "")
    response, broadcast = _step(broadcast_id, lambda s, b: drafts.send_back(s, b, current_staff(), body),
                                "差し戻しました。書いた人の「確認待ち」に表示されます（送信はされません）。")
    if broadcast is not None:
        _mail_writer(broadcast, body)
    return response


@bp.post("/admin/broadcasts/drafts/<int:broadcast_id>/resubmit")
@staff_required(*DRAFTERS)
def draft_resubmit(broadcast_id: int):
    session = db.session
    broadcast = _load(broadcast_id)
    data = forms.ComposerInput.from_form(request.form)
    try:
        data.check_audience()
        article = forms.find_article(session, data.article_slug)
        drafts.resubmit(session, broadcast, current_staff(), article=article, text=data.text,
                        topics=data.audience_topics, channels=data.channels, note=request.form.get("note", ""))
    except validation.BroadcastError as exc:
        session.rollback()
        session.refresh(broadcast)
        return _detail(broadcast, error=str(exc), data=data, status=400)
    session.commit()
    _mail_reviewers(broadcast, "【配信の再確認依頼】")
    flash("直した下書きで、もう一度承認を依頼しました。")
    return _back(broadcast_id)


@bp.post("/admin/broadcasts/drafts/<int:broadcast_id>/approve")
@staff_required(*BROADCASTERS)
def draft_approve(broadcast_id: int):
    note = request.form.get("body", "")
    response, broadcast = _step(broadcast_id, lambda s, b: drafts.approve(s, b, current_staff(), note),
                                "承認しました。ワーカーが送信します。")
    if broadcast is not None:
        return redirect(url_for(".broadcast_detail", broadcast_id=broadcast_id))
    return response


@bp.post("/admin/broadcasts/drafts/<int:broadcast_id>/reject")
@staff_required(*BROADCASTERS)
def draft_reject(broadcast_id: int):
    response, _ = _step(broadcast_id, lambda s, b: drafts.cancel(s, b, current_staff()),
                        "下書きを取り消しました（送信されません）。")
    return response


# --- notices -------------------------------------------------------------------------------

def _mail(recipients, subject: str, body: str) -> None:
    try:
        from content.review import notify_by_mail
    except ModuleNotFoundError:
        return
    notify_by_mail(current_app.config, recipients, subject, body)


def _mail_reviewers(broadcast: Broadcast, prefix: str) -> None:
    reviewers = db.session.query(StaffUser).filter(StaffUser.active, StaffUser.role.in_(drafts.REVIEWER_ROLES)).all()
    _mail(reviewers, f"{prefix}{broadcast.title}",
          f"配信の下書き「{broadcast.title}」の確認依頼が届きました。管理画面の「確認待ち」からご確認ください。")


def _mail_writer(broadcast: Broadcast, reason: str) -> None:
    writer = db.session.get(StaffUser, broadcast.created_by_id) if broadcast.created_by_id else None
    if writer is not None and writer.active:
        _mail([writer], f"【配信の差し戻し】{broadcast.title}",
              f"配信の下書き「{broadcast.title}」が差し戻されました。\n\n理由: {reason.strip()}\n\n"
              "管理画面の「確認待ち」からご確認ください。")


def waiting_drafts(session, staff) -> list[tuple[str, str]]:
    """Waiting source for the console badge: drafts wait for ward staff, send-backs for their writer."""
    out = []
    for broadcast in drafts.waiting(session, staff):
        what = "配信の差し戻し" if broadcast.status == "returned" else "配信の下書き"
        out.append((f"{what}: {broadcast.title}", url_for("notifications.draft_detail", broadcast_id=broadcast.id)))
    return out
