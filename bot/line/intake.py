"""Group commit for the webhook: concurrent requests share one durable commit.

Every webhook request must have its events safely stored before it answers
200, and a durable commit (an fsync) is the slowest part of that. Requests
arriving while a commit is in progress queue their rows; the next request to
take the lock commits everything queued in one transaction and wakes the
others. Each caller still returns only after its own rows are committed
(or raises if that commit failed), so nothing is acknowledged unstored.

One request's bad rows must not cost the others theirs: when the shared commit
fails, each request's rows are retried in a transaction of their own, and a
row that still fails alone is dropped (logged) while its neighbours are kept.
Only a failure that is not about the row (the database is down) reaches the caller.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError, StatementError

from bot.line.queue import NewJob, insert_jobs
from core.db import db

log = logging.getLogger(__name__)


@dataclass
class _Ticket:
    channel: str
    jobs: list[NewJob]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommitter:
    def __init__(self) -> None:
        self._commit_lock = threading.Lock()
        self._pending_lock = threading.Lock()
        self._pending: list[_Ticket] = []

    def store(self, channel: str, jobs: list[NewJob]) -> None:
        """Return once ``jobs`` are committed (alone or with other requests' jobs)."""
        ticket = _Ticket(channel, jobs)
        with self._pending_lock:
            self._pending.append(ticket)
        with self._commit_lock:
            if not ticket.done.is_set():
                self._commit_pending()
        if ticket.error is not None:
            raise ticket.error

    def _commit_pending(self) -> None:
        with self._pending_lock:
            batch, self._pending = self._pending, []
        try:
            _insert_all(batch)
        except Exception:  # retried below per request, so a bad row fails alone
            log.warning("LINE webhook: shared commit of %d request(s) failed; storing each alone", len(batch))
            for ticket in batch:
                ticket.error = _store_alone(ticket)
        for ticket in batch:
            ticket.done.set()


def _insert_all(tickets: list[_Ticket]) -> None:
    """All waiting requests' rows in one INSERT per channel and one commit."""
    by_channel: dict[str, list[NewJob]] = {}
    for ticket in tickets:
        by_channel.setdefault(ticket.channel, []).extend(ticket.jobs)
    with db.engine.begin() as connection:  # commits on success, rolls back on error
        for channel, jobs in by_channel.items():
            insert_jobs(connection, channel, jobs)


def _is_about_the_row(exc: BaseException) -> bool:
    """A data error (encoding, NUL, constraint) rather than a lost or unusable database."""
    if isinstance(exc, DBAPIError):
        return not exc.connection_invalidated and not isinstance(exc.orig, db.engine.dialect.loaded_dbapi.OperationalError)
    return isinstance(exc, (StatementError, ValueError, TypeError))


def _store_alone(ticket: _Ticket) -> BaseException | None:
    """Store one request's rows on their own; drop (and log) rows that cannot be stored."""
    try:
        _insert_all([ticket])
        return None
    except Exception as exc:
        if not _is_about_the_row(exc) or len(ticket.jobs) == 0:
            return exc
    for job in ticket.jobs:
        try:
            _insert_all([_Ticket(ticket.channel, [job])])
        except Exception as exc:
            if not _is_about_the_row(exc):
                return exc
            log.warning("LINE webhook: event %s could not be stored and was dropped: %s",
                        ascii(job.dedup_key[:100]), type(exc).__name__)
    return None


committer = GroupCommitter()
