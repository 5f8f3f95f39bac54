"""Worker job of the notifications domain: deliver due broadcasts and pushes.

The job wakes up every few seconds (BROADCAST_POLL_SECONDS, default 5) and
drains the outbox for most of that interval (BROADCAST_RUN_BUDGET_SECONDS,
default 90 % of it), so a large broadcast flows almost continuously while runs
never overlap (APScheduler would only log skipped runs).
"""
from __future__ import annotations

import logging

from core.leadership import live_workers
from core.worker import every_worker, job_session
from notifications.dispatcher import Dispatcher, RunStats
from notifications.settings import delivery_settings

log = logging.getLogger(__name__)

JOB_ID = "notifications.deliver"


@every_worker  # the outbox is claimed with tokens and leases: safe in every worker process
def run_once(app, budget_seconds: float | None = None) -> RunStats:
    """One pass: start due broadcasts, send what is due; returns what happened."""
    with job_session(app) as session:
        workers = live_workers(session.connection())
        session.commit()
        with Dispatcher(app.config, share_of=workers) as dispatcher:
            stats = dispatcher.run_once(session, budget_seconds)
    if stats.attempts or stats.started:
        log.info("deliveries: started=%s sent=%d retry=%d failed=%d stopped=%d", stats.started,
                 stats.sent, stats.retried, stats.failed, stats.stopped)
    return stats


def register_jobs(scheduler, app) -> None:
    seconds = delivery_settings(app.config).poll_seconds
    scheduler.add_job(run_once, "interval", seconds=seconds, args=[app], id=JOB_ID, replace_existing=True)
