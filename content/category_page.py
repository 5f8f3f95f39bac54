"""A category archive page from stored cards: one query per page (its 12 cards and the count),
the page frame made from ``archive/list.html`` once per process (per category and settings)."""
from __future__ import annotations

from flask import request
from markupsafe import Markup, escape
from sqlalchemy import bindparam, func, select

from content import service
from content.models import CATEGORIES, Article
from content.page_cards import card_columns, cards, macros, parts_version, public_now
from core import page_regions, site
from core.db import db, utcnow
from core.pagination import links_html
from core.prepared import PreparedQuery

LIST_TEMPLATE = "archive/list.html"
CATEGORY_PER_PAGE = 12
SLOT = page_regions.SLOT_MARK

_articles = Article.__table__

def _category_statement(_dialect: str):
    a = _articles
    listing = (a.c.category == bindparam("category"), *public_now(a))
    order = (a.c.published_at.desc(), a.c.id.desc())
    ids = select(a.c.id).where(*listing).order_by(*order).limit(bindparam("limit")).offset(bindparam("offset"))
    total = select(func.count()).select_from(a).where(*listing).scalar_subquery()
    return (select(*card_columns(a), a.c.card_key, a.c.card_html, total.label("total"))
            .where(a.c.id.in_(ids)).order_by(*order))


_CATEGORY_QUERY = PreparedQuery(_category_statement)


class _CategoryFrame:
    """A category archive's page minus what depends on the page number and the content: made
    from ``archive/list.html`` once per process (per category and settings)."""

    def __init__(self, category: str, heading: str, lead: str):
        values = {"page": None, "heading": heading, "lead": lead, "kind": "category", "category": category,
                  "ui": macros()}
        head, _extra, content = page_regions.render_regions(
            LIST_TEMPLATE, values, overrides={"head_extra": "", "listing": page_regions.slot("listing")},
            page_vars={"page_title": Markup(page_regions.slot("title")), "page_url": Markup(page_regions.slot("url"))})
        self.head = head.split(SLOT)
        self.content = content.split(SLOT)
        if self.content[1::2] != ["listing"] or set(self.head[1::2]) - {"title", "url"}:
            raise RuntimeError(f"{LIST_TEMPLATE}: unexpected slots")
        self.heading = heading
        self.grid = page_regions.Grid(lambda items: str(macros().card_grid(items, 2)))

    def page(self, page: service.Page, path: str, url: str) -> str:
        """As archive/list.html renders it (title, prev/next links, count line, cards, page links)."""
        number = page.number
        title = Markup(escape(self.heading) + (f"（{number}ページ目）" if number > 1 else "")).strip()
        fills = {"title": title, "url": escape(url)}
        head = "".join(fills[piece] if index % 2 else piece for index, piece in enumerate(self.head))
        base = escape(site.absolute_url(path))
        extra = ""
        if page.has_prev:
            extra += f'<link rel="prev" href="{base}{f"?page={number - 1}" if number > 2 else ""}">'
        if page.has_next:
            extra += f'<link rel="next" href="{base}?page={number + 1}">'
        if page.items:
            first = (number - 1) * page.per_page
            listing = (f'\n    <p class="visually-hidden">{page.total}件中 {first + 1}〜{first + len(page.items)}件目</p>'
                       f"\n    {self.grid.join(page.items)}")
        else:
            listing = '\n    <p class="empty">まだ記事がありません。公開をお楽しみに。</p>'
        listing += f"\n    {links_html(number, page.pages, path)}"
        content = self.content[0] + listing + self.content[2]
        return page_regions.assemble(head, extra + "\n", content)


def category_page(category: str, number: int, *, heading: str, lead: str) -> str | None:
    """The whole page ``number`` of a category archive, or None (404)."""
    rows = _CATEGORY_QUERY.all(db.engine, category=category, now=utcnow(), limit=CATEGORY_PER_PAGE,
                               offset=(number - 1) * CATEGORY_PER_PAGE)
    if not rows and number > 1:
        return None
    page = service.Page(items=cards(rows, parts_version()), number=number, per_page=CATEGORY_PER_PAGE,
                        total=rows[0].total if rows else 0)
    frame = page_regions.skeleton(("category", category, heading, lead),
                                  lambda: _CategoryFrame(category, heading, lead))
    return frame.page(page, request.path, site.canonical_url(number))




def build_cards() -> int:
    """Store every category page's cards ahead; returns the pages looked at."""
    pages = 0
    for category in CATEGORIES:
        number, total = 1, 1
        while category != "about" and (number - 1) * CATEGORY_PER_PAGE < total:
            rows = _CATEGORY_QUERY.all(db.engine, category=category, now=utcnow(), limit=CATEGORY_PER_PAGE,
                                       offset=(number - 1) * CATEGORY_PER_PAGE)
            cards(rows, parts_version())  # the cards a category page shows
            total = rows[0].total if rows else 0
            pages += 1
            number += 1
    return pages
