"""The login service: throttle, verify, rehash, audit."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.db import utcnow
from staff import audit, throttle
from staff.accounts import find_by_email, normalize_email
from staff.models import StaffUser
from staff.passwords import hash_password, needs_rehash, verify_password

FAILED_MESSAGE = "メールアドレスまたはパスワードが正しくありません"


@dataclass
class LoginResult:
    staff: StaffUser | None
    error: str | None = None


def authenticate(session: Session, email: str, password: str, ip: str | None) -> LoginResult:
    """Check the credentials; the caller commits (audit rows included; the attempt itself is already counted)."""
    email = normalize_email(email)
    ip_hash = audit.hash_ip(ip or "unknown")
    if not throttle.claim_attempt(session, email, ip_hash):
        audit.record(session, None, "staff.login_locked", "staff", None, {"email": email})
        return LoginResult(None, throttle.LOCKED_MESSAGE)
    staff = find_by_email(session, email)
    valid = verify_password(staff.password_hash if staff else None, password)
    if not valid or staff is None or not staff.active:
        # The attempt was already counted as a failure by claim_attempt.
        audit.record(session, None, "staff.login_failed", "staff", staff.id if staff else None, {"email": email})
        return LoginResult(None, FAILED_MESSAGE)
    _complete_login(session, staff, password, ip_hash)
    return LoginResult(staff)


def _complete_login(session: Session, staff: StaffUser, password: str, ip_hash: str) -> None:
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    staff.last_login_at = utcnow()
    throttle.record_success(session, staff.email, ip_hash)
    throttle.prune(session)
    audit.record(session, staff, "staff.login", "staff", staff.id, {})
