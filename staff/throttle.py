"""Login throttling stored in the database (shared by every gunicorn worker).

An account may fail ``MAX_FAILURES`` times from one address within ``WINDOW``;
a success clears that account's failures from that address. There is
deliberately no per-address limit across accounts: behind a reverse proxy
every request may carry the proxy's address, and such a limit would then lock
every member of staff out at once.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.db import utcnow
from staff.models import LoginAttempt

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKED_MESSAGE = "ログインの失敗が続いたため、一時的にロックしています。15分ほど待ってからもう一度お試しください。"


def _recent_failures(session: Session, *conditions) -> int:
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= utcnow() - WINDOW, *conditions)
    )
    return session.scalar(query) or 0


def is_locked(session: Session, email: str, ip_hash: str) -> bool:
    failures = _recent_failures(session, LoginAttempt.email == email, LoginAttempt.ip_hash == ip_hash)
    return failures >= MAX_FAILURES


def record_failure(session: Session, email: str, ip_hash: str) -> None:
    session.add(LoginAttempt(email=email, ip_hash=ip_hash, succeeded=False))


def record_success(session: Session, email: str, ip_hash: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.ip_hash == ip_hash))
    session.add(LoginAttempt(email=email, ip_hash=ip_hash, succeeded=True))


def prune(session: Session) -> None:
    """Old attempts carry no information any more."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - 4 * WINDOW))
