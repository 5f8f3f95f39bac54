"""Stored article cards and the digests that key stored page parts (content.page_parts,
content.category_page).

A card is the article as listings and related sections show it; it is rendered when the fields
it shows change and kept on the article's row (``card_html``, keyed by ``card_key``). Derived
data is written by ``store_derived`` in its own short transaction.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from markupsafe import Markup
from sqlalchemy import Text, bindparam, cast

from content import ogp
from content.models import Article, CategoryLabels
from core import page_regions
from core.db import UTCDateTime, db

log = logging.getLogger(__name__)

VERSION = "2"  # bump when code (not templates) changes what a stored fragment or card holds
MACROS = "partials/macros.html"

_articles = Article.__table__

CARD_COLUMNS = ("id", "slug", "title", "summary", "category", "series", "published_at", "hero_image", "hero_sizes")


def card_columns(t) -> list:
    # hero_sizes as its JSON text: read only when a card is drawn, and digested as it is stored.
    return [cast(t.c[name], Text).label(name) if name == "hero_sizes" else t.c[name] for name in CARD_COLUMNS]


def public_now(t):
    return (t.c.status == "published", t.c.published_at.is_not(None),
            t.c.published_at <= bindparam("now", type_=UTCDateTime()))


# --- digests -------------------------------------------------------------------------


def parts_version() -> str:
    return page_regions.version(f"{VERSION}|{ogp.RENDER_VERSION}")


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


# Free text is length-prefixed, everything else written as its repr: no two different inputs
# give the same text (a title holding the separator cannot pass for the next field).
def card_key(row, version: str) -> str:
    """Digest of everything the stored card of this article shows."""
    title, summary = row.title, row.summary or ""
    return _digest(f"{version}\x1f{row.id}\x1f{row.slug!r}\x1f{len(title)}:{title}\x1f{len(summary)}:{summary}"
                   f"\x1f{row.category!r}\x1f{row.series!r}\x1f{row.published_at!r}\x1f{row.hero_image!r}"
                   f"\x1f{row.hero_sizes!r}")


def page_key(row, version: str) -> str:
    """Digest of everything the stored fragment of this article shows."""
    tags = row.tags or ""
    body, author = row.body_md or "", row.author or ""
    alt, credit = row.hero_alt or "", row.hero_credit or ""
    company = row.company_name
    return _digest(f"{card_key(row, version)}\x1f{len(body)}:{body}\x1f{len(author)}:{author}\x1f{row.updated_at!r}"
                   f"\x1f{len(alt)}:{alt}\x1f{len(credit)}:{credit}\x1f{company is None}"
                   f"{len(company or '')}:{company}\x1f{row.company_slug!r}\x1f{tags}")


# --- cards ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CardSource(CategoryLabels):
    """What the card macro reads, from a row."""

    slug: str
    title: str
    summary: str
    category: str
    series: str | None
    published_at: datetime
    hero_image: str | None
    hero_sizes: list | None


CARD_LEVEL = 2  # stored as a level-2, lazily loaded card; prerendered_card adapts it


@dataclass(frozen=True)
class Card:
    """A stored card, for ``ui.card_grid`` (partials/macros.html)."""

    html: str

    def prerendered_card(self, level: int, eager: bool) -> Markup:
        html = self.html
        if level != CARD_LEVEL:
            html = (html.replace(f'<h{CARD_LEVEL} class="card-title">', f'<h{level} class="card-title">', 1)
                    .replace(f"</h{CARD_LEVEL}>", f"</h{level}>", 1))
        if eager:
            html = html.replace(' loading="lazy"', ' fetchpriority="high"', 1)
        return Markup(html)


def macros():
    return current_app.jinja_env.get_template(MACROS).module


def render_card(row) -> str:
    values = {name: getattr(row, name) for name in CARD_COLUMNS if name != "id"}
    values["hero_sizes"] = json.loads(values["hero_sizes"]) if values["hero_sizes"] is not None else None
    return str(macros().article_card(CardSource(**values), CARD_LEVEL, eager=False))


def cards(rows, version: str) -> list[Card]:
    """The rows' stored cards, rendered and stored first where missing or stale."""
    result, stale = [], []
    for row in rows:
        key = card_key(row, version)
        html = row.card_html
        if row.card_key != key or html is None:
            html = render_card(row)
            stale.append({"row_id": row.id, "key": key, "html": html})
        result.append(Card(html))
    if stale:
        _store_cards(stale)
    return result


def _store_cards(values: list[dict]) -> None:
    t = _articles
    statement = (t.update().where(t.c.id == bindparam("row_id"))
                 .values(card_key=bindparam("key"), card_html=bindparam("html"), updated_at=t.c.updated_at))
    store_derived(lambda connection: connection.execute(statement, values), "cards")


def store_derived(work, what: str) -> None:
    """Store derived data (own short transaction; a failure only costs the next view a rebuild).

    Derived data needs no durability: on PostgreSQL the commit does not wait for the WAL flush
    (a crash may lose the last such writes, which the next view makes again)."""
    try:
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            work(connection)
    except Exception:  # a read-only replica, a lock timeout: the page is still served
        log.warning("%s could not be stored", what, exc_info=True)
