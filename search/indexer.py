"""Writing the index: full rebuilds, incremental updates and repair.

Every write happens under the store's cross-process lock, so web workers, the
worker and the CLI never write at the same time. Functions take a SQLAlchemy
``bind`` (engine or connection) rather than a session: they run after the
caller's transaction has ended (session events) or outside any request.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.models import Article, article_tags
from events.models import Event
from search.documents import SourceDoc, count_sources, current_stamps, doc_id, load_sources, to_fields
from search.generation import write_generation, write_generation_parallel
from search.store import IndexStore

log = logging.getLogger(__name__)
REBUILD_LOCK_TIMEOUT = 600.0


@dataclass
class Changes:
    """What a transaction touched; resolved to article ids when applied."""

    articles: set[int] = field(default_factory=set)
    companies: set[int] = field(default_factory=set)
    tags: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.articles or self.companies or self.tags)

    def __len__(self) -> int:
        return len(self.articles) + len(self.companies) + len(self.tags)

    def merge(self, other: Changes) -> None:
        self.articles |= other.articles
        self.companies |= other.companies
        self.tags |= other.tags


def rebuild(store: IndexStore, bind, *, lock_timeout: float = REBUILD_LOCK_TIMEOUT, workers: int = 0,
            progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild from the database into a new folder and swap it in atomically.

    ``workers`` > 0: that many separate processes build the segments (the CLI;
    never inside a web worker). ``progress(done, total)`` is told how many documents
    were read so far (in one process; a parallel rebuild reports when it is done).
    """
    with store.writer_lock(lock_timeout):
        return _rebuild_locked(store, bind, workers, progress)


def _counted(sources: Iterable[SourceDoc], total: int, progress: Callable[[int, int], None]):
    progress(0, total)
    done = 0
    for source in sources:
        yield source
        done += 1
        progress(done, max(total, done))
    progress(done, done)


def _rebuild_locked(store: IndexStore, bind, workers: int = 0, progress=None) -> int:
    read_from = time.time()
    if workers > 0 and not _in_memory(bind):
        path, count = write_generation_parallel(store, bind, workers)
        if progress is not None:
            progress(count, count)
    else:
        with Session(bind=bind) as session:
            sources = load_sources(session)
            if progress is not None:
                sources = _counted(sources, count_sources(session), progress)
            path, count = write_generation(store, sources)
    store.publish(path, count, read_from)
    log.info("search index rebuilt: %d document(s) in %s", count, path.name)
    return count


def _in_memory(bind) -> bool:
    """An in-memory SQLite database cannot be read from another process."""
    url = getattr(bind, "engine", bind).url
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _resolve_article_ids(session: Session, changes: Changes) -> set[int]:
    ids = set(changes.articles)
    if changes.companies:
        ids |= set(session.scalars(select(Article.id).where(Article.company_id.in_(changes.companies))))
        ids |= set(session.scalars(
            select(Event.article_id).where(Event.company_id.in_(changes.companies), Event.article_id.is_not(None))
        ))
    if changes.tags:
        ids |= set(session.scalars(
            select(article_tags.c.article_id).where(article_tags.c.tag_id.in_(changes.tags))
        ))
    return ids


def _write_documents(ix, sources: dict[int, SourceDoc], article_ids: set[int]) -> None:
    with ix.writer() as writer:
        for article_id in sorted(article_ids):
            if article_id in sources:
                writer.update_document(**to_fields(sources[article_id]))
            else:
                writer.delete_by_term("doc_id", doc_id(article_id))


def apply_changes(store: IndexStore, bind, changes: Changes, *, lock_timeout: float = 30.0) -> int:
    """Update the documents a transaction touched. Returns how many were rewritten or removed.

    Without a live index this does nothing: the first search builds the whole
    index from the database, which already contains these changes.
    """
    with store.writer_lock(lock_timeout):
        try:
            ix = store.open_current()
        except Exception:  # missing or unreadable: repaired on next use
            return 0
        try:
            with Session(bind=bind) as session:
                ids = _resolve_article_ids(session, changes)
                sources = {source.article_id: source for source in load_sources(session, ids)}
            _write_documents(ix, sources, ids)
        finally:
            ix.close()
    return len(ids)


def _indexed_stamps(ix) -> dict[str, str]:
    with ix.searcher() as searcher:
        reader = searcher.reader()
        if reader.doc_count_all() == 0:
            return {}
        ids = reader.column_reader("doc_id")
        stamps = reader.column_reader("stamp")
        return {ids[docnum]: stamps[docnum] for docnum in reader.all_doc_ids()}


def reconcile(store: IndexStore, bind, *, lock_timeout: float = 30.0) -> int:
    """Bring the live index in line with the database. Returns the number of fixed documents."""
    with store.writer_lock(lock_timeout):
        ix = store.open_current()
        try:
            with Session(bind=bind) as session:
                wanted = current_stamps(session)
                present = _indexed_stamps(ix)
                stale = {key for key, value in wanted.items() if present.get(key) != value}
                stale |= present.keys() - wanted.keys()
                ids = {int(key.split(":", 1)[1]) for key in stale}
                sources = {source.article_id: source for source in load_sources(session, ids)}
            if ids:
                _write_documents(ix, sources, ids)
        finally:
            ix.close()
        store.clear_stale()
    return len(ids)


def index_is_healthy(store: IndexStore) -> bool:
    try:
        ix = store.open_current()
        try:
            with ix.searcher() as searcher:
                reader = searcher.reader()
                for docnum in reader.all_doc_ids():
                    reader.stored_fields(docnum)
                    break
        finally:
            ix.close()
    except Exception as exc:  # any failure to read means: rebuild
        log.debug("search index unusable (%s: %s)", type(exc).__name__, exc)
        return False
    return True


def ensure_index(store: IndexStore, bind, *, check_database: bool = False) -> str:
    """Build the index if missing or broken; with ``check_database``, fix stale documents.

    Returns "rebuilt", "updated" or "ok".
    """
    if not index_is_healthy(store):
        with store.writer_lock(REBUILD_LOCK_TIMEOUT):
            if not index_is_healthy(store):  # another process may have just built it
                log.info("search index missing, of another format or unreadable in %s: rebuilding", store.root)
                _rebuild_locked(store, bind)
                return "rebuilt"
    if check_database or store.is_stale():
        return "updated" if reconcile(store, bind) else "ok"
    return "ok"
