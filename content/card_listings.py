"""The public listings chat cards show (新着, upcoming events, search hits' articles), kept per process.

A chat turn answering 新着 or イベント read the same ten rows every time; under a burst
those entity queries were the largest part of a turn's cost. They are kept here while
the content fingerprint (``content.fingerprint``) is unchanged and for at most
``LIFETIME_SECONDS`` (a scheduled article going live changes nothing the fingerprint
sees). A commit in this process shows at once; one in another process within a second.

The rows are loaded in a session of their own and detached from it with what a card
reads already loaded, so many threads can read them and no turn's session (its commits
expire what it holds) ever owns them. Callers only read them.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

from sqlalchemy.orm import Session

from content import service
from content.fingerprint import FingerprintedCache
from content.models import Article
from events.models import Event

LIFETIME_SECONDS = 10.0
MAX_ENTRIES = 512

_MISSING = object()


# Per engine (each app, and so each test app, has its own): nothing is shared across databases.
_by_engine: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_by_engine_lock = threading.Lock()


def _listings(session: Session) -> FingerprintedCache:
    engine = session.get_bind()
    with _by_engine_lock:
        listings = _by_engine.get(engine)
        if listings is None:
            listings = _by_engine[engine] = FingerprintedCache(MAX_ENTRIES, LIFETIME_SECONDS)
        return listings


def _detached(session: Session, load: Callable[[Session], list]) -> list:
    """``load`` run in a short session of its own; the rows come back detached, fully loaded."""
    with Session(bind=session.get_bind(), expire_on_commit=False) as own:
        rows = load(own)
        own.expunge_all()  # before the session ends: its rollback would expire them otherwise
    return rows


def _cached(session: Session, key: tuple, load: Callable[[Session], list]) -> list:
    listings = _listings(session)
    fingerprint = listings.fingerprint.get(session)
    rows = listings.get(key, fingerprint, _MISSING)
    if rows is _MISSING:
        rows = tuple(_detached(session, load))
        listings.put(key, fingerprint, rows)
    return list(rows)


def latest_articles(session: Session, category: str | None, limit: int) -> list[Article]:
    """Newest public articles with what a card shows (``service.latest_articles(cards=True)``)."""
    return _cached(session, ("latest", category, limit),
                   lambda own: service.latest_articles(own, category=category, limit=limit, cards=True))


def upcoming_events(session: Session, kind: str | None, limit: int) -> list[Event]:
    """Public, not cancelled upcoming events, each with its article's card columns."""
    return _cached(session, ("events", kind, limit),
                   lambda own: service.upcoming_events(own, kind=kind, limit=limit, public_only=True,
                                                       include_cancelled=False, cards=True))


def articles_for_cards(session: Session, slugs: list[str]) -> list[Article]:
    """Articles by slug with what a card shows (``service.articles_for_cards``), in one cached entry per set."""
    if not slugs:
        return []
    wanted = sorted(set(slugs))
    return _cached(session, ("slugs", *wanted), lambda own: service.articles_for_cards(own, wanted))
