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

import time

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
