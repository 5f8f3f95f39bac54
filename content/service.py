"""Queries over published content, shared by the web archive, the bots and search."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from content.models import Article
from events.models import Event
from web.db import utcnow


def published_articles_query(category: str | None = None):
    query = (
        select(Article)
        .where(Article.status == "published", Article.published_at.is_not(None))
        .where(Article.published_at <= utcnow())
        .options(selectinload(Article.tags))
        .order_by(Article.published_at.desc(), Article.id.desc())
    )
    if category:
        query = query.where(Article.category == category)
    return query


def latest_articles(session: Session, category: str | None = None, limit: int = 10) -> list[Article]:
    return list(session.scalars(published_articles_query(category).limit(limit)))


def published_article(session: Session, slug: str) -> Article | None:
    return session.scalar(published_articles_query().where(Article.slug == slug))


def upcoming_events(session: Session, kind: str | None = None, limit: int = 20) -> list[Event]:
    query = (
        select(Event)
        .where(Event.starts_at >= utcnow())
        .options(selectinload(Event.article), selectinload(Event.company))
        .order_by(Event.starts_at)
        .limit(limit)
    )
    if kind:
        query = query.where(Event.kind == kind)
    return list(session.scalars(query))
