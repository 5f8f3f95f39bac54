"""Maintenance jobs as console buttons (clear demo KPI data, deploy rich menus, sync Discord,
rebuild the search index): staff request one, the worker runs it, the console shows the
result, and both ends are in the audit log. Job kinds are registered with
``add_job_kind`` (the site shell wires the domains' runners)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
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
    run: Callable  # run(app, session) -> Japanese result line


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


def _claim(session: Session) -> ConsoleJob | None:
    job_id = session.scalar(select(ConsoleJob.id).where(ConsoleJob.status == "queued").order_by(ConsoleJob.id).limit(1))
    if job_id is None:
        return None
    claimed = session.execute(update(ConsoleJob).where(ConsoleJob.id == job_id, ConsoleJob.status == "queued")
                              .values(status="running", started_at=utcnow())).rowcount
    session.commit()
    return session.get(ConsoleJob, job_id) if claimed == 1 else None


def run_next(app, session: Session) -> ConsoleJob | None:
    """Run the oldest queued job (one per call); its outcome is stored and audited."""
    job = _claim(session)
    if job is None:
        return None
    kind = kinds(app).get(job.kind)
    try:
        if kind is None:
            raise JobError("この作業は用意されていません")
        job.message, job.status = kind.run(app, session)[:1000], "done"
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
