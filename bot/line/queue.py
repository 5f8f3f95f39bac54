"""A persistent job queue on the ``bot_jobs`` table (SQLite and PostgreSQL).

The webhook only *enqueues* (one INSERT, duplicates ignored by the unique
key); worker processes claim due jobs (one statement per batch), run them and
record the outcomes. A claimed job carries a lease: if the worker dies mid-job
the lease runs out and the job becomes claimable again, so nothing lives only
in memory.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import and_, bindparam, delete, or_, select, update
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


@dataclass(frozen=True)
class Finished:
    """How a job ended: done, skipped or failed (``error`` says why)."""

    status: str = "done"
    error: str | None = None


@dataclass(frozen=True)
class Retry:
    """Run the job again later (after a backoff; failed for good after MAX_ATTEMPTS)."""

    error: str


Outcome = Finished | Retry


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


def lane_of_job(job: BotJob) -> str:
    return lane_of(job.id, job.payload)


@lru_cache(maxsize=8)
def _claim_statement(dialect_name: str, by_channel: bool):
    """UPDATE … WHERE id IN (due ids, oldest first, LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING the jobs.

    Built once per dialect: one statement (one round trip) claims a whole batch and
    returns the rows themselves, so nothing is read again before the jobs run.
    """
    now = bindparam("now")
    candidates = select(BotJob.id).where(_claimable(now)).order_by(BotJob.id).limit(bindparam("limit"))
    if by_channel:
        candidates = candidates.where(BotJob.channel == bindparam("claim_channel"))
    if dialect_name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # A CTE computed once (MATERIALIZED): a plain IN (subquery) may be re-scanned by the
    # planner, and a re-scan with SKIP LOCKED can yield other rows (more than LIMIT).
    due = candidates.cte("due")
    if dialect_name == "postgresql":
        due = due.prefix_with("MATERIALIZED")
    return (
        update(BotJob).where(BotJob.id.in_(select(due.c.id)), _claimable(now))
        .values(status="processing", locked_until=bindparam("lease_end"), attempts=BotJob.attempts + 1)
        .returning(BotJob)
        .execution_options(synchronize_session=False)
    )


def claim_jobs(session: Session, limit: int, channel: str | None = None) -> list[BotJob]:
    """Mark up to ``limit`` due jobs as processing (leased), commit, and return them, oldest first.

    Safe with several worker processes: on PostgreSQL the candidate rows are locked
    with SKIP LOCKED (concurrent claimers take different rows instead of waiting), and
    the UPDATE repeats the claimable condition, so a row is never claimed twice
    (SQLite: one writer at a time; a row already taken no longer matches). The jobs
    come back loaded (``expire_on_commit=False``): another session may ``add`` them
    and run them without reading them again.
    """
    if limit <= 0:
        return []
    now = utcnow()
    statement = _claim_statement(session.get_bind().dialect.name, bool(channel))
    params = {"now": now, "limit": limit, "lease_end": now + LEASE}
    if channel:
        params["claim_channel"] = channel
    jobs = session.scalars(statement, params).all()
    session.commit()
    return sorted(jobs, key=lambda job: job.id)


def claim_ids(session: Session, limit: int, channel: str | None = None) -> list[int]:
    """Claim like ``claim_jobs``; their ids, oldest first."""
    return [job.id for job in claim_jobs(session, limit, channel)]


def claim(session: Session, limit: int, channel: str | None = None) -> list[BotJob]:
    """Claim like ``claim_jobs`` (the jobs stay in ``session``), oldest first."""
    return claim_jobs(session, limit, channel)


def mark_finished(job: BotJob, status: str = "done", error: str | None = None) -> None:
    """Record the outcome on the job (the caller commits, possibly with other jobs' outcomes)."""
    job.status, job.locked_until, job.finished_at = status, None, utcnow()
    job.last_error = error


@lru_cache(maxsize=1)
def _finish_many_statement():
    # On the table, not the entity: a Core UPDATE skips the ORM's bulk-update machinery
    # (the job objects are not in the session any more; nothing there needs synchronising).
    table = BotJob.__table__
    return (
        update(table).where(table.c.id.in_(bindparam("ids", expanding=True)))
        .values(status=bindparam("new_status"), locked_until=None, finished_at=bindparam("finished"), last_error=None)
    )


def mark_many_finished(session: Session, ids: list[int], status: str = "done") -> None:
    """Record one plain outcome (no error) for many jobs in one statement (the caller commits).

    The job objects are not touched: for jobs needing more than the status (an error to
    keep, data to blank) record the outcome on the object instead (``mark_outcome``).
    """
    if ids:
        session.execute(_finish_many_statement(), {"ids": list(ids), "new_status": status, "finished": utcnow()})


def finish(session: Session, job: BotJob, status: str = "done", error: str | None = None) -> None:
    mark_finished(job, status, error)
    session.commit()


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def mark_retry(job: BotJob, error: str) -> None:
    """Put a job back for a later attempt, or give up after MAX_ATTEMPTS (the caller commits)."""
    if job.attempts >= MAX_ATTEMPTS:
        log.error("bot job %s (%s) failed for good after %d attempts: %s", job.id, job.kind, job.attempts,
                  excerpt(error))
        mark_finished(job, "failed", error)
        return
    delay = backoff(job.attempts)
    log.warning("bot job %s (%s) attempt %d failed, retrying in %ss: %s",
                job.id, job.kind, job.attempts, int(delay.total_seconds()), excerpt(error))
    job.status, job.locked_until, job.last_error = "pending", None, error
    job.run_after = utcnow() + delay


def retry_later(session: Session, job: BotJob, error: str) -> None:
    mark_retry(job, error)
    session.commit()


def mark_outcome(job: BotJob, outcome: Outcome) -> None:
    """Record ``outcome`` on the job (the caller commits)."""
    if isinstance(outcome, Retry):
        mark_retry(job, outcome.error)
    else:
        mark_finished(job, outcome.status, outcome.error)


def purge_finished(session: Session, keep: timedelta = KEEP_FINISHED) -> int:
    """Delete finished jobs older than ``keep`` (their ids no longer need de-duplicating)."""
    cutoff = utcnow() - keep
    result = session.execute(delete(BotJob).where(BotJob.status.in_(FINISHED), BotJob.created_at < cutoff))
    session.commit()
    return result.rowcount
