"""Login, logout, the dashboard and the audit log page."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from web.admin import audit, auth
from web.admin.blueprint import bp
from web.admin import login as login_service
from web.admin.auth import staff_required
from web.admin.paging import page_of, requested_number
from web.db import db

AUDIT_PER_PAGE = 50


@bp.errorhandler(CSRFError)
def csrf_failed(_error):
    message = "フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてからもう一度お試しください。"
    return render_template("admin/error.html", message=message), 400


@bp.errorhandler(413)
def too_large(_error):
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024 // 1024
    message = f"送信したデータが大きすぎます（{limit}MBまで）。画像を小さくしてからもう一度お試しください。"
    return render_template("admin/error.html", message=message), 413


@bp.errorhandler(403)
def forbidden(_error):
    return render_template("admin/forbidden.html"), 403


@bp.after_request
def no_store(response):
    # Console pages show unpublished work and personal data: never cache them anywhere.
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = auth.safe_next(request.values.get("next"))
    if request.method == "GET":
        if auth.current_staff() is not None:
            return redirect(next_url)
        return render_template("admin/login.html", next_url=next_url, email="")
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    result = login_service.authenticate(db.session, email, password, request.remote_addr)
    db.session.commit()
    if result.staff is None:
        context = {"next_url": next_url, "email": email, "error": result.error}
        return render_template("admin/login.html", **context), 401
    auth.login_user(result.staff)
    return redirect(next_url)


@bp.post("/logout")
def logout():
    staff = auth.current_staff()
    if staff is not None:
        audit.record(db.session, staff, "staff.logout", "staff", staff.id)
        db.session.commit()
    auth.logout_user()
    flash("ログアウトしました")
    return redirect(url_for("admin.login"))


@bp.get("/")
@staff_required()
def dashboard():
    from web.admin.articles import status_counts

    return render_template("admin/dashboard.html", counts=status_counts(db.session))


@bp.get("/audit")
@staff_required("admin")
def audit_log():
    action = request.args.get("action", "").strip()[:50]
    query = audit.entries_query(action or None)
    page = page_of(db.session, query, requested_number(request.args.get("page")), AUDIT_PER_PAGE, scalars=False)
    return render_template("admin/audit.html", page=page, action=action, action_label=audit.action_label)


@bp.app_context_processor
def console_template_context() -> dict:
    # App-wide so other domains' console pages extending admin/base.html get it too.
    from content.publishing import STATUS_LABELS
    from web.models import ROLES

    return {"current_staff": auth.current_staff, "staff_roles": ROLES, "status_labels": STATUS_LABELS}
