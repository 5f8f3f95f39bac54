"""Console page /admin/x: posts waiting to be posted by hand, and the account's problems.

Without a token the channel offers 「手動で投稿」: copy-ready text, X's post intent link
and a field for the posted address, which then shows on /posts like any other post.
"""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select, update

from bot.x import problems
from bot.x.thread import intent_url
from core.db import db, utcnow
from notifications import outbox
from notifications.models import Broadcast, BroadcastDelivery
from staff import audit
from staff.auth import current_staff, staff_required

bp = Blueprint("x_admin", __name__, url_prefix="/admin/x")
ROLES = ("ward",)  # administrators pass every check
ACTION_LABELS = {"x.manual_post": "公式Xへの手動投稿の記録", "x.resume": "公式Xの再開"}
POST_URL = re.compile(r"^https://(?:x|twitter)\.com/[A-Za-z0-9_]{1,15}/status/\d{1,25}/?$")


def _waiting(session) -> list[tuple[BroadcastDelivery, Broadcast]]:
    query = (select(BroadcastDelivery, Broadcast).join(Broadcast, Broadcast.id == BroadcastDelivery.broadcast_id)
             .where(BroadcastDelivery.channel == "x", BroadcastDelivery.status == "stopped")
             .order_by(BroadcastDelivery.id.desc()).limit(50))
    return [(row, broadcast) for row, broadcast in session.execute(query)]


@bp.get("/")
@staff_required(*ROLES)
def index():
    session = db.session
    waiting = [(row, broadcast, (broadcast.payloads or {}).get("x", {}).get("posts") or [])
               for row, broadcast in _waiting(session)]
    return render_template("admin/x/index.html", waiting=waiting, problem=problems.open_problem(session),
                           intent_url=intent_url)


@bp.post("/manual/<int:delivery_id>")
@staff_required(*ROLES)
def record_manual(delivery_id: int):
    session, url = db.session, request.form.get("url", "").strip()
    if not POST_URL.match(url):
        flash("投稿のURLを貼り付けてください（例: https://x.com/アカウント名/status/数字）")
        return redirect(url_for(".index"))
    now = utcnow()
    row = session.get(BroadcastDelivery, delivery_id)
    changed = session.execute(
        update(BroadcastDelivery).where(BroadcastDelivery.id == delivery_id, BroadcastDelivery.channel == "x",
                                        BroadcastDelivery.status == "stopped")
        .values(status="sent", external_ref=url, sent_at=now, last_error=None)
    ).rowcount
    if not changed or row is None:
        session.rollback()
        flash("この投稿はすでに記録済みか、見つかりません")
        return redirect(url_for(".index"))
    _reopen_finished(session, row.broadcast_id)
    outbox.finish_broadcasts(session, {row.broadcast_id}, now)
    audit.record(session, current_staff(), "x.manual_post", "broadcast", row.broadcast_id, {"url": url})
    session.commit()
    flash("公式Xへの投稿を記録しました。Webのお知らせ一覧にも表示されます")
    return redirect(url_for(".index"))


def _reopen_finished(session, broadcast_id: int) -> None:
    """A broadcast closed as failed while the X post waited is recounted with the post in."""
    session.execute(update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.status.in_(("failed", "done")))
                    .values(status="sending"))


@bp.post("/resume")
@staff_required(*ROLES)
def resume():
    session = db.session
    count = problems.resolve_all(session)
    audit.record(session, current_staff(), "x.resume", "x", None, {"problems": count})
    session.commit()
    flash("公式Xを再開しました。次の配信から投稿します")
    return redirect(url_for(".index"))
