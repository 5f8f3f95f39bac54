"""Precomputed article page parts: stored after a view, never stale, never touching staff work."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from content import page_parts, service
from content.models import Article
from core.db import utcnow


def _related_slugs(client, slug: str) -> list[str]:
    html = client.get(f"/articles/{slug}").get_data(as_text=True)
    section = html.split('id="related-heading"', 1)[1] if 'id="related-heading"' in html else ""
    return [part.split('"', 1)[0] for part in section.split('href="/articles/')[1:]]


def _with_related(session) -> Article:
    for article in service.latest_articles(session, limit=100):
        if article.category != "about" and service.related_articles(session, article):
            return article
    raise AssertionError("the demo content has an article with related articles")


def test_a_view_stores_the_parts_without_touching_version_or_updated_at(demo_client, session):
    article = _with_related(session)
    version, updated_at = article.version, article.updated_at
    assert demo_client.get(f"/articles/{article.slug}").status_code == 200
    session.expire_all()
    stored = session.scalar(select(Article).where(Article.id == article.id))
    assert stored.page_parts["body_key"] == page_parts.body_key(stored)
    assert stored.page_parts["body_html"] == service.article_html(stored)
    assert stored.page_parts["related"] == [a.id for a in service.related_articles(session, stored)]
    assert (stored.version, stored.updated_at) == (version, updated_at)  # an open editor is not made stale


def test_an_edited_body_is_shown_at_once(demo_client, session):
    article = _with_related(session)
    demo_client.get(f"/articles/{article.slug}")
    article.body_md = (article.body_md or "") + "\n\n追記：見学会の定員を増やしました。\n"
    session.commit()
    assert "見学会の定員を増やしました" in demo_client.get(f"/articles/{article.slug}").get_data(as_text=True)


def test_stored_parts_are_used_not_recomputed(demo_client, session):
    article = _with_related(session)
    demo_client.get(f"/articles/{article.slug}")
    parts = dict(session.scalar(select(Article.page_parts).where(Article.id == article.id)))
    parts["body_html"] = "<p>保存済みの本文</p>"  # same key: the page must take it as it is
    session.execute(update(Article).where(Article.id == article.id).values(page_parts=parts))
    session.commit()
    assert "保存済みの本文" in demo_client.get(f"/articles/{article.slug}").get_data(as_text=True)


def test_an_unpublished_related_article_disappears_at_once(demo_client, session):
    article = _with_related(session)
    first = _related_slugs(demo_client, article.slug)
    assert first
    hidden = session.scalar(select(Article).where(Article.slug == first[0]))
    hidden.status = "draft"
    session.commit()
    assert first[0] not in _related_slugs(demo_client, article.slug)


def test_related_ids_are_refreshed_when_old_or_when_the_tags_change(demo_client, session):
    article = _with_related(session)
    demo_client.get(f"/articles/{article.slug}")
    parts = dict(session.scalar(select(Article.page_parts).where(Article.id == article.id)))
    parts["related"] = []
    session.execute(update(Article).where(Article.id == article.id).values(page_parts=parts))
    session.commit()
    assert _related_slugs(demo_client, article.slug) == []  # fresh: the stored (empty) list is used
    parts["related_at"] = (utcnow() - page_parts.RELATED_REFRESH - timedelta(seconds=1)).isoformat()
    session.execute(update(Article).where(Article.id == article.id).values(page_parts=parts))
    session.commit()
    assert _related_slugs(demo_client, article.slug)  # old: ranked again
    parts = dict(session.scalar(select(Article.page_parts).where(Article.id == article.id)))
    parts["related"], parts["related_key"] = [], "local:0"
    session.execute(update(Article).where(Article.id == article.id).values(page_parts=parts))
    session.commit()
    assert _related_slugs(demo_client, article.slug)  # tags/category differ from the key: ranked again
