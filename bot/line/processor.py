"""The worker side of the LINE queue: run one claimed job.

A webhook-event job runs the conversation once, stores the rendered answer in
``job.result`` (in the same transaction as the conversation's own changes) and
then delivers it. A failed delivery is retried from ``result`` later, so a
retry never repeats the conversation's side effects (a topic toggled twice).
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping

from linebot.v3.messaging import MessagingApi
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from bot.core import engine
from bot.line import events, queue, richmenu_links
from bot.line.client import REQUEST_TIMEOUT
from bot.line.models import BotJob
from bot.line.render import render
from bot.line.sender import SendFailed, deliver
from bot.line.webhook import EVENT_JOB_KIND
from core.logsafe import excerpt
from notifications.models import Subscriber
from notifications.subscriptions import find_subscriber

log = logging.getLogger(__name__)


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


def run_event_job(session: Session, api: MessagingApi, job: BotJob, config: Mapping) -> None:
    if job.result is None:
        outbox = converse(session, api, job, config)
        if outbox is None:
            queue.finish(session, job, "skipped")
            return
        job.result = outbox
        session.commit()
    if not job.result["messages"]:
        queue.finish(session, job)
        return
    try:
        via = deliver(api, job.result, job.dedup_key)
    except SendFailed as exc:
        if exc.retryable:
            queue.retry_later(session, job, str(exc))
        else:
            log.error("LINE answer to event %s refused for good: %s", job.dedup_key, exc)
            queue.finish(session, job, "failed", str(exc))
        return
    log.debug("LINE event %s answered by %s", job.dedup_key, via)
    queue.finish(session, job)


HANDLERS = {
    EVENT_JOB_KIND: run_event_job,
    richmenu_links.LINK_JOB_KIND: richmenu_links.run_link_job,
}


def run_job(session: Session, api: MessagingApi, job: BotJob, config: Mapping) -> None:
    """Run one job; any unexpected error puts it back for a later attempt."""
    handler = HANDLERS.get(job.kind)
    if handler is None:
        log.error("bot job %s has unknown kind %r", job.id, job.kind)
        queue.finish(session, job, "failed", f"unknown kind {job.kind}")
        return
    try:
        handler(session, api, job, config)
    except Exception as exc:  # one bad event must not stop the others
        # The traceback's frames, but only an excerpt of the message (it may quote the payload).
        frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
        log.error("bot job %s (%s) crashed: %s\n%s", job.id, job.kind, excerpt(f"{type(exc).__name__}: {exc}"), frames)
        session.rollback()
        queue.retry_later(session, session.get(BotJob, job.id), f"{type(exc).__name__}: {exc}")
