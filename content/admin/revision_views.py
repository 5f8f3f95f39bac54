"""Article revisions in the console: list, diff view, restore."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from content import publishing, revisions
from content.admin.views import _load_editable, bp
from content.models import ArticleRevision
from core.db import db
from staff.auth import current_staff, staff_required
from staff.models import StaffUser


def _names(rows: list[ArticleRevision]) -> dict[int, str]:
    ids = {r.staff_id for r in rows if r.staff_id is not None}
    if not ids:
        return {}
    return {s.id: s.display_name or s.email for s in db.session.query(StaffUser).filter(StaffUser.id.in_(ids))}


@bp.get("/articles/<int:article_id>/revisions")
@staff_required()
def article_revisions(article_id: int):
    article = _load_editable(article_id)
    rows = revisions.history(db.session, article.id)
    return render_template("admin/articles/revisions.html", article=article, rows=rows, names=_names(rows),
                           sources=revisions.SOURCES)


def _revision(article_id: int, revision_id: int) -> ArticleRevision:
    revision = db.session.get(ArticleRevision, revision_id)
    if revision is None or revision.article_id != article_id:
        abort(404)
    return revision


@bp.get("/articles/<int:article_id>/revisions/<int:revision_id>")
@staff_required()
def article_revision(article_id: int, revision_id: int):
    article = _load_editable(article_id)
    revision = _revision(article.id, revision_id)
    previous = revisions.previous_of(db.session, revision)
    return render_template(
        "admin/articles/revision.html", article=article, revision=revision, names=_names([revision]),
        sources=revisions.SOURCES,
        changes=revisions.diff(previous.snapshot if previous else {}, revision.snapshot),
        against_current=revisions.diff(revision.snapshot, revisions.snapshot(article)),
        can_restore=publishing.may_edit(current_staff(), article),
    )


@bp.post("/articles/<int:article_id>/revisions/<int:revision_id>/restore")
@staff_required()
def article_revision_restore(article_id: int, revision_id: int):
    article = _load_editable(article_id)
    revision = _revision(article.id, revision_id)
    staff = current_staff()
    if not publishing.may_edit(staff, article):
        abort(403)
    revisions.restore(db.session, article, revision, staff)
    db.session.commit()
    flash("以前の版に戻しました（戻す前の内容も履歴に残っています）。")
    return redirect(url_for("content_admin.article_edit", article_id=article.id))
