"""The scheduler/worker process (APScheduler, never inside gunicorn workers).

Domains contribute jobs through ``register_jobs(scheduler, app)`` in their
``jobs`` module; the app's list of domains (``app.extensions["domains"]``) says which.

Several worker processes may run on PostgreSQL. A job marked ``@every_worker``
(it claims its rows, so running it in parallel is safe) runs in each of them;
every other job runs only in the leader (``core.leadership``). On SQLite run
one worker process only.
"""
from __future__ import annotations

import functools
import gc
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from apscheduler.schedulers.blocking import BlockingScheduler

from core.domains import optional_modules
from core.leadership import Leadership

log = logging.getLogger(__name__)

LEADERSHIP_JOB_ID = "worker-leadership"
STOP_EXTENSION = "worker_stop"


def stop_event(app) -> threading.Event:
    """Set when the worker is asked to stop: long-running jobs finish what they hold and return."""
    return app.extensions.setdefault(STOP_EXTENSION, threading.Event())


def every_worker(func: Callable) -> Callable:
    """Mark a job as safe to run in every worker process at once (it claims its own work)."""
    func.every_worker = True
    return func


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


def leader_only(func: Callable, leadership: Leadership) -> Callable:
    @functools.wraps(func)
    def run_if_leader(*args, **kwargs):
        if leadership.is_leader:
            return func(*args, **kwargs)
        return None

    return run_if_leader


class _LeaderAwareScheduler:
    """What ``register_jobs`` sees: ``add_job`` gates every job not marked ``@every_worker``."""

    def __init__(self, scheduler: BlockingScheduler, leadership: Leadership):
        self._scheduler = scheduler
        self._leadership = leadership

    def add_job(self, func, *args, **kwargs):
        if not getattr(func, "every_worker", False):
            func = leader_only(func, self._leadership)
        return self._scheduler.add_job(func, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._scheduler, name)


def build_scheduler(app, leadership: Leadership | None = None) -> BlockingScheduler:
    from core.db import db

    with app.app_context():
        leadership = leadership or Leadership(db.engine)
    scheduler = BlockingScheduler(timezone="Asia/Tokyo", job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.leadership = leadership
    gated = _LeaderAwareScheduler(scheduler, leadership)
    for module in optional_modules(app.extensions["domains"], "jobs"):
        module.register_jobs(gated, app)
    scheduler.add_job(leadership.refresh, "interval", seconds=app.config["WORKER_LEADER_RETRY_SECONDS"],
                      id=LEADERSHIP_JOB_ID)
    return scheduler


def settle(app) -> None:
    """Load what the jobs need, then set every object alive now aside from the cyclic collector.

    A worker holds a large, long-lived heap (the app, the tokenizer dictionary, the search
    index's reader). Every full collection walked all of it again: about a quarter of a second
    every few hundred chat events, some 8 % of the LINE worker's CPU. Frozen objects are never
    walked; what the jobs allocate later is collected as before.
    """
    from core.signals import worker_starting

    worker_starting.send(app)
    gc.collect()
    gc.freeze()


def yield_cpu_to_the_web(app) -> None:
    """Lower the worker's CPU priority (``WORKER_NICENESS``) below the web processes'.

    On a busy machine a page or a webhook acknowledgement is waited for by a person or by
    LINE (which gives up on slow webhooks); queued work is not, and it catches up as soon
    as the web processes are idle. A lower priority only matters when the CPUs are all
    busy: then the web processes get the larger share, the worker still gets some.
    """
    niceness = app.config["WORKER_NICENESS"]
    if niceness > 0 and hasattr(os, "nice"):
        os.nice(niceness)


def run_worker(app) -> None:
    scheduler = build_scheduler(app)
    settle(app)
    yield_cpu_to_the_web(app)
    _stop_gracefully_on_signals(app, scheduler)
    if scheduler.leadership.refresh():
        log.info("worker started with %d job(s); it runs the scheduled jobs", len(scheduler.get_jobs()))
    else:
        log.info("worker started with %d job(s); another worker runs the scheduled jobs for now",
                 len(scheduler.get_jobs()))
    try:
        scheduler.start()
    finally:
        scheduler.leadership.close()  # the lock goes at once, not when the connection times out
    log.info("worker stopped")


def _stop_gracefully_on_signals(app, scheduler: BlockingScheduler) -> None:
    """SIGTERM/SIGINT (a deploy, a scale-down): stop claiming, finish the jobs in flight, exit.

    Nothing is lost either way (claimed rows carry leases), but a graceful stop answers the
    events it already claimed while their reply tokens are fresh instead of leaving them to
    another worker minutes later.
    """
    stop = stop_event(app)

    def request_stop(signum, _frame) -> None:
        if stop.is_set():
            return
        log.info("worker: %s received; finishing the jobs in flight", signal.Signals(signum).name)
        stop.set()
        scheduler.shutdown(wait=True)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, request_stop)
