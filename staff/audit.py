"""Audit trail of staff actions (publish, broadcast, edit, export, login, ...).

``record`` only adds a row to the caller's session and never commits: the
caller commits it together with the change it describes, so either both land
or neither does.
"""
from __future__ import annotations

import hashlib

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from staff.models import AuditLog, StaffUser


def hash_ip(ip: str | None) -> str | None:
    """A keyed hash of the client address: enough to correlate, not to identify."""
    if not ip:
        return None
    secret = current_app.config["SECRET_KEY"] if has_app_context() else ""
    return hashlib.sha256(f"{secret}|{ip}".encode()).hexdigest()[:32]


def request_ip_hash() -> str | None:
    return hash_ip(request.remote_addr) if has_request_context() else None


def record(
    session: Session,
    staff: StaffUser | None,
    action: str,
    target_type: str,
    target_id: str | int | None,
    details: dict | None = None,
) -> AuditLog:
    entry = AuditLog(
        staff_id=staff.id if staff is not None else None,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=dict(details or {}),
        ip_hash=request_ip_hash(),
    )
    session.add(entry)
    return entry


ACTION_LABELS = {
    "staff.login": "ログイン",
    "staff.logout": "ログアウト",
    "staff.login_failed": "ログイン失敗",
    "staff.login_locked": "ログイン制限",
    "staff.create": "アカウント作成",
    "staff.role": "権限変更",
    "staff.activate": "アカウント有効化",
    "staff.deactivate": "アカウント無効化",
    "staff.password_reset": "パスワード再設定",
    "article.create": "記事作成",
    "article.edit": "記事編集",
    "article.submit": "レビュー依頼",
    "article.approve": "承認",
    "article.publish": "公開",
    "article.schedule": "公開予約",
    "article.unpublish": "公開取り消し",
    "article.image": "画像アップロード",
}


PREFIX_LABELS = {"broadcast": "配信", "export": "エクスポート", "kpi": "KPI", "event": "イベント"}


def add_action_labels(app, labels: dict[str, str]) -> None:
    """A domain names its audited actions in Japanese (from its ``init_app``)."""
    app.extensions.setdefault("audit_labels", {}).update(labels)


def action_label(action: str) -> str:
    """Japanese name of an action: ours, then those the app's domains added."""
    labels = {**ACTION_LABELS, **current_app.extensions.get("audit_labels", {})}
    if action in labels:
        return labels[action]
    prefix, _, rest = action.partition(".")
    return f"{PREFIX_LABELS[prefix]}（{rest}）" if prefix in PREFIX_LABELS and rest else action


def entries_query(action_prefix: str | None = None):
    """Newest first, with the acting staff member (None for the system)."""
    query = (
        select(AuditLog, StaffUser)
        .outerjoin(StaffUser, StaffUser.id == AuditLog.staff_id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    )
    if action_prefix:
        query = query.where(AuditLog.action.startswith(action_prefix, autoescape=True))
    return query
