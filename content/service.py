"""Queries over published content, shared by the web archive, the bots and search."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Select, and_, bindparam, case, func, or_, select, text
from sqlalchemy.orm import Session, contains_eager, joinedload, load_only, selectinload

from content.markdown import render_markdown
from content.models import Article, Tag, article_tags
from core.db import utcnow
from events.models import Event


def _public_filters(now: datetime | None = None) -> tuple:
    now = now or utcnow()
    return (
        Article.status == "published",
        Article.published_at.is_not(None),
        Article.published_at <= now,
    )


def published_articles_query(category: str | None = None, *, with_tags: bool = True):
    """Public articles, newest first. Listings of cards pass ``with_tags=False`` (cards show no tags)."""
    query = (
        select(Article)
        .where(*_public_filters())
        .order_by(Article.published_at.desc(), Article.id.desc())
    )
    if with_tags:
        query = query.options(selectinload(Article.tags))
    if category:
        query = query.where(Article.category == category)
    return query


# What a chat card shows of an article (title, label, summary, link, hero image) and
# whether it is public: listings for cards load these only, not the body.
ARTICLE_CARD_COLUMNS = (Article.id, Article.slug, Article.title, Article.category, Article.summary,
                        Article.hero_image, Article.hero_sizes, Article.status, Article.published_at)


def latest_articles(session: Session, category: str | None = None, limit: int = 10, *,
                    cards: bool = False) -> list[Article]:
    """Newest public articles. ``cards``: only what a chat card shows is loaded (no body, no tags)."""
    if cards:
        return list(session.scalars(_latest_cards(category is not None),
                                    {"now": utcnow(), "category": category, "limit": limit}))
    return list(session.scalars(published_articles_query(category).limit(limit)))


@lru_cache(maxsize=2)
def _latest_cards(by_category: bool) -> Select:
    """Built once per shape (statement construction costs more than the query); values bound per call."""
    query = (
        select(Article).options(load_only(*ARTICLE_CARD_COLUMNS))
        .where(Article.status == "published", Article.published_at.is_not(None),
               Article.published_at <= bindparam("now"))
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(bindparam("limit"))
    )
    return query.where(Article.category == bindparam("category")) if by_category else query


def articles_for_cards(session: Session, slugs: list[str]) -> list[Article]:
    """Articles by slug, with only what a chat card shows loaded."""
    if not slugs:
        return []
    return list(session.scalars(_articles_for_cards(), {"slugs": list(slugs)}))


@lru_cache(maxsize=1)
def _articles_for_cards() -> Select:
    return select(Article).options(load_only(*ARTICLE_CARD_COLUMNS)).where(
        Article.slug.in_(bindparam("slugs", expanding=True)))


@lru_cache(maxsize=1)
def _published_by_slug():
    """Built once (statement construction costs more than the lookup); ``now`` and ``slug`` are bound per call."""
    return (
        select(Article)
        .where(Article.status == "published", Article.published_at.is_not(None),
               Article.published_at <= bindparam("now"), Article.slug == bindparam("slug"))
        # One row with its event and companies joined in (to-one), tags in one more query.
        .options(joinedload(Article.event).joinedload(Event.company), joinedload(Article.company),
                 selectinload(Article.tags))
    )


def published_article(session: Session, slug: str) -> Article | None:
    return session.scalar(_published_by_slug(), {"now": utcnow(), "slug": slug})


def upcoming_events(
    session: Session, kind: str | None = None, limit: int = 20, *, public_only: bool = False,
    include_cancelled: bool = True, cards: bool = False,
) -> list[Event]:
    """Events that have not started yet, soonest first.

    ``public_only`` hides events whose article is not published yet (the web
    archive must not leak a draft through its event); ``include_cancelled=False``
    leaves out cancelled ones (a chat carousel offers registration on every card).
    ``cards``: one query, each event with what a chat card shows of its article
    (no company, no article body).
    """
    if cards:
        shape = (kind is not None, include_cancelled, public_only)
        return list(session.scalars(_upcoming_cards(*shape), {"now": utcnow(), "kind": kind, "limit": limit}))
    query = (
        select(Event)
        .where(Event.starts_at >= utcnow())
        .options(selectinload(Event.article), selectinload(Event.company))
        .order_by(Event.starts_at)
        .limit(limit)
    )
    if kind:
        query = query.where(Event.kind == kind)
    if not include_cancelled:
        query = query.where(Event.status != "cancelled")
    if public_only:
        query = query.outerjoin(Event.article).where(
            or_(Event.article_id.is_(None), and_(*_public_filters()))
        )
    return list(session.scalars(query))


@lru_cache(maxsize=8)
def _upcoming_cards(by_kind: bool, include_cancelled: bool, public_only: bool) -> Select:
    """Built once per shape; ``now``, ``kind`` and ``limit`` are bound per call."""
    query = (
        select(Event).where(Event.starts_at >= bindparam("now"))
        .outerjoin(Event.article)
        .options(contains_eager(Event.article).load_only(*ARTICLE_CARD_COLUMNS))
        .order_by(Event.starts_at)
        .limit(bindparam("limit"))
    )
    if by_kind:
        query = query.where(Event.kind == bindparam("kind"))
    if not include_cancelled:
        query = query.where(Event.status != "cancelled")
    if public_only:
        query = query.where(or_(Event.article_id.is_(None), and_(
            Article.status == "published", Article.published_at.is_not(None),
            Article.published_at <= bindparam("now"))))
    return query


def remaining_seats(session: Session, events: list[Event]) -> dict[int, int]:
    """Seats still free per event id, for a whole list in one query.

    Same rule as ``events.service.remaining_seats`` (participants of seat-holding
    registrations count), batched so a listing costs one query, not one per event.
    """
    from events.service import remaining_seats_for

    return remaining_seats_for(session, events)


# --- archives and pagination ------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a listing; ``number`` is 1-based."""

    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(session: Session, query: Select, number: int, per_page: int = 12) -> Page | None:
    """The requested page, or None when it does not exist (page 1 always exists).

    Ids first, then the page's rows: deep pages skip their offset on the
    narrow listing index instead of reading every skipped article.
    """
    if number < 1:
        return None
    keys = query.with_only_columns(Article.id).options()
    total = session.scalar(select(func.count()).select_from(keys.order_by(None).subquery()))
    page = Page(items=[], number=number, per_page=per_page, total=total or 0)
    if number > page.pages:
        return None
    ids = list(session.scalars(keys.limit(per_page).offset((number - 1) * per_page)))
    found = {item.id: item for item in session.scalars(query.order_by(None).where(Article.id.in_(ids or [-1])))}
    return Page(items=[found[i] for i in ids if i in found], number=number, per_page=per_page, total=page.total)


def series_query(series: str) -> Select:
    return published_articles_query(with_tags=False).where(Article.series == series)


def tag_query(tag_name: str) -> Select:
    return published_articles_query(with_tags=False).where(Article.tags.any(Tag.name == tag_name))


def tag_exists(session: Session, tag_name: str) -> bool:
    return session.scalar(select(Tag.id).where(Tag.name == tag_name)) is not None


def latest_per_category(
    session: Session, categories: list[str], per_category: int = 3
) -> dict[str, list[Article]]:
    """The newest ``per_category`` articles of each category, in one query."""
    rank = func.row_number().over(
        partition_by=Article.category, order_by=(Article.published_at.desc(), Article.id.desc())
    )
    ranked = (
        select(Article.id.label("id"), rank.label("rank"))
        .where(*_public_filters(), Article.category.in_(categories))
        .subquery()
    )
    query = (
        select(Article)
        .join(ranked, ranked.c.id == Article.id)
        .where(ranked.c.rank <= per_category)
        .options(selectinload(Article.tags))
        .order_by(ranked.c.rank)
    )
    grouped: dict[str, list[Article]] = {category: [] for category in categories}
    for article in session.scalars(query):
        grouped[article.category].append(article)
    return grouped


def related_articles(session: Session, article: Article, limit: int = 4) -> list[Article]:
    """Published articles sharing most tags, then the same category, newest first.

    Ranked on ids alone (article_tags and the listing index, no article bodies),
    then only the chosen articles are loaded; when fewer than ``limit`` share a
    tag, the newest of the same category fill the list.
    """
    tag_ids = [tag.id for tag in article.tags]
    chosen = _ids_sharing_tags(session, article, tag_ids, limit) if tag_ids else []
    if len(chosen) < limit:
        chosen += _newest_ids_in_category(session, article, chosen, limit - len(chosen))
    found = {item.id: item for item in session.scalars(
        select(Article).where(Article.id.in_(chosen or [-1])).options(selectinload(Article.tags)))}
    return [found[i] for i in chosen if i in found]


def _ids_sharing_tags(session: Session, article: Article, tag_ids: list[int], limit: int) -> list[int]:
    shared = (
        select(article_tags.c.article_id.label("article_id"), func.count().label("score"))
        .where(article_tags.c.tag_id.in_(tag_ids), article_tags.c.article_id != article.id)
        .group_by(article_tags.c.article_id)
        .subquery()
    )
    same_category = case((Article.category == article.category, 1), else_=0)
    query = (
        select(Article.id)
        .join(shared, shared.c.article_id == Article.id)
        .where(*_public_filters(), Article.category != "about")
        .order_by(shared.c.score.desc(), same_category.desc(), Article.published_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def _newest_ids_in_category(session: Session, article: Article, exclude: list[int], limit: int) -> list[int]:
    query = (
        select(Article.id)
        .where(*_public_filters(), Article.category == article.category, Article.category != "about")
        .where(Article.id.not_in([article.id, *exclude]))
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def sitemap_articles(session: Session) -> list[tuple[str, str, datetime]]:
    """(slug, category, last change) of every public article, for the sitemap."""
    query = select(Article.slug, Article.category, Article.updated_at).where(*_public_filters())
    return [tuple(row) for row in session.execute(query.order_by(Article.published_at.desc()))]


def public_tag_names(session: Session) -> list[str]:
    query = (
        select(Tag.name)
        .join(article_tags, article_tags.c.tag_id == Tag.id)
        .join(Article, Article.id == article_tags.c.article_id)
        .where(*_public_filters())
        .group_by(Tag.name)
        .order_by(Tag.name)
    )
    return list(session.scalars(query))


_FINGERPRINT_SQL = text(
    "SELECT (SELECT max(updated_at) FROM articles), (SELECT count(*) FROM articles),"
    " (SELECT max(updated_at) FROM events), (SELECT coalesce(sum(seat_version), 0) FROM events),"
    " (SELECT count(*) FROM events), (SELECT count(*) FROM article_tags),"
    " (SELECT max(updated_at) FROM top_page_settings)"
)


def content_fingerprint(session: Session) -> tuple:
    """A cheap value that changes whenever published pages could change (one query).

    Covers article edits, additions and deletions, event edits and seat changes
    (``Event.seat_version`` is bumped by every registration change). Plain SQL:
    it runs on every cached page view, so it skips statement construction.
    """
    return tuple(session.execute(_FINGERPRINT_SQL).one())


# --- rendered Markdown cache ------------------------------------------------

_HTML_CACHE_SIZE = 256
_html_cache: OrderedDict[tuple, str] = OrderedDict()
_html_lock = threading.Lock()


def article_html(article: Article) -> str:
    """Sanitised body HTML, cached per (id, updated_at): rendering is the costly part."""
    key = (article.id, article.updated_at, len(article.body_md or ""))
    with _html_lock:
        cached = _html_cache.get(key)
        if cached is not None:
            _html_cache.move_to_end(key)
            return cached
    html = render_markdown(article.body_md or "")
    with _html_lock:
        _html_cache[key] = html
        while len(_html_cache) > _HTML_CACHE_SIZE:
            _html_cache.popitem(last=False)
    return html
