"""Staff account service: create, change role, deactivate, reset password."""
from __future__ import annotations

import re

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from staff import audit
from staff.models import ROLES, StaffUser
from staff.passwords import check_policy, hash_password

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """Invalid account data or a forbidden change; the message is Japanese."""


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == normalize_email(email)))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError("権限の種類が正しくありません")


def create_account(
    session: Session, email: str, name: str, role: str, password: str, actor: StaffUser | None
) -> StaffUser:
    email = normalize_email(email)
    if not EMAIL_RE.match(email):
        raise AccountError("メールアドレスの形式が正しくありません")
    if not (name or "").strip():
        raise AccountError("氏名を入力してください")
    _check_role(role)
    check_policy(password)
    if find_by_email(session, email) is not None:
        raise AccountError("このメールアドレスのアカウントは既にあります")
    staff = StaffUser(email=email, display_name=name.strip(), role=role, password_hash=hash_password(password))
    session.add(staff)
    session.flush()
    audit.record(session, actor, "staff.create", "staff", staff.id, {"email": email, "role": role})
    return staff


def _active_admin_count(session: Session) -> int:
    query = select(func.count()).select_from(StaffUser).where(StaffUser.role == "admin", StaffUser.active)
    return session.scalar(query) or 0


def _ensure_keeps_an_admin(session: Session, staff: StaffUser) -> None:
    if staff.role == "admin" and staff.active and _active_admin_count(session) <= 1:
        raise AccountError("最後の管理者アカウントは変更・無効化できません")


def change_role(session: Session, staff: StaffUser, role: str, actor: StaffUser) -> None:
    _check_role(role)
    if role == staff.role:
        return
    if role != "admin":
        _ensure_keeps_an_admin(session, staff)
    old = staff.role
    staff.role = role
    audit.record(session, actor, "staff.role", "staff", staff.id, {"from": old, "to": role})


def set_active(session: Session, staff: StaffUser, active: bool, actor: StaffUser) -> None:
    if staff.active == active:
        return
    if not active:
        if staff.id == actor.id:
            raise AccountError("自分自身のアカウントは無効化できません")
        _ensure_keeps_an_admin(session, staff)
    staff.active = active
    action = "staff.activate" if active else "staff.deactivate"
    audit.record(session, actor, action, "staff", staff.id, {"email": staff.email})


def end_sessions(session: Session, staff: StaffUser) -> None:
    """Every session cookie issued to ``staff`` so far stops working (checked in staff.auth)."""
    session.execute(
        update(StaffUser).where(StaffUser.id == staff.id).values(session_version=StaffUser.session_version + 1)
    )
    session.refresh(staff, ["session_version"])


def reset_password(session: Session, staff: StaffUser, password: str, actor: StaffUser | None) -> None:
    """New hash; every session opened with the old password ends."""
    check_policy(password)
    staff.password_hash = hash_password(password)
    end_sessions(session, staff)
    audit.record(session, actor, "staff.password_reset", "staff", staff.id, {"email": staff.email})
