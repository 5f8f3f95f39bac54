"""The bot_jobs queue: de-duplicated inserts, leases, backoff, purge."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.line import queue
from bot.line.models import BotJob
from core.db import utcnow


def new(key: str) -> queue.NewJob:
    return queue.NewJob(key, {"k": key}, "line_event")


def test_enqueue_counts_only_new_keys(app, session):
    assert queue.enqueue(session, "line", [new("a")]) == 1
    assert queue.enqueue(session, "line", [new("a"), new("b"), new("c")]) == 2
    assert queue.enqueue(session, "discord", [new("a")]) == 1  # keys are unique per channel


def test_claim_takes_due_jobs_oldest_first_and_leases_them(app, session):
    queue.enqueue(session, "line", [new("a"), new("b"), new("c")])
    claimed = queue.claim(session, 2, channel="line")
    assert [j.dedup_key for j in claimed] == ["a", "b"]
    assert all(j.status == "processing" and j.attempts == 1 and j.locked_until > utcnow() for j in claimed)
    assert [j.dedup_key for j in queue.claim(session, 5)] == ["c"]
    assert queue.claim(session, 5) == []


def test_backoff_grows_and_gives_up_after_max_attempts(app, session):
    queue.enqueue(session, "line", [new("a")])
    assert queue.backoff(1) < queue.backoff(2) < queue.backoff(3) <= queue.BACKOFF_MAX
    [job] = queue.claim(session, 1)
    job.attempts = queue.MAX_ATTEMPTS
    queue.retry_later(session, job, "boom")
    assert job.status == "failed" and job.last_error == "boom"


def test_purge_keeps_a_week_of_finished_jobs_and_all_pending(app, session):
    queue.enqueue(session, "line", [new("old-done"), new("new-done"), new("old-pending")])
    session.execute(update(BotJob).where(BotJob.dedup_key != "new-done").values(created_at=utcnow() - timedelta(days=8)))
    session.execute(update(BotJob).where(BotJob.dedup_key.like("%done")).values(status="done"))
    session.commit()
    assert queue.purge_finished(session) == 1
    assert sorted(j.dedup_key for j in session.query(BotJob)) == ["new-done", "old-pending"]
    # A redelivery of a purged id would be new again; within the week it is still recognised.
    assert queue.enqueue(session, "line", [new("new-done")]) == 0


class _Scheduler:
    def __init__(self):
        self.jobs = {}

    def add_job(self, func, trigger=None, **options):
        self.jobs[options["id"]] = (func, trigger, options)


def test_worker_runs_the_queue_loop_in_every_worker_and_purges_daily(line_app):
    from bot.line.jobs import register_jobs

    scheduler = _Scheduler()
    register_jobs(scheduler, line_app)
    loop, trigger, _options = scheduler.jobs["line-queue"]
    assert trigger is None and loop.every_worker  # starts at once, runs for the process lifetime
    assert not getattr(scheduler.jobs["bot-jobs-purge"][0], "every_worker", False)
    assert scheduler.jobs["bot-jobs-purge"][1] == "cron"


def test_worker_does_not_poll_when_line_is_off(app):
    from bot.line.jobs import process_pending, register_jobs

    scheduler = _Scheduler()
    register_jobs(scheduler, app)
    assert "line-queue" not in scheduler.jobs and "bot-jobs-purge" in scheduler.jobs
    assert process_pending(app) == 0
