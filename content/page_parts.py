"""The public article page without per-request rendering of stored work (the category archive:
content.category_page; stored cards and digests: content.page_cards).

What depends only on an article is made once, when it changes, and kept on its row:

- ``page_html``: the article-specific regions of its page (head, head extras, content:
  the rendered Markdown body, tags, share links, company call-to-action) with *slots* for
  what must stay live — the event box (seats left, closed), the broadcasts about the
  article, the related-article cards, and the body when it embeds videos (their titles
  live in the videos table). ``page_key`` is a digest of every input: the article's own
  columns (body included), its company's name and slug, its tags (ids and names), the
  templates and static files, the settings and ``VERSION``. Every request recomputes the digest from the row it reads, so any edit —
  console, import, restore, a plain SQL update — is served at once; a mismatch rebuilds
  the fragment (from the same templates ``render_template`` uses) before the page is served.
- ``card_html``: the article's card as listings and related sections show it, keyed the same
  way by ``card_key`` over the fields a card shows.
- ``article_related``: the ranked related articles, ranked again after ``RELATED_REFRESH``
  or when the fragment is rebuilt (its tags or category may have changed).

A request then runs ONE query (a statement built once): the article row, its company,
tag ids, whether it has an event or broadcasts, and — in the same statement — its related
articles that are public *now* with their cards. Event boxes and broadcasts are rendered
per request, as before, and only for the articles that have them. The site chrome comes
from ``core.page_regions`` (rendered once per process and settings).

Writes are plain UPDATEs in their own short transaction: they change neither the editor's
optimistic-lock ``version`` nor ``updated_at``, and a failed write only costs the next
request the same rebuild.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from markupsafe import Markup
from sqlalchemy import (
    Integer,
    String,
    Text,
    bindparam,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    null,
    select,
    table,
    union_all,
)
from sqlalchemy.orm import Session, joinedload, selectinload

from content import category_page, service, urls
from content.markdown import render_markdown
from content.models import Article, Company, Tag, article_related, article_tags
from content.page_cards import (
    card_columns,
    cards,
    macros,
    page_key,
    parts_version,
    public_now,
    store_derived,
)
from core import page_regions, site
from core.db import db, utcnow
from core.prepared import PreparedQuery

log = logging.getLogger(__name__)

RELATED_REFRESH = timedelta(minutes=10)
RELATED_LIMIT = 4
ARTICLE_TEMPLATE = "archive/article.html"
SLOT = page_regions.SLOT_MARK
LIVE_BLOCKS = ("event_box", "posts", "related")

_articles = Article.__table__
_companies = Company.__table__
# Tables of other domains, by name only (the article page asks whether a row exists).
_events = table("events", column("id", Integer), column("article_id", Integer))
_broadcasts = table("broadcasts", column("article_id", Integer))

PAGE_COLUMNS = ("body_md", "author", "updated_at", "hero_alt", "hero_credit", "page_key", "page_html", "related_at")


# --- the one query of an article page ------------------------------------------------


def _tags_column(dialect: str, article_id):
    """The article's tags as one string, each "id:length:name" (so no name can pass for another;
    the order is the index's, and a different order would only cost a rebuild)."""
    item = (cast(article_tags.c.tag_id, Text) + literal(":", Text) + cast(func.length(Tag.name), Text)
            + literal(":", Text) + Tag.name)
    joined = (func.group_concat(item, literal_column("','"), type_=Text) if dialect == "sqlite"
              else func.string_agg(item, literal_column("','"), type_=Text))
    return (select(joined).select_from(article_tags.join(Tag, Tag.id == article_tags.c.tag_id))
            .where(article_tags.c.article_id == article_id).scalar_subquery())


def _article_statement(dialect: str):
    """The article (position 0) and, in the same statement, its related articles that are public
    now with their cards (positions 1…): the columns only the article has are NULL for them."""
    a = _articles
    own = [
        *(a.c[name] for name in PAGE_COLUMNS),
        _companies.c.name.label("company_name"), _companies.c.slug.label("company_slug"),
        _tags_column(dialect, a.c.id).label("tags"),
        select(_events.c.id).where(_events.c.article_id == a.c.id).limit(1).scalar_subquery().label("event_id"),
        exists().where(_broadcasts.c.article_id == a.c.id).label("has_posts"),
    ]
    main = (
        select(literal(0, Integer).label("position"), *card_columns(a),
               cast(null(), String).label("card_key"), cast(null(), Text).label("card_html"), *own)
        .select_from(a.outerjoin(_companies, _companies.c.id == a.c.company_id))
        .where(*public_now(a), a.c.slug == bindparam("slug"))
    )
    owner, b = _articles.alias("owner"), _articles.alias("related")
    rel = article_related
    related = (
        select(rel.c.position, *card_columns(b), b.c.card_key, b.c.card_html,
               *(cast(null(), column.type) for column in own))
        .select_from(rel.join(owner, owner.c.id == rel.c.article_id).join(b, b.c.id == rel.c.related_id))
        .where(owner.c.slug == bindparam("slug"), *public_now(b))
    )
    return union_all(main, related)


_ARTICLE_QUERY = PreparedQuery(_article_statement)


def _fetch(slug: str, now: datetime) -> tuple[object | None, list]:
    main = None
    related = []
    for row in _ARTICLE_QUERY.all(db.engine, slug=slug, now=now):
        if row.position == 0:
            main = row
        else:
            related.append(row)
    related.sort(key=lambda row: row.position)
    return main, related


# --- the stored fragment -------------------------------------------------------------


def _load_article(session: Session, article_id: int) -> Article | None:
    return session.scalar(
        select(Article).where(Article.id == article_id)
        .options(joinedload(Article.company), selectinload(Article.tags))
        .execution_options(populate_existing=True)
    )


def page_values(article: Article, body_html: str) -> dict:
    """The names ``archive/article.html`` is rendered with (the live ones filled per request)."""
    from content.views.media import article_ogp_url

    return {
        "article": article, "body": Markup(body_html), "related": [], "event": None, "seats": {},
        "canonical": site.absolute_url(urls.article_path(article.slug)), "og_image": article_ogp_url(article),
        "ui": macros(),
    }


def build_fragment(article: Article) -> str | None:
    """The article's regions with slots for the live parts, or None when they cannot be kept
    apart (a slot mark in the content itself: the page is then rendered whole)."""
    body_html = render_markdown(article.body_md or "")
    overrides = {name: page_regions.slot(name) for name in LIVE_BLOCKS}
    body = Markup(body_html)
    if str(current_app.jinja_env.filters["embed_videos"](body)) != body_html:
        overrides["body"] = page_regions.slot("videos") + body_html + page_regions.slot("/videos")  # titles read per request
    head, extra, content = page_regions.render_regions(ARTICLE_TEMPLATE, page_values(article, body_html),
                                                       overrides=overrides)
    marks = page_regions.REGION_MARK
    if any(marks in part or SLOT in part for part in (head, extra)) or marks in content \
            or content.count(SLOT) != 2 * len(overrides) + (2 if "body" in overrides else 0):
        log.warning("article %s: its text holds a page mark; rendered whole", article.id)
        return None
    return marks.join((head, extra, content))


def _store(session: Session, row, *, page: tuple[str, str] | None = None) -> None:
    """Rank the article's related articles again and keep them, with its new fragment ``page``
    (key, html) when given: one short transaction."""
    article_id, category = row.id, row.category
    subject = SimpleNamespace(id=article_id, category=category)
    tag_ids = list(session.scalars(select(article_tags.c.tag_id).where(article_tags.c.article_id == article_id)))
    ids: list[int] = []
    if category != "about":
        ids = service._ids_sharing_tags(session, subject, tag_ids, RELATED_LIMIT) if tag_ids else []
        if len(ids) < RELATED_LIMIT:
            ids += service._newest_ids_in_category(session, subject, ids, RELATED_LIMIT - len(ids))
    t = _articles
    values = {"related_at": utcnow(), "updated_at": t.c.updated_at}
    if page is not None:
        values.update(page_key=page[0], page_html=page[1])

    def write(connection):
        connection.execute(article_related.delete().where(article_related.c.article_id == article_id))
        if ids:
            connection.execute(article_related.insert(), [
                {"article_id": article_id, "position": n, "related_id": i} for n, i in enumerate(ids, 1)])
        connection.execute(t.update().where(t.c.id == article_id).values(**values))

    store_derived(write, f"article {article_id}: page parts")


# --- the article page ----------------------------------------------------------------


def article_page(slug: str) -> str | None:
    """The whole public page of a published article, or None (404)."""
    found = _current_parts(slug)
    if found is None:
        return None
    main, related, html, version = found
    if html is None:
        return render_whole(slug)
    head, extra, content = html.split(page_regions.REGION_MARK)
    return page_regions.assemble(head, extra, _fill(content.split(SLOT), main, related, version))


def _current_parts(slug: str, *, refresh_related: bool = True):
    """(row, related rows, fragment, version) of a published article, its stored parts rebuilt
    first when stale (fragment None: it cannot be kept in parts), or None (not public).
    ``refresh_related=False`` leaves related articles ranked over ``RELATED_REFRESH`` ago as they
    are (the worker: the next view ranks them)."""
    session = db.session
    now = utcnow()
    main, related = _fetch(slug, now)
    if main is None:
        return None
    version = parts_version()
    key = page_key(main, version)
    html = main.page_html
    if main.page_key != key or html is None:
        article = _load_article(session, main.id)
        html = build_fragment(article) if article is not None else None
        if html is None:
            return main, related, None, version
        _store(session, main, page=(key, html))  # its tags or category may have changed: rank again
        main, related = _fetch(slug, now)
        if main is None:
            return None
    elif refresh_related and main.category != "about" and (
            main.related_at is None or now - main.related_at >= RELATED_REFRESH):
        _store(session, main)
        related = _fetch(slug, now)[1]
    return main, related, html, version


def _fill(pieces: list[str], main, related_rows, version: str) -> str:
    out = []
    videos = False
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            out.append(str(current_app.jinja_env.filters["embed_videos"](Markup(piece))) if videos else piece)
        elif piece == "videos":
            videos = True
        elif piece == "/videos":
            videos = False
        else:
            out.append(_live(piece, main, related_rows, version))
    return "".join(out)


def _related_grid() -> page_regions.Grid:
    """The related-articles section around its cards, from the template once per process."""
    return page_regions.skeleton(("article-related",), lambda: page_regions.Grid(
        lambda related: page_regions.render_block(ARTICLE_TEMPLATE, "related", {"related": related,
                                                                                 "ui": macros()})))


def _live(name: str, main, related_rows, version: str) -> str:
    if name == "related":
        return _related_grid().join(cards(related_rows, version)) if related_rows else ""
    if name == "event_box":
        return _event_box(main.event_id) if main.event_id is not None else ""
    if name == "posts":
        if not main.has_posts:
            return ""
        return page_regions.render_block(ARTICLE_TEMPLATE, "posts", {"article": SimpleNamespace(id=main.id)})
    raise ValueError(f"unknown slot {name!r}")


def _event_statement(_dialect: str):
    from events.models import Event
    from events.service import seats_taken_subquery

    e = Event.__table__
    company = _companies.alias("event_company")
    return (select(e.c.id, e.c.kind, e.c.title, e.c.starts_at, e.c.ends_at, e.c.place, e.c.audience, e.c.capacity,
                   e.c.deadline, e.c.status, company.c.name.label("company_name"),
                   seats_taken_subquery(e.c.id).label("taken"))
            .select_from(e.outerjoin(company, company.c.id == e.c.company_id))
            .where(e.c.id == bindparam("event_id")))


_EVENT_QUERY = PreparedQuery(_event_statement)


def _event_box(event_id: int) -> str:
    """The article's event box as it is now (seats left, closed), in one more query."""
    from events.models import Event
    from events.service import seats_left

    rows = _EVENT_QUERY.all(db.engine, event_id=event_id)
    if not rows:
        return ""
    row = rows[0]
    # A transient Event (never added to a session): the macro reads its own properties.
    event = Event(id=row.id, kind=row.kind, title=row.title, starts_at=row.starts_at, ends_at=row.ends_at,
                  place=row.place, audience=row.audience, capacity=row.capacity, deadline=row.deadline,
                  status=row.status, company=Company(name=row.company_name) if row.company_name is not None else None)
    seats = {row.id: seats_left(row.capacity, row.taken)}
    return page_regions.render_block(ARTICLE_TEMPLATE, "event_box", {"event": event, "seats": seats,
                                                                     "ui": macros()})


def render_whole(slug: str) -> str | None:
    """The page rendered whole with ``render_template`` (reference, and the rare article that
    cannot be split into stored parts)."""
    from flask import render_template

    from content.views.media import article_ogp_url

    session = db.session
    item = service.published_article(session, slug)
    if item is None:
        return None
    event = item.event
    related = service.related_articles(session, item, limit=RELATED_LIMIT) if item.category != "about" else []
    return render_template(
        ARTICLE_TEMPLATE, article=item, body=Markup(service.article_html(item)), related=related, event=event,
        seats=service.remaining_seats(session, [event]) if event else {},
        canonical=site.absolute_url(urls.article_path(slug)), og_image=article_ogp_url(item),
    )


# --- building ahead ------------------------------------------------------------------


def build_all(app, *, refresh_related: bool = True) -> tuple[int, int]:
    """Bring every published article's stored parts and cards up to date (after a bulk import
    or a deploy that changed templates), so no visitor's first view pays for the rendering.
    Returns (articles, category pages) looked at; what is fresh already is left as it is."""
    table = _articles
    with app.test_request_context("/"):
        slugs = list(db.session.scalars(
            select(table.c.slug).where(table.c.status == "published", table.c.published_at.is_not(None),
                                       table.c.published_at <= utcnow()).order_by(table.c.id)))
        db.session.remove()
    for slug in slugs:
        with app.test_request_context(urls.article_site_path(slug)):
            found = _current_parts(slug, refresh_related=refresh_related)
            if found is not None:
                cards(found[1], found[3])  # the related articles' cards
            db.session.remove()
    with app.test_request_context("/"):
        pages = category_page.build_cards()
        db.session.remove()
    return len(slugs), pages
