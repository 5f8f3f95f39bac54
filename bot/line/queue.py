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


_RAW_COLUMNS = ("channel", "kind", "dedup_key", "payload", "status", "attempts", "run_after", "created_at")
RAW_ROWS_PER_STATEMENT = 500  # 4,000 parameters: under every driver's and server's limit


@lru_cache(maxsize=64)
def _raw_insert_sql(paramstyle: str, row_count: int) -> str:
    mark = "?" if paramstyle == "qmark" else "%s"
    values = "(" + ", ".join([mark] * len(_RAW_COLUMNS)) + ")"
    return (f"INSERT INTO bot_jobs ({', '.join(_RAW_COLUMNS)}) VALUES {', '.join([values] * row_count)} "
            "ON CONFLICT (channel, dedup_key) DO NOTHING")


@lru_cache(maxsize=32)
def _bind_processor(dialect, column_name: str):
    """What SQLAlchemy does to a value of this column before the driver sees it (JSON, UTC datetimes)."""
    column_type = BotJob.__table__.c[column_name].type.dialect_impl(dialect)
    return column_type.bind_processor(dialect) or (lambda value: value)


def raw_insert_statements(dialect, jobs_by_channel: dict[str, list[NewJob]]) -> list[tuple[str, list]]:
    """``insert_jobs`` as bare driver statements (SQL, flat parameters): the webhook's hot path.

    Values go through the columns' own SQLAlchemy bind processors, so rows are stored
    exactly as the ORM would store them; only the statement machinery is skipped. One
    multi-row statement per 500 rows, so a usual batch is a single round trip.
    """
    rows = [row for channel, jobs in jobs_by_channel.items() for row in _rows(channel, jobs)]
    processors = [_bind_processor(dialect, name) for name in _RAW_COLUMNS]
    statements = []
    for start in range(0, len(rows), RAW_ROWS_PER_STATEMENT):
        chunk = rows[start:start + RAW_ROWS_PER_STATEMENT]
        params = [process(row[name]) for row in chunk
                  for process, name in zip(processors, _RAW_COLUMNS, strict=True)]
        statements.append((_raw_insert_sql(dialect.paramstyle, len(chunk)), params))
    return statements


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


def lane_of(job_id: int, payload) -> str:
    """Jobs of one user share a lane (run in order); anything else runs on its own."""
    if isinstance(payload, dict):
        source = payload.get("source")
        user = payload.get("user_id") or (source.get("userId") if isinstance(source, dict) else None)
        if isinstance(user, str) and user:
            return f"user:{user}"
    return f"job:{job_id}"


def claim_lanes(session: Session, limit: int, channel: str | None = None) -> list[tuple[int, str]]:
    """Claim like ``claim_ids``; returns (id, lane) pairs, oldest first."""
    ids = claim_ids(session, limit, channel)
    if not ids:
        return []
    rows = session.execute(select(BotJob.id, BotJob.payload).where(BotJob.id.in_(ids)).order_by(BotJob.id)).all()
    session.commit()
    return [(job_id, lane_of(job_id, payload)) for job_id, payload in rows]


def claim_ids(session: Session, limit: int, channel: str | None = None) -> list[int]:
    """Mark up to ``limit`` due jobs as processing (leased) and commit; their ids, oldest first.

    Safe with several worker processes: on PostgreSQL the candidate rows are locked
    with SKIP LOCKED (concurrent claimers take different rows instead of waiting), and
    the UPDATE repeats the claimable condition, so a row is never claimed twice
    (SQLite: one writer at a time; a row already taken no longer matches).
    """
    if limit <= 0:
        return []
    now = utcnow()
    query = select(BotJob.id).where(_claimable(now)).order_by(BotJob.id).limit(limit)
    if channel:
        query = query.where(BotJob.channel == channel)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    candidates = session.scalars(query).all()
    if not candidates:
        session.commit()
        return []
    claimed = session.scalars(
        update(BotJob).where(BotJob.id.in_(candidates), _claimable(now))
        .values(status="processing", locked_until=now + LEASE, attempts=BotJob.attempts + 1)
        .returning(BotJob.id)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    return sorted(claimed)


def claim(session: Session, limit: int, channel: str | None = None) -> list[BotJob]:
    """Claim like ``claim_ids`` and return the jobs themselves, oldest first."""
    ids = claim_ids(session, limit, channel)
    if not ids:
        return []
    jobs = session.scalars(
        select(BotJob).where(BotJob.id.in_(ids)).order_by(BotJob.id).execution_options(populate_existing=True)
    ).all()
    return list(jobs)


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
