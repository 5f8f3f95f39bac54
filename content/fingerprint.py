"""The content fingerprint, read at most once a second per process (and at once after a local commit).

``content.service.content_fingerprint`` is one cheap query whose value changes whenever
published content could change. Caches of what content looks like (rendered pages,
the listings chat cards show) keep an entry while the fingerprint is unchanged; this
memo lets them ask often without querying often. A commit made in this process that
wrote one of the tables the fingerprint reads (SQLAlchemy session hooks) makes the next
ask read it again, so an edit shows up at once where it was made and within a second in
other processes.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from sqlalchemy import event
from sqlalchemy.orm import Session

from content.service import content_fingerprint

REUSE_SECONDS = 1.0
# The tables the fingerprint reads: a commit that wrote none of them cannot change it.
FINGERPRINT_TABLES = frozenset({"articles", "events", "article_tags", "top_page_settings"})

_commits = [0]  # bumped by every commit in this process that wrote a fingerprint table
_WROTE = "content_fingerprint_tables_written"  # in session.info until the transaction ends


def _table_of_row(obj) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return getattr(table, "name", None)


@event.listens_for(Session, "after_flush")
def _note_flushed_rows(session, _context) -> None:
    if session.info.get(_WROTE):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if _table_of_row(obj) in FINGERPRINT_TABLES:
            session.info[_WROTE] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_statements(state) -> None:
    """UPDATE/DELETE/INSERT statements run through a session (seat counts are bumped that way).

    Reads, and plain-text SQL (the fingerprint's own query; nothing here writes content that
    way), are not writes of content.
    """
    if not (state.is_update or state.is_delete or state.is_insert) or state.session.info.get(_WROTE):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table is None or table in FINGERPRINT_TABLES:  # a table not known: assume it was one
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _count_commit(session) -> None:
    # The worker commits every batch; re-reading the fingerprint after each would cost more than it saves.
    if session.info.pop(_WROTE, False):
        _commits[0] += 1


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_WROTE, None)


class FingerprintMemo:
    """The last content fingerprint, reused briefly while no local commit happened."""

    def __init__(self):
        self._value: tuple | None = None
        self._read_at = 0.0
        self._commit_mark = -1

    def get(self, session) -> tuple:
        now, mark = time.monotonic(), _commits[0]
        value = self._value
        if value is None or mark != self._commit_mark or now - self._read_at >= REUSE_SECONDS:
            value = content_fingerprint(session)
            self._value, self._read_at, self._commit_mark = value, now, mark
        return value


class FingerprintedCache:
    """Values kept per key while the content fingerprint they were made under holds, and for at
    most ``lifetime`` seconds (what changes with the clock alone); the least recently used go
    beyond ``max_entries``. ``fingerprint`` is this cache's memo of the current value."""

    def __init__(self, max_entries: int, lifetime: float):
        self._entries: OrderedDict[tuple, tuple[tuple, float, object]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries, self.lifetime = max_entries, lifetime
        self.fingerprint = FingerprintMemo()

    def get(self, key: tuple, fingerprint: tuple, default=None):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            stored_fingerprint, stored_at, value = entry
            if stored_fingerprint != fingerprint or time.monotonic() - stored_at > self.lifetime:
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return value

    def put(self, key: tuple, fingerprint: tuple, value) -> None:
        with self._lock:
            self._entries[key] = (fingerprint, time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
