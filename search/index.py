"""The search index of an app, for every process: ``get_index(app)``.

The index lives in ``<app.instance_path>/index/`` (see ``search.store``).

* Web requests and anything inside ``with app.app_context():`` (the worker's
  jobs, the Discord process) simply call ``search.service.search(session, ...)``;
  it finds the index through ``current_app``.
* Code holding an ``app`` but no context can use ``get_index(app)`` directly:
  ``with get_index(app).reading(db.engine) as data: data.searcher ...``.

One reader (and its term/unit caches) is shared by every thread of a process:
per-thread readers multiplied the caches by the thread count (1.3 GB per
4-thread web worker at 10k documents). Whoosh readers seek and read shared
file objects, so searches in one process take turns on a lock; scoring is
pure Python and holds the GIL anyway, so taking turns costs no throughput.
The reader is refreshed cheaply: a swapped generation is seen through the
CURRENT pointer, new commits through ``up_to_date()``. A missing,
foreign-format or corrupt index is rebuilt on first use in each process
(nothing heavy happens at import or app creation).
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from core.db import db
from search.engine import RECENCY_HALF_LIFE_DAYS, RECENCY_MAX_BOOST
from search.indexer import ensure_index, index_is_healthy
from search.postings import SearcherData
from search.scoring import WEIGHTING
from search.store import IndexStore, LockTimeout
from search.updater import Updater

log = logging.getLogger(__name__)
_registry: dict[Path, SearchIndex] = {}
_registry_lock = threading.Lock()


def index_root(app) -> Path:
    return Path(app.instance_path) / "index"


def get_index(app=None) -> SearchIndex:
    """The process-wide handle for ``app``'s index (``current_app`` when omitted)."""
    return index_at(index_root(app if app is not None else current_app))


def index_at(root: Path) -> SearchIndex:
    with _registry_lock:
        handle = _registry.get(root)
        if handle is None:
            handle = _registry[root] = SearchIndex(root)
        return handle


class _Reader:
    def __init__(self, name: str, ix) -> None:
        self.name = name
        self.ix = ix
        self.data = SearcherData(ix.searcher(weighting=WEIGHTING))

    def fresh(self) -> SearcherData:
        searcher = self.data.searcher
        if not searcher.up_to_date():
            # Not searcher.refresh(): in whoosh-reloaded 2.7.5 it reuses the reader of
            # a segment that has since gained deletions (segments compare by id),
            # so replaced documents would stay visible. Open a new reader instead.
            searcher.close()
            self.data = SearcherData(self.ix.searcher(weighting=WEIGHTING))
        return self.data

    def close(self) -> None:
        self.data.searcher.close()
        self.ix.close()


class SearchIndex:
    def __init__(self, root: Path) -> None:
        self.store = IndexStore(root)
        self.updater = Updater(self.store)
        self._reader_slot: _Reader | None = None
        # Re-entrant: a caller may nest reading() (e.g. suggestions inside a search).
        self._read_lock = threading.RLock()
        self._verified = False
        self._verify_lock = threading.Lock()

    @contextmanager
    def reading(self, bind=None):
        """Current ``SearcherData`` (``.searcher`` is the Whoosh searcher).

        ``bind`` (default: ``db.engine``) is used only to repair the index.
        """
        self._verify(bind if bind is not None else db.engine)
        with self._read_lock:
            yield self._reader().fresh()

    def warm(self) -> None:
        """Open the live generation now (no repair, no database): see ``search.warmup``."""
        if self.store.current_name() is None:
            return
        with self._verify_lock:  # what ensure_index checks first, without a database
            if not self._verified and index_is_healthy(self.store) and not self.store.is_stale():
                self._verified = True
        with self._read_lock:
            data = self._reader().fresh()
            # Per-document recency factors for this hour: the first query would compute them.
            data.recency(int(time.time()), RECENCY_MAX_BOOST, RECENCY_HALF_LIFE_DAYS)

    def _verify(self, bind) -> None:
        if self._verified and not self.store.is_stale():
            return
        with self._verify_lock:
            try:
                outcome = ensure_index(self.store, bind)
            except LockTimeout:  # a rebuild elsewhere holds the lock; use what is live
                log.warning("search index busy; serving the current generation")
                return
            if outcome != "ok":
                log.info("search index %s at first use", outcome)
            self._verified = True

    def _reader(self) -> _Reader:
        """The shared reader of the live generation (call with ``_read_lock`` held)."""
        name = self.store.current_name()
        reader = self._reader_slot
        if reader is not None and reader.name == name:
            return reader
        if reader is not None:
            self._reader_slot = None
            reader.close()
        reader = _Reader(name, self.store.open_current())
        self._reader_slot = reader
        return reader

    def invalidate(self) -> None:
        """Forget the cached reader and re-check the index on next use (after a read error)."""
        with self._read_lock:
            reader, self._reader_slot = self._reader_slot, None
            if reader is not None:
                try:
                    reader.close()
                except Exception:  # already broken; nothing else to release
                    pass
            self._verified = False

    def doc_count(self, bind=None) -> int:
        with self.reading(bind) as data:
            return data.searcher.doc_count()
