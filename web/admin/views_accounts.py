"""Account management for 管理者: list, create, change role, (de)activate, reset password."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from web.admin import accounts
from web.admin.blueprint import bp
from web.admin.auth import current_staff, staff_required
from web.admin.passwords import PasswordPolicyError, generate_password
from web.db import db
from web.models import ROLES, StaffUser


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
