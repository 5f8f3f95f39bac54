"""Applying committed changes without making the committing request wait.

Small change sets are written at once if the writer lock is free (a few
milliseconds per article); large ones, or any that meet a busy lock (a rebuild
is running), go to one daemon thread per index that waits for the lock. When
an update cannot be applied at all, the index is marked STALE and the next
search reconciles it with the database.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque

from search.indexer import Changes, apply_changes
from search.store import IndexStore, LockTimeout

log = logging.getLogger(__name__)
SYNC_LIMIT = 20
BACKGROUND_LOCK_TIMEOUT = 900.0


class Updater:
    def __init__(self, store: IndexStore) -> None:
        self.store = store
        self._queue: deque = deque()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, bind, changes: Changes) -> None:
        if not changes:
            return
        if len(changes) <= SYNC_LIMIT and self._try_now(bind, changes):
            return
        self._enqueue(bind, changes)

    def _try_now(self, bind, changes: Changes) -> bool:
        try:
            apply_changes(self.store, bind, changes, lock_timeout=0)
        except LockTimeout:
            return False
        except Exception:  # never break the caller's commit; repair later
            log.exception("search index update failed; marked for repair")
            self.store.mark_stale()
        return True

    def _enqueue(self, bind, changes: Changes) -> None:
        with self._lock:
            self._queue.append((bind, changes, time.time()))
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="search-index-updater", daemon=True)
                self._thread.start()

    def _next_batch(self):
        with self._lock:
            if not self._queue:
                self._thread = None
                self._idle.set()
                return None
            bind, changes, committed = self._queue.popleft()
            while self._queue and self._queue[0][0] is bind:
                _, more, committed = self._queue.popleft()
                changes.merge(more)
            return bind, changes, committed

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            bind, changes, committed = batch
            try:
                with self.store.writer_lock(BACKGROUND_LOCK_TIMEOUT):
                    read_from = self.store.live_read_from()
                if read_from is not None and read_from > committed:
                    continue  # a rebuild read the database after these commits: nothing to add
                apply_changes(self.store, bind, changes, lock_timeout=BACKGROUND_LOCK_TIMEOUT)
            except Exception:
                log.exception("background search index update failed; marked for repair")
                self.store.mark_stale()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until queued updates are written (tests, the CLI)."""
        return self._idle.wait(timeout)
