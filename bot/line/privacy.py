"""データ削除 for the bot queue: erase a chat user's jobs when ``core.signals.subscriber_erased`` fires.

Queued and finished ``bot_jobs`` rows hold the user id and whatever the user
typed (the raw event payload, the rendered answer in ``result``) for up to a
week. On erasure those rows keep only what the queue itself needs (their id,
status and a de-duplication key without the user id): payload, result and
error text are blanked, and jobs still waiting are skipped.

The job being processed right now (usually the 「削除する」 answer itself) still
needs its answer and the user id to deliver it, so it is blanked as soon as
the worker marks it finished, in that same commit.
"""
from __future__ import annotations

from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session

from bot.line.models import BotJob
from bot.line.queue import FINISHED
from core.db import utcnow

ERASED_KEY_PREFIX = "erased:"


def _holds_user(user_id: str):
    return or_(
        BotJob.payload[("source", "userId")].as_string() == user_id,  # a LINE webhook event
        BotJob.payload["user_id"].as_string() == user_id,  # follow-up work (rich menu links)
        BotJob.result["user_id"].as_string() == user_id,  # a rendered answer
        BotJob.dedup_key.contains(user_id, autoescape=True),
    )


def _blank(job: BotJob, user_id: str) -> None:
    job.payload, job.result, job.last_error = {}, None, None
    if user_id in job.dedup_key:
        # Event ids carry nothing personal (and keep recognising redeliveries); rich-menu keys embed the user id.
        job.dedup_key = f"{ERASED_KEY_PREFIX}{job.id}"


def erase_user_jobs(session: Session, channel: str, user_id: str) -> int:
    """Blank every job of ``user_id`` on ``channel`` (in the caller's transaction). Returns jobs touched."""
    if not user_id:
        return 0
    jobs = session.scalars(select(BotJob).where(BotJob.channel == channel, _holds_user(user_id))).all()
    in_flight = set()
    for job in jobs:
        if job.status == "processing":
            in_flight.add(job.id)
            continue
        if job.status == "pending":
            job.status, job.finished_at = "skipped", utcnow()
        _blank(job, user_id)
    if in_flight:
        _blank_when_finished(session, in_flight, user_id)
    return len(jobs)


_IN_FLIGHT_KEY = "bot_line_erased_in_flight"  # in session.info: job id → erased user id


def _blank_when_finished(session: Session, job_ids: set[int], user_id: str) -> None:
    """Blank the in-flight jobs in the flush that records them as finished."""
    session.info.setdefault(_IN_FLIGHT_KEY, {}).update(dict.fromkeys(job_ids, user_id))
    if not event.contains(session, "before_flush", _blank_finished_in_flight):
        event.listen(session, "before_flush", _blank_finished_in_flight)


def erased_in_flight(session: Session) -> set[int]:
    """Ids of jobs in flight whose user was erased in this session: record their outcome on the
    job object (the flush that records it blanks them), not by a bulk statement."""
    return set(session.info.get(_IN_FLIGHT_KEY) or ())


def _blank_finished_in_flight(session: Session, _context, _instances) -> None:
    waiting = session.info.get(_IN_FLIGHT_KEY)
    if not waiting:
        return  # (listeners cannot be removed while they run; an idle one costs nothing)
    for obj in list(session.dirty):
        if isinstance(obj, BotJob) and obj.id in waiting and obj.status in FINISHED:
            _blank(obj, waiting.pop(obj.id))


def _on_subscriber_erased(user_id: str, *, session: Session, channel: str) -> None:
    erase_user_jobs(session, channel, user_id)


def connect() -> None:
    from core import signals

    signals.subscriber_erased.connect(_on_subscriber_erased)
