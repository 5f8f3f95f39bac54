"""Article editor pages: list, create/edit with workflow buttons, preview."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from content import publishing, review
from content.admin import articles, preview, uploads
from content.admin.article_form import ArticleInput, validate
from content.images import ImageError
from content.models import CATEGORIES, SERIES, Company
from core.db import db
from staff.auth import current_staff, staff_required
from staff.paging import page_of, requested_number

bp = Blueprint("content_admin", __name__, url_prefix="/admin")
PER_PAGE = 50
ANNOUNCE_ENDPOINT = "notifications.article_announce"  # by name: content does not depend on notifications


@bp.get("/")
@staff_required()
def dashboard():
    """The console's start page: the articles waiting in each state of the workflow."""
    return render_template("admin/dashboard.html", counts=articles.status_counts(db.session))


@bp.get("/articles")
@staff_required()
def article_list():
    status = request.args.get("status", "")
    query = articles.list_query(current_staff(), status)
    page = page_of(db.session, query, requested_number(request.args.get("page")), PER_PAGE)
    return render_template(
        "admin/articles/list.html", page=page, status=status, labels=publishing.STATUS_LABELS,
        categories=CATEGORIES,
    )


def _form_page(data: ArticleInput, article, errors=None, message=None, status=200, latest=None):
    staff = current_staff()
    companies = db.session.scalars(select(Company).order_by(Company.name)).all()
    allowed = [key for key in CATEGORIES if publishing.may_edit_category(staff, key)]
    context = dict(
        data=data, article=article, errors=errors or {}, message=message, companies=companies,
        allowed_categories={key: CATEGORIES[key] for key in allowed}, series=SERIES,
        labels=publishing.STATUS_LABELS, is_reviewer=publishing.is_reviewer(staff), latest=latest,
        can_edit=article is None or publishing.may_edit(staff, article),
        thread=review.thread(db.session, article.id) if article is not None else [],
        comment_kinds=review.KIND_LABELS, staff_names=_staff_names(),
    )
    return render_template("admin/articles/edit.html", **context), status


def _staff_names() -> dict[int, str]:
    from staff.models import StaffUser

    return {s.id: s.display_name or s.email for s in db.session.scalars(select(StaffUser))}


@bp.get("/articles/new")
@staff_required()
def article_new():
    return _form_page(ArticleInput(), None)[0]


@bp.get("/articles/<int:article_id>")
@staff_required()
def article_edit(article_id: int):
    article = _load_editable(article_id)
    return _form_page(ArticleInput.from_article(article), article)[0]


def _load_editable(article_id: int):
    article = articles.load_article(db.session, article_id)
    if article is None:
        abort(404)
    if not publishing.may_edit_category(current_staff(), article.category):
        abort(403)
    return article


@bp.post("/articles/new")
@staff_required()
def article_create():
    return _submit(None)


@bp.post("/articles/<int:article_id>")
@staff_required()
def article_update(article_id: int):
    return _submit(_load_editable(article_id))


def _submit(article):
    staff = current_staff()
    data = ArticleInput.from_form(request.form)
    action = request.form.get("action", "save")
    if action not in articles.ACTIONS:
        action = "save"
    upload = request.files.get("hero_image")
    errors = validate(db.session, data, article, staff, uploads.has_upload(upload))
    image = None
    status = 422
    if not errors and uploads.has_upload(upload):
        try:
            image = uploads.store_hero_upload(upload, current_app.instance_path, data.slug)
        except ImageError as exc:
            errors["hero_image"] = str(exc)
            status = 503 if isinstance(exc, uploads.ImageBusy) else 422
    if errors:
        return _form_page(data, article, errors, "入力内容を確認してください。", status)
    return _save_and_act(article, data, action, image)


def _save_and_act(article, data: ArticleInput, action: str, image):
    staff = current_staff()
    try:
        saved = articles.save(db.session, article, data, staff, image)
        message = articles.run_action(db.session, saved, action, staff, data)
        db.session.commit()
    except publishing.WorkflowError as exc:
        db.session.rollback()
        current = articles.load_article(db.session, article.id) if article is not None else None
        if isinstance(exc, articles.StaleEdit):
            data.version = str(current.version)  # the next save is a deliberate overwrite
            return _form_page(data, current, message=str(exc), status=409, latest=current)
        return _form_page(data, current, message=f"{exc}（変更は保存されていません）", status=422)
    flash(message)
    if action == "submit":
        from content.admin.review_views import mail_reviewers

        mail_reviewers(saved)
    if action in ("publish", "schedule") and ANNOUNCE_ENDPOINT in current_app.view_functions:
        # Publish → announce, never silent: staff now see who would get it and choose.
        return redirect(url_for(ANNOUNCE_ENDPOINT, article_id=saved.id))
    return redirect(url_for("content_admin.article_edit", article_id=saved.id))


@bp.post("/articles/preview")
@staff_required()
def article_preview():
    data = ArticleInput.from_form(request.form)
    article_id = request.form.get("article_id", "")
    saved = None
    if article_id.isdigit():
        saved = _load_editable(int(article_id))
    html = preview.render_preview(db.session, data, saved)
    return html, 200, {"Content-Type": "text/html; charset=utf-8"}
