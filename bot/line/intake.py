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

The committer keeps one driver connection of its own (used under its commit lock) and
inserts through the bare driver: no pool checkout, ping or statement compilation per
request, which at spike rates cost more than the insert itself.

On SQLite (one writer at a time) that connection waits for the write lock itself
instead of through SQLite's busy handler; see ``_take_sqlite_write_lock``.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError, StatementError

from bot.line.queue import NewJob, raw_insert_statements
from core.db import SQLITE_BUSY_TIMEOUT_SECONDS, db

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


class _IntakeConnection:
    """One driver connection for the committer; replaced after a fork, an engine change or a disconnect."""

    def __init__(self) -> None:
        self._proxy = None
        self._engine = None
        self._pid: int | None = None

    def get(self):
        engine = db.engine
        if self._proxy is not None and self._pid != os.getpid():
            self._proxy = None  # a parent's connection: never close it from a child
        if self._proxy is not None and self._engine is not engine:
            self.discard()
        if self._proxy is None:
            self._proxy, self._engine, self._pid = engine.raw_connection(), engine, os.getpid()
            if engine.dialect.name == "postgresql":
                # One statement is its own transaction: one round trip instead of BEGIN/INSERT/COMMIT.
                self._proxy.dbapi_connection.autocommit = True
            else:  # SQLite: busy waits are ours (``_take_sqlite_write_lock``), not the busy handler's
                self._proxy.dbapi_connection.execute("PRAGMA busy_timeout=0")
        return self._proxy

    def discard(self) -> None:
        proxy, self._proxy = self._proxy, None
        if proxy is not None:
            try:
                proxy.invalidate()
            except Exception:  # already broken: nothing left to close
                log.debug("LINE webhook: closing the intake connection failed", exc_info=True)


_connection = _IntakeConnection()


def _insert_all(tickets: list[_Ticket]) -> None:
    """All waiting requests' rows in one INSERT per channel and one commit.

    A connection that died while idle (a database restart) is replaced and the batch
    tried once more; any other error rolls back and reaches the caller.
    """
    by_channel: dict[str, list[NewJob]] = {}
    for ticket in tickets:
        by_channel.setdefault(ticket.channel, []).extend(ticket.jobs)
    for attempt in (1, 2):
        connection = _connection.get()
        try:
            _insert_and_commit(connection, by_channel)
            return
        except Exception as exc:
            if not _is_disconnect(exc, connection):
                _rollback(connection)
                raise
            _connection.discard()
            if attempt == 2:
                raise


def _insert_and_commit(connection, by_channel: dict[str, list[NewJob]]) -> None:
    dialect = db.engine.dialect
    statements = raw_insert_statements(dialect, by_channel)
    cursor = connection.cursor()
    try:
        if dialect.name == "sqlite":
            _take_sqlite_write_lock(cursor)  # opens the transaction
            _execute_all(cursor, statements)
            connection.commit()
        elif len(statements) == 1:  # autocommit (``_IntakeConnection``): one statement is its own transaction
            cursor.execute(*statements[0])
        else:
            cursor.execute("BEGIN")
            _execute_all(cursor, statements)
            cursor.execute("COMMIT")
    finally:
        cursor.close()


def _execute_all(cursor, statements: list[tuple[str, list]]) -> None:
    for sql, params in statements:
        cursor.execute(sql, params)


# SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between
# tries, so a webhook request that finds the worker (or the other web process) writing may
# sleep tens of milliseconds after the lock came free, and every request of its process
# queues behind that commit. Trying again every 0.2–2 ms instead (measured at
# 2,000 webhooks/s with the worker answering: commit p99.9 40–55 ms → 16–22 ms, max
# 105 → 24–37 ms) keeps the webhook's tail near the worker's own write time.
SQLITE_LOCK_WAIT_SECONDS = SQLITE_BUSY_TIMEOUT_SECONDS  # as long as every other connection waits
_FIRST_PAUSE, _LONGEST_PAUSE = 0.0002, 0.002


def _take_sqlite_write_lock(cursor) -> None:
    """BEGIN IMMEDIATE, retried briefly while another connection writes (raises after the wait)."""
    deadline = time.monotonic() + SQLITE_LOCK_WAIT_SECONDS
    pause = _FIRST_PAUSE
    while True:
        try:
            cursor.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", None) or 0
            busy = code & 0xFF == sqlite3.SQLITE_BUSY  # the primary code of every extended BUSY code
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 1.5, _LONGEST_PAUSE)


def _is_disconnect(exc: BaseException, connection) -> bool:
    dialect = db.engine.dialect
    if not isinstance(exc, dialect.loaded_dbapi.Error):
        return False
    return dialect.is_disconnect(exc, connection.dbapi_connection, None) or \
        isinstance(exc, (dialect.loaded_dbapi.OperationalError, dialect.loaded_dbapi.InterfaceError))


def _rollback(connection) -> None:
    try:
        connection.rollback()
    except Exception:  # the connection is unusable: start over with a new one next time
        _connection.discard()


def _is_about_the_row(exc: BaseException) -> bool:
    """A data error (encoding, NUL, constraint) rather than a lost or unusable database."""
    dbapi = db.engine.dialect.loaded_dbapi
    if isinstance(exc, (dbapi.OperationalError, dbapi.InterfaceError)):
        return False
    if isinstance(exc, DBAPIError):
        return not exc.connection_invalidated and not isinstance(exc.orig, dbapi.OperationalError)
    return isinstance(exc, (dbapi.Error, StatementError, ValueError, TypeError))


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
