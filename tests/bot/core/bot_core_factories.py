"""Small builders for bot-core tests that need content other than the demo set."""
from __future__ import annotations

from datetime import timedelta

from content.models import Article
from core.db import utcnow
from events.models import Event


def make_article(session, slug: str, category: str = "feature", days_ago: int = 1, **fields) -> Article:
    article = Article(
        slug=slug, title=fields.pop("title", f"記事 {slug}"), category=category, status="published",
        published_at=utcnow() - timedelta(days=days_ago), summary=fields.pop("summary", "概要です。"), **fields,
    )
    session.add(article)
    session.flush()
    return article


def make_event(session, slug: str, kind: str, days_ahead: int, **fields) -> Event:
    article = make_article(session, slug, category="local", title=fields.pop("title", f"{kind} {slug}"))
    event = Event(kind=kind, title=article.title, starts_at=utcnow() + timedelta(days=days_ahead),
                  article=article, **fields)
    session.add(event)
    session.flush()
    return event
