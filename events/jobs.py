"""Worker jobs of the events domain (wired in ``core.worker.JOB_MODULES``)."""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from core.worker import job_session
from events import lottery, notices, privacy, reminders

log = logging.getLogger(__name__)


def _run(app, name: str, work: Callable[[Session, dict], object]) -> object:
    with job_session(app) as session:
        try:
            result = work(session, app.config)
            log.info("events job %s: %s", name, result)
            return result
        except Exception:  # one failed round must not stop the scheduler; the next round retries
            log.exception("events job %s failed", name)
            return None


def offers_job(app) -> object:
    return _run(app, "offers", lambda s, c: reminders.run_offers(s, c))


def reminders_job(app) -> object:
    return _run(app, "reminders", lambda s, c: reminders.send_reminders(s, c))


def lottery_job(app) -> object:
    return _run(app, "lottery", lambda s, c: lottery.run_due_draws(s, c))


def mail_job(app) -> object:
    return _run(app, "mail", lambda s, c: notices.send_pending_mail(s, c))


def purge_job(app) -> object:
    return _run(app, "purge", lambda s, c: privacy.purge_after_events(s, privacy.retention_days(c)))


def register_jobs(scheduler, app) -> None:
    scheduler.add_job(offers_job, "interval", minutes=5, args=[app], id="events-offers")
    scheduler.add_job(reminders_job, "interval", minutes=10, args=[app], id="events-reminders")
    scheduler.add_job(mail_job, "interval", minutes=1, args=[app], id="events-mail")
    scheduler.add_job(lottery_job, "interval", minutes=1, args=[app], id="events-lottery")
    scheduler.add_job(purge_job, "cron", hour=3, minute=30, args=[app], id="events-purge")
