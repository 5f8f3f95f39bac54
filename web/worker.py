"""The one scheduler/worker process (APScheduler, never inside gunicorn workers).

Domains contribute jobs through ``register_jobs(scheduler, app)`` in their
``jobs`` module; the list below is the single place where they are wired.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger(__name__)

JOB_MODULES: tuple[str, ...] = ("content.jobs", "bot.line.jobs", "notifications.jobs", "events.jobs", "kpi.jobs")


@contextmanager
def job_session(app) -> Iterator:
    """An app context and a session of the job's own (scheduler threads share nothing).

    Uncommitted work is rolled back when the job ends, whether it failed or not.
    """
    from web.db import db

    with app.app_context():
        session = db.new_session()
        try:
            yield session
        finally:
            session.close()


def build_scheduler(app) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="Asia/Tokyo", job_defaults={"coalesce": True, "max_instances": 1})
    for name in JOB_MODULES:
        importlib.import_module(name).register_jobs(scheduler, app)
    return scheduler


def run_worker(app) -> None:
    scheduler = build_scheduler(app)
    log.info("worker started with %d job(s)", len(scheduler.get_jobs()))
    scheduler.start()
