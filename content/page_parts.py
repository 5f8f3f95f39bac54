"""Precomputed parts of the public article page: sanitised body HTML and related-article ids.

Rendering Markdown and ranking related articles were most of an uncached article view.
Both are derived data, so they are kept on the article row (``Article.page_parts``)
and recomputed only when stale:

- the body HTML when the Markdown (or the renderer, ``VERSION``) changed — keyed by a
  digest of the Markdown, so any way of editing the body is noticed;
- the related ids when the article's own category or tags changed, or after
  ``RELATED_REFRESH`` (so an article published meanwhile joins its neighbours' lists).
  Ids are re-checked on every view: an article unpublished since never shows.

The write-back is a plain UPDATE of this one column: it neither bumps the editor's
optimistic-lock ``version`` nor ``updated_at``, so staff work is never disturbed.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from content import service
from content.markdown import render_markdown
from content.models import Article
from core.db import db, utcnow

log = logging.getLogger(__name__)

VERSION = 1  # bump when render_markdown's output changes for the same Markdown
RELATED_REFRESH = timedelta(minutes=10)
RELATED_LIMIT = 4


def body_key(article: Article) -> str:
    digest = hashlib.blake2b((article.body_md or "").encode(), digest_size=12).hexdigest()
    return f"{VERSION}:{digest}"


def related_key(article: Article) -> str:
    return f"{article.category}:{','.join(str(tag.id) for tag in sorted(article.tags, key=lambda t: t.id))}"


def _related_is_fresh(parts: dict, article: Article, now: datetime) -> bool:
    try:
        computed_at = datetime.fromisoformat(parts["related_at"])
    except (KeyError, TypeError, ValueError):
        return False
    return parts.get("related_key") == related_key(article) and now - computed_at < RELATED_REFRESH \
        and isinstance(parts.get("related"), list)


def article_page(session: Session, article: Article) -> tuple[str, list[Article]]:
    """(body HTML, related articles) for the public page, from the stored parts when fresh."""
    parts = dict(article.page_parts or {})
    changed = False
    key = body_key(article)
    if parts.get("body_key") != key or not isinstance(parts.get("body_html"), str):
        parts.update(body_key=key, body_html=render_markdown(article.body_md or ""))
        changed = True
    related: list[Article] = []
    if article.category != "about":
        now = utcnow()
        if not _related_is_fresh(parts, article, now):
            ids = [item.id for item in service.related_articles(session, article, limit=RELATED_LIMIT)]
            parts.update(related=ids, related_at=now.isoformat(), related_key=related_key(article))
            changed = True
        related = _published_in_order(session, parts["related"])
    if changed:
        _store(article.id, parts)
    return parts["body_html"], related


def _published_in_order(session: Session, ids: list[int]) -> list[Article]:
    if not ids:
        return []
    # Cards show no tags: the articles alone, one query.
    query = select(Article).where(*service.public_filters(), Article.id.in_(ids))
    found = {item.id: item for item in session.scalars(query)}
    return [found[i] for i in ids if i in found]


def _store(article_id: int, parts: dict) -> None:
    """Keep the parts (own short transaction; a failure only costs the next view a recompute)."""
    table = Article.__table__
    try:
        with db.engine.begin() as connection:
            connection.execute(table.update().where(table.c.id == article_id)
                               .values(page_parts=parts, updated_at=table.c.updated_at))
    except Exception:  # a read-only replica, a lock timeout: the page is still served
        log.warning("article %s: page parts could not be stored", article_id, exc_info=True)
