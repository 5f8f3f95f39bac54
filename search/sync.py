"""Keep the index in step with the database through SQLAlchemy session events.

``after_flush`` collects the ids of changed articles, events, companies and
tags; ``after_commit`` hands them to the index's updater (see
``search.updater``), so publishing, editing, unpublishing or deleting through
any session — the staff console, the importer, a job — updates search.
Rolled-back work is forgotten. Bulk SQL statements bypass the ORM and thus
these events; ``monozukuri search reindex`` (or the STALE marker) covers them.

The index is found through ``current_app``; outside an app context, through
the app that registered the search blueprint last (``remember_app``).
"""
from __future__ import annotations

import logging
import weakref

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from content.models import Article, Company, Tag
from events.models import Event
from search.indexer import Changes

log = logging.getLogger(__name__)
PENDING_KEY = "search_index_changes"
WRITES_KEY = "search_flushed_writes"
_state: dict[str, object] = {"installed": False, "app": None}


def remember_app(app) -> None:
    _state["app"] = weakref.ref(app)


def _app():
    if has_app_context():
        return current_app._get_current_object()
    ref = _state["app"]
    return ref() if ref is not None else None


def _event_articles(obj: Event) -> set[int]:
    history = inspect(obj).attrs.article_id.history
    ids = {obj.article_id, *history.deleted, *history.added}
    return {i for i in ids if i}


def collect(changes: Changes, obj) -> None:
    if isinstance(obj, Article) and obj.id:
        changes.articles.add(obj.id)
    elif isinstance(obj, Event):
        changes.articles |= _event_articles(obj)
    elif isinstance(obj, Company) and obj.id:
        changes.companies.add(obj.id)
    elif isinstance(obj, Tag) and obj.id:
        changes.tags.add(obj.id)


def has_uncommitted_writes(session: Session) -> bool:
    """True when the session holds changes (pending or already flushed) not yet committed."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(WRITES_KEY))


def _after_flush(session: Session, _context) -> None:
    session.info[WRITES_KEY] = True
    changes = session.info.setdefault(PENDING_KEY, Changes())
    for obj in (*session.new, *session.dirty, *session.deleted):
        collect(changes, obj)


def _after_commit(session: Session) -> None:
    session.info.pop(WRITES_KEY, None)
    changes = session.info.pop(PENDING_KEY, None)
    if not changes:
        return
    app = _app()
    if app is None:
        log.warning("search index not updated: no Flask app known in this process")
        return
    from search.index import get_index

    try:
        get_index(app).updater.submit(session.get_bind(), changes)
    except Exception:  # the commit already happened; never turn it into an error
        log.exception("could not schedule a search index update")


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: all its work is gone
        session.info.pop(PENDING_KEY, None)
        session.info.pop(WRITES_KEY, None)


def install() -> None:
    """Register the listeners once per process (idempotent, cheap)."""
    if _state["installed"]:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_soft_rollback)
    _state["installed"] = True
