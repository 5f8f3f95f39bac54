"""Who is logged in to the console, and what they may open.

The session stores the staff id, a fingerprint of the password hash and the
account's session version. Logging out and resetting the password raise the
version in the database, so a copied session cookie stops working at once
(server-side revocation without a session table); deactivating the account
ends its sessions too.
"""
from __future__ import annotations

import hashlib
import time
import unicodedata
from functools import wraps
from urllib.parse import urlsplit

from flask import has_request_context, redirect, render_template, request, session, url_for

from core.db import db
from staff.models import ROLES, StaffUser

SESSION_KEY = "staff_id"
FINGERPRINT_KEY = "staff_fp"
LOGIN_TIME_KEY = "staff_login_at"
VERSION_KEY = "staff_sv"
MAX_SESSION_AGE = 12 * 60 * 60  # a working day; then log in again


def _fingerprint(staff: StaffUser) -> str:
    return hashlib.sha256(f"{staff.id}|{staff.password_hash}".encode()).hexdigest()[:16]


def login_user(staff: StaffUser) -> None:
    # A fresh session on login: nothing chosen before authentication survives (fixation).
    session.clear()
    session[SESSION_KEY] = staff.id
    session[FINGERPRINT_KEY] = _fingerprint(staff)
    session[LOGIN_TIME_KEY] = int(time.time())
    session[VERSION_KEY] = staff.session_version
    _forget_cached()


def logout_user() -> None:
    session.clear()
    _forget_cached()


def _load_staff() -> StaffUser | None:
    staff_id = session.get(SESSION_KEY)
    if staff_id is None:
        return None
    if time.time() - session.get(LOGIN_TIME_KEY, 0) > MAX_SESSION_AGE:
        return None
    staff = db.session.get(StaffUser, staff_id)
    if staff is None or not staff.active or session.get(FINGERPRINT_KEY) != _fingerprint(staff):
        return None
    if session.get(VERSION_KEY) != staff.session_version:
        return None  # logged out or password reset since this cookie was issued
    return staff


_CACHE_KEY = "monozukuri.current_staff"


def current_staff() -> StaffUser | None:
    """The logged-in, active staff member of this request (cached per request)."""
    if not has_request_context():
        return None
    environ = request.environ
    if _CACHE_KEY not in environ:
        environ[_CACHE_KEY] = _load_staff()
    return environ[_CACHE_KEY]


def _forget_cached() -> None:
    if has_request_context():
        request.environ.pop(_CACHE_KEY, None)


def has_role(staff: StaffUser, roles: tuple[str, ...]) -> bool:
    """No roles → any active staff; "admin" passes every check."""
    return not roles or staff.role == "admin" or staff.role in roles


class UnsafeTarget(ValueError):
    """A ``next`` address carrying control characters: refused with 400, never followed."""


# Control, surrogate, format and line/paragraph separator characters never belong in a path;
# CR/LF would even split the Location header.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in text)


def safe_next(target: str | None, default: str = "/admin/") -> str:
    """Only same-site absolute paths are followed after login (no open redirect).

    Raises ``UnsafeTarget`` for control characters (the caller answers 400).
    """
    if target and has_control_characters(target):
        raise UnsafeTarget(target)
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def staff_required(*roles: str):
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s): {sorted(unknown)}")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
            if not has_role(staff, roles):
                # Rendered here, not via abort(): other blueprints use this decorator too.
                return render_template("admin/forbidden.html", roles=roles), 403
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # read by the console navigation (no link that leads to 403)
        return wrapper

    return decorator
