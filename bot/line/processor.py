"""The worker side of the LINE queue: answer a batch of claimed jobs.

A batch goes through three steps in one session:

1. *prepare*, job after job (each user's in order): a webhook-event job runs the
   conversation once, in a transaction of its own. When the turn wrote something
   (a new friend, a topic toggled, a registration), the rendered answer is stored
   in ``job.result`` and committed with those changes, so a retry resends it and
   never repeats the side effects. A turn that only read (a search, 新着, help:
   most of them) stores nothing: there is nothing to protect, and its transaction
   just ends. A job that fails here is rolled back alone: the jobs before it are
   already committed, the ones after it start afresh. Nothing is carried from one
   turn to the next (the session forgets its rows between jobs).
2. *deliver* the answers, each handed over as soon as it is prepared (the runner
   sends several users' answers at once, each user's in order, while the batch
   goes on preparing).
3. *record* every job's outcome (done, skipped, failed, or back to pending with a
   backoff; an answer to retry is stored then) and the batch's search-query log
   rows in one commit; if that commit fails, each outcome is committed alone.

A read-only turn thus costs no write of its own, and the bookkeeping (claim,
outcomes) one statement per batch: most of what a job cost was that, not the answer.
"""
from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

from linebot.v3.messaging import MessagingApi
from sqlalchemy import event, insert, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.core import engine
from bot.line import events, privacy, queue, richmenu_links
from bot.line.client import REQUEST_TIMEOUT
from bot.line.http import poster_for
from bot.line.models import BotJob
from bot.line.queue import Finished, Outcome, Retry
from bot.line.render import render
from bot.line.sender import SendFailed, deliver
from bot.line.webhook import EVENT_JOB_KIND
from core.logsafe import excerpt
from notifications.models import Subscriber
from notifications.subscriptions import remember_subscribers
from search import service as search_service
from search.models import SearchQueryLog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Send:
    """The answer still has to reach the user (``stored``: it is in ``job.result`` already)."""

    outbox: dict
    stored: bool = True


@dataclass(frozen=True)
class Delivery:
    """One answer to send, as plain values (it may be sent from another thread)."""

    job_id: int
    dedup_key: str
    lane: str
    outbox: dict
    stored: bool = True


def fetch_display_name(api: MessagingApi, user_id: str) -> str:
    """The LINE display name, or "" when the profile cannot be read (never fatal)."""
    try:
        poster = poster_for(api)
        if poster is None:  # behind a proxy: the SDK's client
            return api.get_profile(user_id, _request_timeout=REQUEST_TIMEOUT).display_name or ""
        name = poster.get_json(f"/v2/bot/profile/{quote(user_id, safe='')}").get("displayName")
        return name if isinstance(name, str) else ""
    except Exception as exc:  # a missing name must not cost the user their welcome
        log.warning("LINE profile of a new friend could not be fetched: %s", exc)
        return ""


_PERSONAS_CHANGED = "line_personas_changed"  # in session.info: users whose persona a flush changed


def _note_persona_changes(session: Session, _context) -> None:
    """after_flush: remember whose persona changed (set to another value, or the row deleted)."""
    changed = session.info.get(_PERSONAS_CHANGED)
    if changed is None:
        return
    for subscriber in session.dirty:
        if isinstance(subscriber, Subscriber) and inspect(subscriber).attrs.persona.history.has_changes():
            changed.add(subscriber.external_id)
    for subscriber in session.deleted:
        if isinstance(subscriber, Subscriber) and inspect(subscriber).attrs.persona.loaded_value is not None:
            changed.add(subscriber.external_id)


def watch_personas(session: Session) -> None:
    """Let ``converse`` see persona changes without reading the user's row before every turn."""
    session.info.setdefault(_PERSONAS_CHANGED, set())
    if not event.contains(session, "after_flush", _note_persona_changes):
        event.listen(session, "after_flush", _note_persona_changes)


def converse(session: Session, api: MessagingApi, job: BotJob, config: Mapping) -> dict | None:
    """Run the conversation for a webhook event; the outbox to deliver, None if skipped."""
    event_ = events.parse(job.payload)
    if event_ is None:
        return None
    name = fetch_display_name(api, event_.source.user_id) if event_.type == "follow" else ""
    message = events.to_incoming(event_, display_name=name)
    if message is None:
        return None
    watch_personas(session)
    changed = session.info[_PERSONAS_CHANGED]
    changed.discard(message.user_id)
    messages = render(engine.handle(session, message, config))
    # The user's rich menu follows their persona (the engine flushes every change it makes).
    if message.user_id in changed and message.kind != "unfollow":
        richmenu_links.queue_link(session, message.user_id, job.dedup_key)
    return {"user_id": message.user_id, "reply_token": message.route.reply_token,
            "timestamp": event_.timestamp, "messages": messages}


# Statements other than SELECT run by each thread: a turn that ran none wrote nothing.
_writes = threading.local()


def _count_writes(_connection, _cursor, statement: str, *_args) -> None:
    if not statement.lstrip()[:6].upper() == "SELECT":
        _writes.count = getattr(_writes, "count", 0) + 1


def watch_writes(engine: Engine) -> None:
    """Count the writes of the threads answering jobs (once per engine; a string test per statement)."""
    if not event.contains(engine, "before_cursor_execute", _count_writes):
        event.listen(engine, "before_cursor_execute", _count_writes)


def _writes_so_far() -> int:
    return getattr(_writes, "count", 0)


def _wrote_since(mark: int, session: Session) -> bool:
    """Whether this thread wrote since ``mark`` (or the session holds changes not flushed yet)."""
    return _writes_so_far() != mark or bool(session.new or session.dirty or session.deleted)


def prepare_event_job(session: Session, api: MessagingApi, job: BotJob, config: Mapping) -> Finished | Send:
    """The answer to a webhook event, stored before it is sent when the turn changed anything; or the job is over."""
    if job.result is None:
        mark = _writes_so_far()
        outbox = converse(session, api, job, config)
        if outbox is None:  # not an event the conversation answers (nothing was run)
            return Finished("skipped")
        if not _wrote_since(mark, session):  # a read-only turn: nothing to keep
            return Send(outbox, stored=False) if outbox["messages"] else Finished()
        job.result = outbox  # committed with the turn's changes by ``prepare``
    if not job.result["messages"]:
        return Finished()
    return Send(job.result)


def _reads_share_transactions(session: Session) -> bool:
    """PostgreSQL: jobs that only read go on in the transaction of the one before (no BEGIN/COMMIT each).

    Under READ COMMITTED every statement sees what is committed when it runs, so a
    transaction spanning several read-only turns reads nothing stale (and the session
    forgets its rows between jobs). SQLite ends every job's transaction: an open read
    transaction there keeps an old snapshot, and a later write in it would fail.
    """
    return session.get_bind().dialect.name == "postgresql"


HANDLERS: dict[str, Callable[[Session, MessagingApi, BotJob, Mapping], Finished | Retry | Send]] = {
    EVENT_JOB_KIND: prepare_event_job,
    richmenu_links.LINK_JOB_KIND: richmenu_links.run_link_job,
}


def prepare(session: Session, api: MessagingApi, job: BotJob, config: Mapping) -> Finished | Retry | Send:
    """Step 1 for one job, committed; an unexpected error rolls back this job's work only and retries it later."""
    handler = HANDLERS.get(job.kind)
    if handler is None:
        log.error("bot job %s has unknown kind %r", job.id, job.kind)
        return Finished("failed", f"unknown kind {job.kind}")
    try:
        mark = _writes_so_far()
        step = handler(session, api, job, config)
        if _wrote_since(mark, session) or not _reads_share_transactions(session):
            session.commit()  # the job's changes (and its answer) are kept before anything is sent
        return step
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


class Dispatcher(Protocol):
    """Where step 2 happens: ``submit`` each answer as soon as it is prepared, ``wait`` for all outcomes."""

    def submit(self, delivery: Delivery) -> None: ...

    def wait(self) -> dict[int, Outcome]: ...


class SendAfterwards:
    """The answers sent in this thread, in order, once the whole batch is prepared (a batch of one, tests)."""

    def __init__(self, api: MessagingApi):
        self._api, self._deliveries = api, []

    def submit(self, delivery: Delivery) -> None:
        self._deliveries.append(delivery)

    def wait(self) -> dict[int, Outcome]:
        return send_in_order(self._api, self._deliveries)


def _record_all(session: Session, jobs: list[BotJob], outcomes: dict[int, Outcome],
                unstored: dict[int, dict]) -> None:
    """Plain outcomes (done or skipped, no error) in one statement per status; the others on the job objects."""
    plain: dict[str, list[int]] = {}
    erased = privacy.erased_in_flight(session)
    for job in jobs:
        outcome = outcomes[job.id]
        if isinstance(outcome, Finished) and outcome.error is None and job.id not in erased:
            plain.setdefault(outcome.status, []).append(job.id)
            continue
        session.add(job)
        if isinstance(outcome, Retry) and job.id in unstored:
            job.result = unstored[job.id]  # the retry resends this answer instead of running the turn again
        queue.mark_outcome(job, outcome)
    for status, ids in plain.items():
        queue.mark_many_finished(session, ids, status)


def _write_query_logs(session: Session, logs: list[dict]) -> None:
    """The batch's search-query rows in one Core INSERT (no ORM objects: nothing reads them back)."""
    if logs:
        session.execute(insert(SearchQueryLog.__table__), logs)


def record(session: Session, jobs: list[BotJob], outcomes: dict[int, Outcome],
           unstored: dict[int, dict] | None = None) -> None:
    """Step 3: every outcome and the batch's search log in one commit; if that fails, each job's alone."""
    unstored = unstored or {}
    logs = search_service.take_deferred_logs(session)
    try:
        _record_all(session, jobs, outcomes, unstored)
        _write_query_logs(session, logs)
        session.commit()
        return
    except Exception:
        log.exception("LINE queue: recording a batch of %d outcomes failed; recording them one by one", len(jobs))
        session.rollback()
    for job in jobs:
        try:
            _record_all(session, [job], outcomes, unstored)
            session.commit()
        except Exception:  # left processing: the lease runs out and the job runs again
            log.exception("LINE queue: the outcome of bot job %s could not be recorded", job.id)
            session.rollback()
    try:
        _write_query_logs(session, logs)
        session.commit()
    except Exception:  # statistics only: never worth an answer
        log.exception("LINE queue: %d search log row(s) could not be written", len(logs))
        session.rollback()


def _end_transaction(session: Session) -> None:
    try:
        if session.in_transaction():
            session.commit()
    except Exception:  # nothing of the jobs' is pending (each committed its own writes)
        log.exception("LINE queue: ending the read-only transaction failed")
        session.rollback()


def answer_batch(session: Session, api: MessagingApi, jobs: list[BotJob], config: Mapping,
                 dispatcher: Dispatcher | None = None) -> None:
    """Answer ``jobs`` (claimed, oldest first; not in any session): prepare, deliver, record.

    Each answer goes to ``dispatcher`` as soon as it is prepared (the runner's sends it
    while the next turns are prepared: a user waits for their own turn, not the batch's).
    """
    watch_writes(session.get_bind())
    remember_subscribers(session)  # each turn reads its user's row once, not once per handler
    search_service.defer_query_logs(session)  # written with the outcomes, not one transaction per search
    dispatcher = dispatcher or SendAfterwards(api)
    outcomes: dict[int, Outcome] = {}
    deliveries: list[Delivery] = []
    for job in jobs:
        session.add(job)
        step = prepare(session, api, job, config)
        if isinstance(step, Send):
            delivery = Delivery(job.id, job.dedup_key, queue.lane_of_job(job), step.outbox, step.stored)
            deliveries.append(delivery)
            dispatcher.submit(delivery)
        else:
            outcomes[job.id] = step
        session.expunge_all()  # the next turn reads its rows afresh, as in a session of its own
    _end_transaction(session)  # read-only turns' shared transaction: never left open while LINE answers
    outcomes.update(dispatcher.wait())
    record(session, jobs, outcomes, {d.job_id: d.outbox for d in deliveries if not d.stored})


def run_job(session: Session, api: MessagingApi, job: BotJob, config: Mapping) -> None:
    """Answer one job (a batch of one)."""
    answer_batch(session, api, [job], config)
