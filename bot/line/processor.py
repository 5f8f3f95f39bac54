"""The worker side of the LINE queue: answer a batch of claimed jobs.

A batch goes through three steps in one session:

1. *prepare*, job after job (each user's in order): a webhook-event job runs the
   conversation once and stores the rendered answer in ``job.result``, committed
   with the conversation's own changes in a transaction of its own. A job that
   fails here is rolled back alone: the jobs before it are already committed,
   the ones after it start a fresh transaction.
2. *deliver* the answers (the runner sends several users' answers at once, each
   user's in order). A failed delivery is retried from ``result`` later, so a
   retry never repeats the conversation's side effects (a topic toggled twice).
3. *record* every job's outcome (done, skipped, failed, or back to pending with a
   backoff) in one commit; if that commit fails, each outcome is committed alone.

One commit per job plus one per batch, instead of a session, a row read and two
commits per job: most of what a job cost was that bookkeeping, not the answer.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from linebot.v3.messaging import MessagingApi
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from bot.core import engine
from bot.line import events, queue, richmenu_links
from bot.line.client import REQUEST_TIMEOUT
from bot.line.models import BotJob
from bot.line.queue import Finished, Outcome, Retry
from bot.line.render import render
from bot.line.sender import SendFailed, deliver
from bot.line.webhook import EVENT_JOB_KIND
from core.logsafe import excerpt
from notifications.models import Subscriber
from notifications.subscriptions import find_subscriber, remember_subscribers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Send:
    """The answer is stored in ``job.result``; it still has to reach the user."""

    outbox: dict


@dataclass(frozen=True)
class Delivery:
    """One answer to send, as plain values (it may be sent from another thread)."""

    job_id: int
    dedup_key: str
    lane: str
    outbox: dict


def fetch_display_name(api: MessagingApi, user_id: str) -> str:
    """The LINE display name, or "" when the profile cannot be read (never fatal)."""
    try:
        return api.get_profile(user_id, _request_timeout=REQUEST_TIMEOUT).display_name or ""
    except Exception as exc:  # a missing name must not cost the user their welcome
        log.warning("LINE profile of a new friend could not be fetched: %s", exc)
        return ""


def _persona(session: Session, user_id: str) -> str | None:
    subscriber = find_subscriber(session, "line", user_id)
    return subscriber.persona if subscriber else None


def _persona_after(session: Session, user_id: str, known: Subscriber | None) -> str | None:
    """The persona after the turn: read from the row already loaded when there is one (no query)."""
    if known is None:
        return _persona(session, user_id)
    state = inspect(known)
    if state.deleted or state.was_deleted or state.detached:
        return None
    return known.persona  # refreshed from the database if the turn rolled back


def converse(session: Session, api: MessagingApi, job: BotJob, config: Mapping) -> dict | None:
    """Run the conversation for a webhook event; the outbox to deliver, None if skipped."""
    event = events.parse(job.payload)
    if event is None:
        return None
    name = fetch_display_name(api, event.source.user_id) if event.type == "follow" else ""
    message = events.to_incoming(event, display_name=name)
    if message is None:
        return None
    subscriber = find_subscriber(session, "line", message.user_id)
    persona_before = subscriber.persona if subscriber else None
    messages = render(engine.handle(session, message, config))
    if _persona_after(session, message.user_id, subscriber) != persona_before and message.kind != "unfollow":
        richmenu_links.queue_link(session, message.user_id, job.dedup_key)
    return {"user_id": message.user_id, "reply_token": message.route.reply_token,
            "timestamp": event.timestamp, "messages": messages}


def prepare_event_job(session: Session, api: MessagingApi, job: BotJob, config: Mapping) -> Finished | Send:
    """The answer to a webhook event, stored (committed) before it is sent; or the job is over."""
    if job.result is None:
        outbox = converse(session, api, job, config)
        if outbox is None:  # not an event the conversation answers (nothing was run)
            return Finished("skipped")
        job.result = outbox
        session.commit()
    if not job.result["messages"]:
        return Finished()
    return Send(job.result)


HANDLERS: dict[str, Callable[[Session, MessagingApi, BotJob, Mapping], Finished | Retry | Send]] = {
    EVENT_JOB_KIND: prepare_event_job,
    richmenu_links.LINK_JOB_KIND: richmenu_links.run_link_job,
}


def prepare(session: Session, api: MessagingApi, job: BotJob, config: Mapping) -> Finished | Retry | Send:
    """Step 1 for one job; an unexpected error rolls back this job's work only and retries it later."""
    handler = HANDLERS.get(job.kind)
    if handler is None:
        log.error("bot job %s has unknown kind %r", job.id, job.kind)
        return Finished("failed", f"unknown kind {job.kind}")
    try:
        return handler(session, api, job, config)
    except Exception as exc:  # one bad event must not stop the others
        # The traceback's frames, but only an excerpt of the message (it may quote the payload).
        frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
        log.error("bot job %s (%s) crashed: %s\n%s", job.id, job.kind, excerpt(f"{type(exc).__name__}: {exc}"), frames)
        session.rollback()
        return Retry(f"{type(exc).__name__}: {exc}")


def send_answer(api: MessagingApi, delivery: Delivery) -> Outcome:
    """Step 2 for one answer: reply (or push); the outcome to record."""
    try:
        via = deliver(api, delivery.outbox, delivery.dedup_key)
    except SendFailed as exc:
        if exc.retryable:
            return Retry(str(exc))
        log.error("LINE answer to event %s refused for good: %s", delivery.dedup_key, exc)
        return Finished("failed", str(exc))
    except Exception as exc:  # a bug in sending must not lose the outcomes of the batch
        log.exception("LINE answer to event %s could not be sent", delivery.dedup_key)
        return Retry(f"{type(exc).__name__}: {exc}")
    log.debug("LINE event %s answered by %s", delivery.dedup_key, via)
    return Finished()


def send_in_order(api: MessagingApi, deliveries: list[Delivery]) -> dict[int, Outcome]:
    """Step 2 in this thread, one answer after another."""
    return {delivery.job_id: send_answer(api, delivery) for delivery in deliveries}


SendAll = Callable[[list[Delivery]], dict[int, Outcome]]


def record(session: Session, jobs: list[BotJob], outcomes: dict[int, Outcome]) -> None:
    """Step 3: every outcome in one commit; if that fails, each job's alone (one bad row costs only itself)."""
    try:
        for job in jobs:
            queue.mark_outcome(job, outcomes[job.id])
        session.commit()
        return
    except Exception:
        log.exception("LINE queue: recording a batch of %d outcomes failed; recording them one by one", len(jobs))
        session.rollback()
    for job in jobs:
        try:
            queue.mark_outcome(job, outcomes[job.id])
            session.commit()
        except Exception:  # left processing: the lease runs out and the job runs again from its stored result
            log.exception("LINE queue: the outcome of bot job %s could not be recorded", job.id)
            session.rollback()


def answer_batch(session: Session, api: MessagingApi, jobs: list[BotJob], config: Mapping,
                 send_all: SendAll | None = None) -> None:
    """Answer ``jobs`` (persistent in ``session``, oldest first): prepare, deliver, record."""
    remember_subscribers(session)  # each turn reads its user's row once, not once per handler
    outcomes: dict[int, Outcome] = {}
    deliveries: list[Delivery] = []
    for job in jobs:
        step = prepare(session, api, job, config)
        if isinstance(step, Send):
            deliveries.append(Delivery(job.id, job.dedup_key, queue.lane_of_job(job), step.outbox))
        else:
            outcomes[job.id] = step
    if deliveries:
        outcomes.update((send_all or (lambda items: send_in_order(api, items)))(deliveries))
    record(session, jobs, outcomes)


def run_job(session: Session, api: MessagingApi, job: BotJob, config: Mapping) -> None:
    """Answer one job (a batch of one)."""
    answer_batch(session, api, [job], config)
