"""Console page /admin/videos: the ward's YouTube channels and playlists to import from."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from core.db import db
from staff.auth import current_staff, staff_required
from videos import service
from videos.models import VideoSource

bp = Blueprint("videos_admin", __name__, url_prefix="/admin/videos")
ROLES = ("ward",)  # administrators pass every check
ACTION_LABELS = {"video.source_add": "動画の取り込み先の追加", "video.source_remove": "動画の取り込み先の削除"}


def _page(error: str | None = None, status: int = 200):
    session = db.session
    sources = session.scalars(select(VideoSource).order_by(VideoSource.id)).all()
    return render_template("admin/videos/index.html", sources=sources, error=error,
                           videos=service.recent_videos(session, limit=20)), status


@bp.get("/")
@staff_required(*ROLES)
def index():
    return _page()[0]


@bp.post("/sources")
@staff_required(*ROLES)
def add_source():
    session = db.session
    try:
        service.add_source(session, request.form.get("kind", ""), request.form.get("external_id", ""), current_staff())
    except service.VideoError as exc:
        session.rollback()
        return _page(str(exc), 400)
    session.commit()
    flash("登録しました。新しい動画は自動で取り込まれます（「今すぐ取り込む」ですぐに読み込めます）")
    return redirect(url_for(".index"))


@bp.post("/sources/<int:source_id>/delete")
@staff_required(*ROLES)
def remove_source(source_id: int):
    session = db.session
    source = session.get(VideoSource, source_id)
    if source is not None:
        service.remove_source(session, source, current_staff())
        session.commit()
    flash("取り込み先を削除しました（取り込み済みの動画は残ります）")
    return redirect(url_for(".index"))


@bp.post("/import")
@staff_required(*ROLES)
def import_now():
    added = service.import_all(db.session, current_app.config)
    flash(f"{added}本の新しい動画を取り込みました")
    return redirect(url_for(".index"))
