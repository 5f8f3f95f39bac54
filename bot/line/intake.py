"""Group commit for the webhook: concurrent requests share one durable commit.

Every webhook request must have its events safely stored before it answers
200, and a durable commit (an fsync) is the slowest part of that. Requests
arriving while a commit is in progress queue their rows; the next request to
take the lock commits everything queued in one transaction and wakes the
others. Each caller still returns only after its own rows are committed
(or raises if that commit failed), so nothing is acknowledged unstored.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from bot.line.queue import NewJob, insert_jobs
from core.db import db


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
        error = None
        try:
            with db.engine.begin() as connection:  # commits on success, rolls back on error
                for ticket in batch:
                    insert_jobs(connection, ticket.channel, ticket.jobs)
        except Exception as exc:  # every waiting request learns that its rows are not stored
            error = exc
        for ticket in batch:
            ticket.error = error
            ticket.done.set()


committer = GroupCommitter()
