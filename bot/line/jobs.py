"""Worker jobs: drain the LINE queue every second, purge old finished jobs daily.

``process_pending(app)`` is the single way queued events get processed — by
the scheduler in the worker process and directly by tests.
"""
from __future__ import annotations

import logging

from bot.line import queue
from bot.line.client import is_configured, messaging_api
from bot.line.processor import run_job
from core.worker import job_session

log = logging.getLogger(__name__)

BATCH_SIZE = 50
POLL_SECONDS = 1


def process_pending(app, limit: int = BATCH_SIZE) -> int:
    """Claim and run up to ``limit`` due LINE jobs; returns how many ran."""
    if not is_configured(app.config):
        return 0
    with job_session(app) as session:
        jobs = queue.claim(session, limit, channel="line")
        if not jobs:
            return 0
        with messaging_api(app.config) as api:
            for job in jobs:
                run_job(session, api, job, app.config)
        return len(jobs)


def drain(app) -> None:
    """Run batches until the queue has nothing due (one scheduler tick)."""
    while process_pending(app) == BATCH_SIZE:
        pass


def purge(app) -> None:
    with job_session(app) as session:
        removed = queue.purge_finished(session)
    if removed:
        log.info("purged %d finished bot job(s) older than %s", removed, queue.KEEP_FINISHED)


def register_jobs(scheduler, app) -> None:
    if not is_configured(app.config):
        log.warning("LINE channel off: the LINE queue worker is not scheduled")
    else:
        scheduler.add_job(drain, "interval", seconds=POLL_SECONDS, args=[app], id="line-queue",
                          max_instances=1, coalesce=True)
    scheduler.add_job(purge, "cron", hour=4, minute=17, args=[app], id="bot-jobs-purge")
