"""Atom and RSS feeds built with feedgen (absolute links from BASE_URL)."""
from __future__ import annotations

from html import escape

from feedgen.feed import FeedGenerator

from content import service, urls
from content.models import CATEGORIES
from core import site
from core.db import utcnow

FEED_SIZE = 20


def build_feed(articles: list, *, category: str | None, self_url: str) -> FeedGenerator:
    title = site.SITE_NAME + (f"｜{CATEGORIES[category]}" if category else "")
    home = site.absolute_url("archive.category", category=category) if category else site.absolute_url("/")
    feed = FeedGenerator()
    feed.id(home)
    feed.title(title)
    feed.subtitle(site.SITE_DESCRIPTION)  # RSS needs a description
    feed.link(href=home, rel="alternate")
    feed.link(href=self_url, rel="self")
    feed.language("ja")
    feed.author(name=site.SITE_NAME)
    feed.logo(site.absolute_url("/static/img/logo.svg"))
    feed.updated(max((a.updated_at for a in articles), default=utcnow()))
    for article in articles:
        _add_entry(feed, article)
    return feed


def _add_entry(feed: FeedGenerator, article) -> None:
    url = site.absolute_url(urls.article_path(article.slug))
    entry = feed.add_entry(order="append")
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(article.title)
    entry.link(href=url, rel="alternate")
    entry.published(article.published_at)
    entry.updated(max(article.updated_at, article.published_at))
    summary = article.summary or article.title
    entry.summary(summary, type="text")  # Atom: plain text, shown as written
    entry.description(escape(summary))  # RSS readers treat description as HTML
    entry.content(service.article_html(article), type="html")
    entry.author(name=article.author or site.SITE_NAME)
    entry.category(term=article.category, label=CATEGORIES.get(article.category, article.category))
    for name in article.tag_names:
        entry.category(term=name, label=name)
