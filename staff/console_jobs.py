"""Maintenance jobs as console buttons (clear demo KPI data, deploy rich menus, sync Discord,
rebuild the search index): staff request one, the worker runs it, the console shows its
progress (e.g. 1,200 / 5,000 件) while it runs and the result after, and both ends are in
the audit log. Job kinds are registered with ``add_job_kind`` (the site shell wires the
domains' runners)."""
from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core.db import utcnow
from staff import audit
from staff.models import ConsoleJob

log = logging.getLogger(__name__)
EXTENSION_KEY = "monozukuri.console_jobs"
STATUS_LABELS = {"queued": "順番待ち", "running": "実行中", "done": "完了", "failed": "失敗"}


class JobError(Exception):
    """A job that could not do its work; ``str(exc)`` is shown to staff in Japanese."""


@dataclass(frozen=True)
class JobKind:
    key: str
    label: str  # the button, in plain Japanese
    explanation: str
    run: Callable  # run(app, session[, progress]) -> Japanese result line; progress(done, total)


def add_job_kind(app, kind: JobKind) -> None:
    app.extensions.setdefault(EXTENSION_KEY, {})[kind.key] = kind


def kinds(app) -> dict[str, JobKind]:
    return app.extensions.get(EXTENSION_KEY, {})


def request_job(session: Session, app, staff, key: str) -> ConsoleJob:
    if key not in kinds(app):
        raise JobError("この作業は用意されていません")
    busy = select(ConsoleJob.id).where(ConsoleJob.kind == key, ConsoleJob.status.in_(("queued", "running")))
    if session.scalar(busy.limit(1)) is not None:
        raise JobError("同じ作業がすでに順番待ちか実行中です。終わるまでお待ちください")
    job = ConsoleJob(kind=key, requested_by_id=staff.id)
    session.add(job)
    session.flush()
    audit.record(session, staff, "job.request", "console_job", job.id, {"kind": key})
    return job


def recent(session: Session, limit: int = 20) -> list[ConsoleJob]:
    return list(session.scalars(select(ConsoleJob).order_by(ConsoleJob.id.desc()).limit(limit)))


class Progress:
    """``progress(done, total)``: how far a running job is, for the console page.

    Written on its own short transaction (not the job's session), so the console sees
    it while the job still runs; at most every ``interval`` seconds, and always when
    the job reaches its total. A runner reports between its own commits (on SQLite a
    job holding a write transaction would make this wait), and a report that cannot be
    written is skipped: progress is a courtesy, never a reason for a job to fail.
    """

    def __init__(self, engine, job_id: int, interval: float = 0.5) -> None:
        self.engine, self.job_id, self.interval = engine, job_id, interval
        self.done: int | None = None
        self.total: int | None = None
        self._written_at = 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = max(0, int(done))
        if total is not None:
            self.total = max(0, int(total))
        now = time.monotonic()
        final = self.total is not None and self.done >= self.total
        if final or now - self._written_at >= self.interval:
            self._written_at = now
            self._write()

    def _write(self) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(update(ConsoleJob.__table__).where(ConsoleJob.__table__.c.id == self.job_id)
                             .values(progress_done=self.done, progress_total=self.total))
        except SQLAlchemyError as exc:
            log.info("progress of console job %s not written: %s", self.job_id, exc)


def progress_text(job: ConsoleJob) -> str:
    """「1,200 / 5,000 件（24%）」, or "" before the job has reported anything."""
    done, total = job.progress_done, job.progress_total
    if done is None:
        return ""
    if not total:
        return f"{done:,} 件"
    return f"{min(done, total):,} / {total:,} 件（{percent(job)}%）"


def percent(job: ConsoleJob) -> int | None:
    if job.progress_done is None or not job.progress_total:
        return None
    return min(100, job.progress_done * 100 // job.progress_total)


def status_view(app, job: ConsoleJob) -> dict:
    """One job as the console shows it (the page and its JSON poll share this)."""
    kind = kinds(app).get(job.kind)
    return {"id": job.id, "label": kind.label if kind else "（終了した作業）", "status": job.status,
            "status_label": STATUS_LABELS.get(job.status, job.status),
            "active": job.status in ("queued", "running"), "progress": progress_text(job), "percent": percent(job),
            "message": job.message, "created_at": job.created_at}


def _takes_progress(run: Callable) -> bool:
    """Runners written before progress existed take (app, session) only."""
    try:
        parameters = inspect.signature(run).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.kind == p.VAR_POSITIONAL for p in parameters) or len(
        [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) >= 3


def _claim(session: Session) -> ConsoleJob | None:
    job_id = session.scalar(select(ConsoleJob.id).where(ConsoleJob.status == "queued").order_by(ConsoleJob.id).limit(1))
    if job_id is None:
        return None
    claimed = session.execute(update(ConsoleJob).where(ConsoleJob.id == job_id, ConsoleJob.status == "queued")
                              .values(status="running", started_at=utcnow())).rowcount
    session.commit()
    return session.get(ConsoleJob, job_id) if claimed == 1 else None


def run_next(app, session: Session, progress_interval: float = 0.5) -> ConsoleJob | None:
    """Run the oldest queued job (one per call); its outcome is stored and audited."""
    job = _claim(session)
    if job is None:
        return None
    kind = kinds(app).get(job.kind)
    progress = Progress(session.get_bind(), job.id, progress_interval)
    try:
        if kind is None:
            raise JobError("この作業は用意されていません")
        message = kind.run(app, session, progress) if _takes_progress(kind.run) else kind.run(app, session)
        session.refresh(job)  # the progress writes went through another connection
        job.message, job.status = message[:1000], "done"
        if progress.total is not None:
            job.progress_done = progress.total
    except JobError as exc:
        session.rollback()
        job.message, job.status = str(exc)[:1000], "failed"
    except Exception as exc:  # a failed job is reported in the console, never lost
        session.rollback()
        log.exception("console job %s (%s) failed", job.id, job.kind)
        job.message, job.status = f"うまくいきませんでした（{type(exc).__name__}）。もう一度お試しください", "failed"
    job.finished_at = utcnow()
    audit.record(session, None, f"job.{job.status}", "console_job", job.id, {"kind": job.kind, "message": job.message})
    session.commit()
    return job
