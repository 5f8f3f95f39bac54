"""The outbox: claiming due rows, writing attempt results, closing finished broadcasts.

Claiming is one atomic ``UPDATE ... WHERE id IN (SELECT ... LIMIT n)`` that
stamps the rows with a claim token and a lease; on PostgreSQL the inner
SELECT takes ``FOR UPDATE SKIP LOCKED`` so concurrent workers split the work
instead of queueing behind each other. A row whose worker died is claimed
again once its lease has run out, and is resent with its stored retry key.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import Session

from channels.outcome import Outcome
from notifications.models import Broadcast, BroadcastDelivery

D = BroadcastDelivery
TERMINAL = ("sent", "failed", "stopped", "cancelled")


@dataclass(frozen=True)
class ClaimedRow:
    """A plain snapshot of a claimed row, safe to hand to sender threads."""

    id: int
    broadcast_id: int
    channel: str
    target: str | None
    mention: str | None
    recipients: list[str] | None
    retry_key: str
    attempts: int
    claim_token: str
    segment: str | None = None


def _claimable(now: datetime):
    return or_(
        and_(D.status == "pending", D.next_attempt_at <= now),
        and_(D.status == "sending", D.locked_until < now),  # lease expired: its worker is gone
    )


def claim(session: Session, now: datetime, limit: int, lease_seconds: float) -> list[ClaimedRow]:
    """Claim up to ``limit`` due rows for this worker and commit the claim."""
    token = secrets.token_hex(16)
    candidates = select(D.id).where(_claimable(now)).order_by(D.next_attempt_at, D.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # Two statements, not UPDATE ... IN (SELECT ... LIMIT): PostgreSQL may re-run such a
    # subquery per row and claim more than ``limit``. The locks (PostgreSQL) and the
    # repeated condition (SQLite, one writer at a time) keep the claim exclusive.
    ids = list(session.scalars(candidates))
    if not ids:
        session.commit()
        return []
    session.execute(
        update(D).where(D.id.in_(ids), _claimable(now))
        .values(status="sending", claim_token=token, locked_until=now + timedelta(seconds=lease_seconds),
                attempts=D.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    rows = session.execute(
        select(D.id, D.broadcast_id, D.channel, D.target, D.mention, D.recipients, D.retry_key, D.attempts,
               D.segment)
        .where(D.claim_token == token).order_by(D.id)
    ).all()
    return [ClaimedRow(*row[:8], claim_token=token, segment=row[8]) for row in rows]


@dataclass(frozen=True)
class Decision:
    """What an outcome means for the row: its next status and when to try again."""

    status: str
    next_attempt_at: datetime | None = None


_WRITE = (
    update(D.__table__)
    .where(D.__table__.c.id == bindparam("row_id"), D.__table__.c.claim_token == bindparam("token"))
    .values(status=bindparam("new_status"), next_attempt_at=bindparam("next_at"),
            last_status=bindparam("http_status"), last_error=bindparam("error"),
            external_ref=bindparam("ref"), sent_at=bindparam("sent"), locked_until=None, claim_token=None)
)


def record(session: Session, results: list[tuple[ClaimedRow, Outcome, Decision]], now: datetime) -> None:
    """Write many attempt results with one executemany.

    The claim token in the WHERE clause makes a late writer (whose lease ran
    out and whose row another worker took over) change nothing.
    """
    if not results:
        return
    params = [{
        "row_id": row.id, "token": row.claim_token, "new_status": decision.status,
        "next_at": decision.next_attempt_at or now, "http_status": outcome.http_status,
        "error": outcome.error, "ref": outcome.external_ref,
        "sent": now if decision.status == "sent" else None,
    } for row, outcome, decision in results]
    session.connection().execute(_WRITE, params)


def stop_broadcast(session: Session, broadcast_id: int, reason: str, now: datetime) -> None:
    """Quota exhausted: hold every LINE row still waiting, and tell staff why."""
    session.execute(
        update(D).where(D.broadcast_id == broadcast_id, D.channel == "line", D.status == "pending")
        .values(status="stopped", last_error=reason).execution_options(synchronize_session=False)
    )
    session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id)
        .values(status="stopped", stop_reason=reason, finished_at=now)
        .execution_options(synchronize_session=False)
    )


def finish_broadcasts(session: Session, broadcast_ids: set[int], now: datetime) -> None:
    """Mark broadcasts whose rows are all terminal as done (or failed when nothing got out)."""
    for broadcast_id in sorted(broadcast_ids):
        open_rows = exists().where(D.broadcast_id == broadcast_id, D.status.not_in(TERMINAL))
        if session.scalar(select(open_rows)):
            continue
        sent = session.scalar(select(func.count()).where(D.broadcast_id == broadcast_id, D.status == "sent"))
        total = session.scalar(select(func.count()).where(D.broadcast_id == broadcast_id))
        status = "done" if sent or not total else "failed"
        session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == "sending")
            .values(status=status, finished_at=now).execution_options(synchronize_session=False)
        )


def sending_broadcast_ids(session: Session) -> set[int]:
    """Broadcasts in progress, to close those finished by rows written elsewhere (e.g. web only)."""
    return set(session.scalars(select(Broadcast.id).where(Broadcast.status == "sending")))
