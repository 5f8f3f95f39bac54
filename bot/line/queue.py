"""A persistent job queue on the ``bot_jobs`` table (SQLite and PostgreSQL).

The webhook only *enqueues* (one INSERT, duplicates ignored by the unique
key); the single worker process claims due jobs, runs them and records the
outcome. A claimed job carries a lease: if the worker dies mid-job the lease
runs out and the job becomes claimable again, so nothing lives only in memory.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.line.models import BotJob
from core.db import utcnow
from core.logsafe import excerpt

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX = timedelta(hours=1)
# LINE redelivers for a limited window; keeping finished ids a week is ample.
KEEP_FINISHED = timedelta(days=7)
FINISHED = ("done", "failed", "skipped")


@dataclass(frozen=True)
class NewJob:
    dedup_key: str
    payload: dict
    kind: str


@lru_cache(maxsize=4)
def _insert_statement(dialect_name: str):
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, built once per dialect (compiled once, cached)."""
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    table = BotJob.__table__
    return (
        insert(table).on_conflict_do_nothing(index_elements=["channel", "dedup_key"])
        .returning(table.c.id)  # rowcount is unreliable for multi-row inserts; returned ids are not
    )


def _rows(channel: str, jobs: Iterable[NewJob]) -> list[dict]:
    now = utcnow()
    return [
        {"channel": channel, "kind": job.kind, "dedup_key": job.dedup_key, "payload": job.payload,
         "status": "pending", "attempts": 0, "run_after": now, "created_at": now}
        for job in jobs
    ]


def insert_jobs(connection: Connection, channel: str, jobs: Iterable[NewJob]) -> int:
    """Insert (without committing), skipping keys already stored. Returns rows inserted."""
    rows = _rows(channel, jobs)
    if not rows:
        return 0
    statement = _insert_statement(connection.dialect.name)
    return len(connection.execute(statement, rows).all())


def enqueue(session: Session, channel: str, jobs: Iterable[NewJob]) -> int:
    """Insert jobs and commit, skipping keys already stored. Returns rows inserted."""
    inserted = insert_jobs(session.connection(), channel, jobs)
    session.commit()
    return inserted


def _claimable(now):
    return or_(
        and_(BotJob.status == "pending", BotJob.run_after <= now),
        and_(BotJob.status == "processing", BotJob.locked_until < now),
    )


def claim(session: Session, limit: int, channel: str | None = None) -> list[BotJob]:
    """Mark up to ``limit`` due jobs as processing (leased) and return them, oldest first."""
    now = utcnow()
    query = select(BotJob.id).where(_claimable(now)).order_by(BotJob.id).limit(limit)
    if channel:
        query = query.where(BotJob.channel == channel)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for job_id in session.scalars(query).all():
        # The conditional UPDATE makes the claim atomic even without row locks (SQLite).
        result = session.execute(
            update(BotJob).where(BotJob.id == job_id, _claimable(now))
            .values(status="processing", locked_until=now + LEASE, attempts=BotJob.attempts + 1)
        )
        if result.rowcount == 1:
            claimed.append(job_id)
    session.commit()
    return [session.get(BotJob, job_id, populate_existing=True) for job_id in claimed]


def finish(session: Session, job: BotJob, status: str = "done", error: str | None = None) -> None:
    job.status, job.locked_until, job.finished_at = status, None, utcnow()
    job.last_error = error
    session.commit()


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def retry_later(session: Session, job: BotJob, error: str) -> None:
    """Put a job back for a later attempt, or give up after MAX_ATTEMPTS."""
    if job.attempts >= MAX_ATTEMPTS:
        log.error("bot job %s (%s) failed for good after %d attempts: %s", job.id, job.kind, job.attempts,
                  excerpt(error))
        finish(session, job, "failed", error)
        return
    delay = backoff(job.attempts)
    log.warning("bot job %s (%s) attempt %d failed, retrying in %ss: %s",
                job.id, job.kind, job.attempts, int(delay.total_seconds()), excerpt(error))
    job.status, job.locked_until, job.last_error = "pending", None, error
    job.run_after = utcnow() + delay
    session.commit()


def purge_finished(session: Session, keep: timedelta = KEEP_FINISHED) -> int:
    """Delete finished jobs older than ``keep`` (their ids no longer need de-duplicating)."""
    cutoff = utcnow() - keep
    result = session.execute(delete(BotJob).where(BotJob.status.in_(FINISHED), BotJob.created_at < cutoff))
    session.commit()
    return result.rowcount
