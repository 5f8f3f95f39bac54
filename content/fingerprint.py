"""The content fingerprint, read at most once a second per process (and at once after a local commit).

``content.service.content_fingerprint`` is one cheap query whose value changes whenever
published content could change. Caches of what content looks like (rendered pages,
the listings chat cards show) keep an entry while the fingerprint is unchanged; this
memo lets them ask often without querying often. Any commit made in this process
(a SQLAlchemy ``after_commit`` hook) makes the next ask read it again, so an edit shows
up at once where it was made and within a second in other processes.
"""
from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.orm import Session

from content.service import content_fingerprint

REUSE_SECONDS = 1.0

_commits = [0]  # bumped by every commit in this process (see _count_commit)


@event.listens_for(Session, "after_commit")
def _count_commit(_session) -> None:
    _commits[0] += 1


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
