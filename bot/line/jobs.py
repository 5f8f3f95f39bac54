"""Worker jobs: the LINE queue loop (every worker process), purging old finished jobs (leader only).

``process_pending(app)`` runs what is due right now and returns when it is done —
for tests and hand runs; the worker runs ``QueueRunner.run_forever`` instead.
"""
from __future__ import annotations

import logging
import threading

from bot.line import queue
from bot.line.client import is_configured
from bot.line.runner import DEFAULT_THREADS, QueueRunner
from core.worker import every_worker, job_session, stop_event

log = logging.getLogger(__name__)

BATCH_SIZE = 50
JOB_ID = "line-queue"


def worker_threads(config) -> int:
    """LINE_WORKER_THREADS (declared in core.settings, validated at start)."""
    return max(1, int(config.get("LINE_WORKER_THREADS") or DEFAULT_THREADS))


def process_pending(app, limit: int = BATCH_SIZE) -> int:
    """Claim and run up to ``limit`` due LINE jobs (concurrently, each user's in order); how many ran."""
    if not is_configured(app.config):
        return 0
    runner = QueueRunner(app, threads=min(worker_threads(app.config), limit), capacity=limit)
    try:
        claimed = runner.claim_and_dispatch()
        runner.wait_idle()
    finally:
        runner.close()
    return claimed


@every_worker
def run_queue_loop(app, stop: threading.Event | None = None) -> None:
    """The LINE queue loop; runs for the life of the worker process (safe in every worker)."""
    runner = QueueRunner(app, threads=worker_threads(app.config))
    try:
        runner.run_forever(stop or stop_event(app))
    finally:
        runner.close()


def purge(app) -> None:
    with job_session(app) as session:
        removed = queue.purge_finished(session)
    if removed:
        log.info("purged %d finished bot job(s) older than %s", removed, queue.KEEP_FINISHED)


def register_jobs(scheduler, app) -> None:
    if not is_configured(app.config):
        log.warning("LINE channel off: the LINE queue worker is not scheduled")
    else:
        # No trigger: starts once, at once, and keeps its scheduler thread for the process lifetime.
        scheduler.add_job(run_queue_loop, args=[app], id=JOB_ID, max_instances=1)
    scheduler.add_job(purge, "cron", hour=4, minute=17, args=[app], id="bot-jobs-purge")
