"""After 公開 / 公開予約: who would get the article, and staff's choice (/admin/articles/<id>/announce)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from channels import registry
from content.models import Article
from core.db import db
from notifications import announce, validation
from notifications.views import BROADCASTERS, bp
from staff.auth import current_staff, staff_required

JST = ZoneInfo("Asia/Tokyo")


def _article(article_id: int) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        abort(404)
    return article


def _parse_at(text: str) -> datetime | None:
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=JST)
        except ValueError:
            continue
    return None


def _page(article: Article, error: str | None = None, status: int = 200, chosen=None):
    session = db.session
    audience = announce.audience(session, current_app.config, article)
    decision = announce.decision_for(session, article.id)
    default, default_channels = announce.default_choice(session, article, audience.usable)
    if chosen is None:
        chosen = decision.channels if decision is not None and decision.decision != "skip" else default_channels
    return render_template(
        "admin/broadcasts/announce.html", article=article, audience=audience, decision=decision,
        default=default, chosen=chosen, error=error, decisions=announce.DECISIONS,
        channel_labels=registry.labels(current_app.config), sent=announce._already_announced(session, article.id),
    ), status


@bp.get("/admin/articles/<int:article_id>/announce")
@staff_required(*BROADCASTERS)
def article_announce(article_id: int):
    return _page(_article(article_id))[0]


@bp.post("/admin/articles/<int:article_id>/announce")
@staff_required(*BROADCASTERS)
def article_announce_save(article_id: int):
    session = db.session
    article = _article(article_id)
    decision = request.form.get("decision", "")
    channels = request.form.getlist("channels")
    at = _parse_at(request.form.get("send_at", "")) if decision == "later" else None
    try:
        announce.decide(session, article, current_staff(), decision, channels, at)
    except (announce.AnnounceError, validation.BroadcastError) as exc:
        session.rollback()
        return _page(article, error=str(exc), status=422, chosen=channels)
    session.commit()
    flash(_confirmation(article, decision))
    return redirect(url_for("content_admin.article_edit", article_id=article.id))


def _confirmation(article: Article, decision: str) -> str:
    if decision == "skip":
        return "お知らせは送信しません（この選択は操作履歴に残ります）。"
    if not article.is_public:
        return "お知らせの送信を予約しました。記事の公開にあわせて送信します。"
    return "お知らせを送信待ちにしました。配信一覧で進み具合を確認できます。"
