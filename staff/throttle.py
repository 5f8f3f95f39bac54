"""Login throttling stored in the database (shared by every gunicorn worker).

An account may fail ``MAX_FAILURES`` times from one address within ``WINDOW``;
a success clears that account's failures from that address. There is
deliberately no per-address limit across accounts: behind a reverse proxy
every request may carry the proxy's address, and such a limit would then lock
every member of staff out at once.

The count is atomic: an attempt is written down (and committed) *before* the
password is checked, and only then are the recent attempts counted. Whatever
the interleaving, the k-th attempt to commit sees at least k rows, so no more
than ``MAX_FAILURES`` parallel guesses ever reach the password check.
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


def _recent_failures(session: Session, email: str, ip_hash: str) -> int:
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.created_at >= utcnow() - WINDOW,
            LoginAttempt.email == email,
            LoginAttempt.ip_hash == ip_hash,
        )
    )
    return session.scalar(query) or 0


def claim_attempt(session: Session, email: str, ip_hash: str) -> bool:
    """Count this attempt as a failure up front; False when the account is locked from this address.

    Runs in its own short transaction (not the caller's), so parallel requests
    see each other's attempts before any of them checks a password. A success
    later clears the rows again (``record_success``). Refused attempts stay
    counted: a burst that was refused as a whole still locks the account, and
    continued guessing keeps it locked.
    """
    with Session(bind=session.get_bind()) as own:
        own.add(LoginAttempt(email=email, ip_hash=ip_hash, succeeded=False))
        own.commit()
        return _recent_failures(own, email, ip_hash) <= MAX_FAILURES


def record_success(session: Session, email: str, ip_hash: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.ip_hash == ip_hash))
    session.add(LoginAttempt(email=email, ip_hash=ip_hash, succeeded=True))


def prune(session: Session) -> None:
    """Old attempts carry no information any more."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - 4 * WINDOW))
