"""Editor preview: the public article template rendered with unsaved form data.

The preview uses the very template and Markdown renderer of the public page,
with a transient Article that is never added to the session.
"""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.admin.article_form import ArticleInput, parse_local_datetime
from content.markdown import render_markdown
from content.models import Article, Company, Tag
from core.db import utcnow

FALLBACK_SLUG = "preview"


def _tags(session: Session, names: list[str]) -> list[Tag]:
    # Existing tags keep their ids so "related articles" match the published page.
    existing = {tag.name: tag for tag in session.scalars(select(Tag).where(Tag.name.in_(names)))}
    return [existing.get(name) or Tag(name=name) for name in names]


def transient_article(session: Session, data: ArticleInput, saved: Article | None) -> Article:
    article = Article(
        id=saved.id if saved else None,
        slug=data.slug or FALLBACK_SLUG,
        title=data.title, category=data.category, series=data.series or None,
        summary=data.summary, body_md=data.body_md, author=data.author,
        hero_alt=data.hero_alt, hero_credit=data.hero_credit,
        hero_image=saved.hero_image if saved else None,
        hero_sizes=list(saved.hero_sizes or []) if saved else [],
        status="published",
        published_at=_shown_date(data, saved),
        updated_at=saved.updated_at if saved else utcnow(),
        company_id=data.company,
    )
    article.company = session.get(Company, data.company) if data.company else None
    article.tags = _tags(session, data.tags)
    return article


def _shown_date(data: ArticleInput, saved: Article | None):
    if saved is not None and saved.published_at is not None and saved.status == "published":
        return saved.published_at
    return parse_local_datetime(data.scheduled_at) or utcnow()


def render_preview(session: Session, data: ArticleInput, saved: Article | None) -> str:
    # The public page's own helpers; tests/admin/test_preview.py fails if the contexts drift.
    from content import service, urls
    from content.views.media import article_ogp_url
    from core import site

    article = transient_article(session, data, saved)
    event = saved.event if saved is not None else None
    related = [] if article.category == "about" else service.related_articles(session, article)
    try:
        return render_template(
            "archive/article.html",
            article=article,
            body=Markup(render_markdown(article.body_md)),
            related=related,
            event=event,
            seats=service.remaining_seats(session, [event]) if event else {},
            canonical=site.absolute_url(urls.article_path(article.slug)),
            og_image=article_ogp_url(article),
        )
    finally:
        session.rollback()  # nothing a preview touched may ever be written
