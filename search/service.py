"""Search for every channel: the web page, the JSON API, the LINE and Discord bots.

``search(session, query, ...)`` needs no request: call it inside
``with app.app_context():`` (the index is found through ``current_app``; see
``search.index``). It never raises on user text: any string is a query, and
page/per_page/category are clamped or ignored here (the HTTP views reject
bad values with 400 before calling). When ``log=True`` the normalised query is
recorded in ``SearchQueryLog`` for the KPIs, in its own short transaction.

For empty states, ``SearchPage.suggestions`` carries "did you mean" queries
(from the index's own vocabulary); ``popular_tags(session)`` gives tags to
offer instead.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import has_app_context
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from content.models import CATEGORIES, Article, Tag, article_tags
from core.db import utcnow
from search import sync
from search.engine import rank
from search.index import get_index
from search.models import SearchQueryLog
from search.phrases import parse_query
from search.querying import Unit, clean_query
from search.snippets import build as build_snippet
from search.spelling import suggest

logger = logging.getLogger(__name__)
MAX_PER_PAGE = 50
MAX_PAGE = 1000


@dataclass
class SearchHit:
    slug: str
    title: str
    url: str
    category: str
    category_label: str
    snippet: str
    snippet_text: str
    published_at: datetime | None
    image: str | None
    score: float
    kind: str = "article"
    event_starts_at: datetime | None = None


@dataclass
class SearchPage:
    query: str
    total: int
    page: int
    per_page: int
    results: list[SearchHit] = field(default_factory=list)
    facets: dict[str, int] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _clamp(value, low: int, high: int, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)


def _datetime(value: str | int | None) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return datetime.fromtimestamp(value, tz=utcnow().tzinfo)
    return datetime.fromisoformat(value)


def _hit(fields: dict, score: float, units: list[Unit], base_url: str | None) -> SearchHit:
    terms = [surface for unit in units for surface in unit.surfaces()]
    snippet = build_snippet(fields.get("text", ""), terms)
    path = f"/articles/{fields['slug']}"
    return SearchHit(
        slug=fields["slug"], title=fields["title"], url=(base_url.rstrip("/") + path) if base_url else path,
        category=fields["category"], category_label=CATEGORIES.get(fields["category"], fields["category"]),
        snippet=snippet.html, snippet_text=snippet.text, published_at=_datetime(fields.get("published")),
        image=fields.get("image") or None, score=round(score, 4), kind=fields.get("kind") or "article",
        event_starts_at=_datetime(fields.get("event_starts")),
    )


def _ordered_facets(facets: dict[str, int]) -> dict[str, int]:
    known = {key: facets[key] for key in CATEGORIES if facets.get(key)}
    return known | {key: count for key, count in facets.items() if key not in CATEGORIES and count}


def _run(session: Session, text: str, category, page: int, per_page: int, base_url) -> SearchPage:
    result_page = SearchPage(query=text, total=0, page=page, per_page=per_page)
    query = parse_query(text)
    units = query.units
    if not units:
        return result_page
    with get_index().reading(session.get_bind()) as data:
        result = rank(data, query, now=int(utcnow().timestamp()), category=category,
                      offset=(page - 1) * per_page, limit=per_page)
        stored = data.searcher.stored_fields
        result_page.results = [_hit(stored(r.docnum), r.score, units, base_url) for r in result.page]
    result_page.total, result_page.facets = result.total, _ordered_facets(result.facets)
    return result_page


def _run_safely(session: Session, text: str, category, page: int, per_page: int, base_url) -> SearchPage:
    """Run the search; a broken index is repaired once, then the search is retried."""
    if not has_app_context():
        logger.error("search() needs an app context (with app.app_context(): ...) to find the index")
        return SearchPage(query=text, total=0, page=page, per_page=per_page)
    for attempt in (1, 2):
        try:
            return _run(session, text, category, page, per_page, base_url)
        except Exception:  # a read error means a damaged index: never a 500 for the visitor
            logger.exception("search failed (attempt %d); re-checking the index", attempt)
            get_index().invalidate()
    return SearchPage(query=text, total=0, page=page, per_page=per_page)


def search(session: Session, query: str, *, category: str | None = None, page: int = 1, per_page: int = 10,
           channel: str = "web", base_url: str | None = None, log: bool = True) -> SearchPage:
    """Search published articles and events. Never raises on user input."""
    sync.install()
    text = clean_query(query)
    page = _clamp(page, 1, MAX_PAGE, 1)
    per_page = _clamp(per_page, 1, MAX_PER_PAGE, 10)
    category = category if category in CATEGORIES else None
    result = _run_safely(session, text, category, page, per_page, base_url)
    if result.total == 0 and text:
        result.suggestions = did_you_mean(text)
    if log and text:
        log_query(session, text, result.total, channel, category)
    return result


_DEFERRED_LOGS = "search_query_logs_deferred"  # in session.info: rows waiting for take_deferred_logs


def defer_query_logs(session: Session) -> None:
    """Queries searched through ``session`` are kept for ``take_deferred_logs`` instead of written one by one.

    For a caller answering many searches (the bot worker): it writes the rows of a
    whole batch in one transaction, so a search turn needs no transaction of its own.
    """
    session.info.setdefault(_DEFERRED_LOGS, [])


def take_deferred_logs(session: Session) -> list[dict]:
    """The rows kept since the last call, as ``SearchQueryLog`` column values (the caller writes them)."""
    waiting = session.info.get(_DEFERRED_LOGS)
    if not waiting:
        return []
    rows = list(waiting)
    waiting.clear()
    return rows


def log_query(session: Session, text: str, result_count: int, channel: str, category: str | None) -> None:
    """Record one query for the KPIs.

    Normally in its own short transaction, so a read-only caller needs no
    commit. If the caller's transaction already holds writes, the row joins
    it instead (committed with the caller's work): a second connection would
    wait on SQLite's write lock that the caller holds. A session that asked
    for it (``defer_query_logs``) keeps the row for its caller to write later.
    """
    values = {"query": clean_query(text), "result_count": result_count, "channel": str(channel)[:20],
              "category": category, "created_at": utcnow()}
    deferred = session.info.get(_DEFERRED_LOGS)
    if deferred is not None:
        deferred.append(values)
        return
    row = SearchQueryLog(**values)
    if sync.has_uncommitted_writes(session):
        session.add(row)
        return
    try:
        with Session(bind=session.get_bind()) as log_session:
            log_session.add(row)
            log_session.commit()
    except SQLAlchemyError:
        logger.warning("search query could not be logged", exc_info=True)


def did_you_mean(query: str) -> list[str]:
    """Alternative spellings from the index's own vocabulary ([] when none or on error)."""
    if not has_app_context():
        return []
    try:
        with get_index().reading() as data:
            return suggest(data, clean_query(query))
    except Exception:
        logger.warning("did-you-mean failed", exc_info=True)
        return []


def popular_tags(session: Session, limit: int = 10) -> list[str]:
    """Tags of the most published articles (for empty results and the search page)."""
    count = func.count(Article.id)
    rows = session.execute(
        select(Tag.name, count)
        .join(article_tags, article_tags.c.tag_id == Tag.id)
        .join(Article, Article.id == article_tags.c.article_id)
        .where(Article.status == "published", Article.published_at.is_not(None), Article.published_at <= utcnow())
        .group_by(Tag.name)
        .order_by(count.desc(), Tag.name)
        .limit(max(0, int(limit)))
    )
    return [name for name, _ in rows]
