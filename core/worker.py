"""The one scheduler/worker process (APScheduler, never inside gunicorn workers).

Domains contribute jobs through ``register_jobs(scheduler, app)`` in their
``jobs`` module; the app's list of domains (``app.extensions["domains"]``) says which.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from apscheduler.schedulers.blocking import BlockingScheduler

from core.domains import optional_modules

log = logging.getLogger(__name__)


@contextmanager
def job_session(app) -> Iterator:
    """An app context and a session of the job's own (scheduler threads share nothing).

    Uncommitted work is rolled back when the job ends, whether it failed or not.
    """
    from core.db import db

    with app.app_context():
        session = db.new_session()
        try:
            yield session
        finally:
            session.close()


def build_scheduler(app) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="Asia/Tokyo", job_defaults={"coalesce": True, "max_instances": 1})
    for module in optional_modules(app.extensions["domains"], "jobs"):
        module.register_jobs(scheduler, app)
    return scheduler


def run_worker(app) -> None:
    scheduler = build_scheduler(app)
    log.info("worker started with %d job(s)", len(scheduler.get_jobs()))
    scheduler.start()
