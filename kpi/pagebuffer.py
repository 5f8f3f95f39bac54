"""In-process buffer of page views, written in batches off the request path.

A page request only appends a small dict to a list (no database work at all);
a daemon thread writes the batch every couple of seconds, or sooner when it
fills up, and once more when the process exits. The visitor hash is computed
at that point, with the day's salt: the address and user agent needed for it
live only in this memory for those seconds and are never written anywhere.
If the database is unreachable, views wait (up to a bound) for the next try.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from kpi import salts
from kpi.metrics import jst_day
from kpi.models import PageView

log = logging.getLogger(__name__)

FLUSH_SECONDS = 2.0
FLUSH_EARLY_AT = 500  # pending views that wake the writer before its interval
MAX_PENDING = 20_000  # bound on memory while the database is away; newer views are dropped


class PageViewBuffer:
    def __init__(self, engine_getter, background: bool = True) -> None:
        self._engine_getter = engine_getter
        self._background = background
        self._items: list[dict] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = None
        self.dropped = 0

    def add(self, item: dict) -> None:
        with self._lock:
            if len(self._items) >= MAX_PENDING:
                self.dropped += 1
                return
            self._items.append(item)
            full = len(self._items) >= FLUSH_EARLY_AT
        if self._background:
            self._ensure_writer()
            if full:
                self._wake.set()

    def pending(self) -> int:
        with self._lock:
            return len(self._items)

    def flush(self) -> int:
        """Write everything pending now; returns the number of rows written."""
        with self._lock:
            items, self._items = self._items, []
        if not items:
            return 0
        try:
            write(self._engine_getter(), items)
        except Exception:
            with self._lock:  # keep them for the next try, oldest first, within the bound
                self._items = (items + self._items)[:MAX_PENDING]
            raise
        return len(items)

    def _ensure_writer(self) -> None:
        # After a fork (gunicorn) the parent's thread does not exist in the child: start one per process.
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="kpi-page-views", daemon=True)
            self._thread.start()
        atexit.register(self._flush_quietly)

    def _run(self) -> None:
        while True:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            self._flush_quietly()

    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except Exception:  # the next round tries again
            log.exception("page views not written yet")


def write(engine: Engine, items: list[dict]) -> None:
    today = jst_day()
    with engine.begin() as conn:
        rows = []
        for item in items:
            row = dict(item)
            visitor = row.pop("visitor")
            salt = salts.salt_for(conn, row["day"], create=row["day"] >= today) if visitor else None
            row["visitor_hash"] = salts.visitor_hash(salt, *visitor) if salt else None
            rows.append(row)
        conn.execute(insert(PageView), rows)
