"""Console pages of the staff package: sign-in, dashboard, audit log and account management."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from core.db import db
from staff import accounts, audit, auth
from staff import login as login_service
from staff.auth import current_staff, staff_required
from staff.models import ROLES, StaffUser
from staff.paging import page_of, requested_number
from staff.passwords import PasswordPolicyError, generate_password

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PER_PAGE = 50
BAD_NEXT_MESSAGE = "ログイン後に開くページのアドレスが正しくありません。管理画面のトップからもう一度お試しください。"


@bp.route("/login", methods=["GET", "POST"])
def login():
    try:
        next_url = auth.safe_next(request.values.get("next"))
    except auth.UnsafeTarget:
        return render_template("admin/error.html", message=BAD_NEXT_MESSAGE), 400
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
        # Server-side: a copy of this cookie (or any other session of the account) stops working too.
        accounts.end_sessions(db.session, staff)
        audit.record(db.session, staff, "staff.logout", "staff", staff.id)
        db.session.commit()
    auth.logout_user()
    flash("ログアウトしました")
    return redirect(url_for("admin.login"))


@bp.get("/audit")
@staff_required("admin")
def audit_log():
    action = request.args.get("action", "").strip()[:50]
    query = audit.entries_query(action or None)
    page = page_of(db.session, query, requested_number(request.args.get("page")), AUDIT_PER_PAGE, scalars=False)
    return render_template("admin/audit.html", page=page, action=action, action_label=audit.action_label)


def _list_page(form=None, error=None, status=200, new_password=None, target=None):
    staff_list = db.session.scalars(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.email)).all()
    context = dict(
        staff_list=staff_list, roles=ROLES, form=form or {}, error=error, new_password=new_password, target=target,
    )
    return render_template("admin/accounts/list.html", **context), status


@bp.get("/accounts")
@staff_required("admin")
def account_list():
    return _list_page()


@bp.post("/accounts")
@staff_required("admin")
def account_create():
    form = {key: request.form.get(key, "") for key in ("email", "name", "role")}
    try:
        accounts.create_account(
            db.session, form["email"], form["name"], form["role"], request.form.get("password", ""), current_staff()
        )
        db.session.commit()
    except (accounts.AccountError, PasswordPolicyError) as exc:
        db.session.rollback()
        return _list_page(form, str(exc), 422)
    flash(f"アカウント {accounts.normalize_email(form['email'])} を作成しました")
    return redirect(url_for("admin.account_list"))


def _target(staff_id: int) -> StaffUser:
    staff = db.session.get(StaffUser, staff_id)
    if staff is None:
        abort(404)
    return staff


@bp.post("/accounts/<int:staff_id>/role")
@staff_required("admin")
def account_role(staff_id: int):
    role = request.form.get("role", "")
    return _change(staff_id, lambda staff: accounts.change_role(db.session, staff, role, current_staff()),
                   "権限を変更しました")


@bp.post("/accounts/<int:staff_id>/active")
@staff_required("admin")
def account_active(staff_id: int):
    active = request.form.get("active") == "1"
    message = "アカウントを有効にしました" if active else "アカウントを無効にしました"
    return _change(staff_id, lambda staff: accounts.set_active(db.session, staff, active, current_staff()), message)


def _change(staff_id: int, operation, message: str):
    staff = _target(staff_id)
    try:
        operation(staff)
        db.session.commit()
    except accounts.AccountError as exc:
        db.session.rollback()
        return _list_page(error=str(exc), status=422)
    flash(f"{staff.email}: {message}")
    return redirect(url_for("admin.account_list"))


@bp.post("/accounts/<int:staff_id>/password")
@staff_required("admin")
def account_password(staff_id: int):
    staff = _target(staff_id)
    password = generate_password()
    accounts.reset_password(db.session, staff, password, current_staff())
    db.session.commit()
    # Shown once, never stored in clear text or logged; the admin hands it over in person.
    return _list_page(new_password=password, target=staff)
