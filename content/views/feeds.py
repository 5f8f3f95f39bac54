"""Feeds (Atom and RSS, site-wide and per category), sitemap.xml and robots.txt."""
from __future__ import annotations

from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, request

from content import service, urls
from content.feeds import FEED_SIZE, build_feed
from content.models import CATEGORIES, SERIES
from content.page_cache import cached_page
from core import site
from core.db import db
from core.http_caching import public_page

bp = Blueprint("feeds", __name__)
bp.after_request(public_page)

ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"


def _feed(category: str | None, flavour: str) -> Response:
    if category is not None and (category not in CATEGORIES or category == "about"):
        abort(404)
    articles = service.latest_articles(db.session, category, FEED_SIZE)
    feed = build_feed(articles, category=category, self_url=site.absolute_url(request.path))
    if flavour == "atom":
        return Response(feed.atom_str(pretty=False), mimetype=ATOM)
    return Response(feed.rss_str(pretty=False), mimetype=RSS)


@bp.get("/feed.xml")
@cached_page
def atom():
    return _feed(None, "atom")


@bp.get("/feed/<category>.xml")
@cached_page
def atom_category(category: str):
    return _feed(category, "atom")


@bp.get("/rss.xml")
@cached_page
def rss():
    return _feed(None, "rss")


@bp.get("/rss/<category>.xml")
@cached_page
def rss_category(category: str):
    return _feed(category, "rss")


def _sitemap_paths() -> list[tuple[str, str | None]]:
    paths = [("/", None), ("/about", None), ("/events", None), ("/posts", None), ("/privacy", None),
             ("/contact", None)]
    paths += [(f"/category/{key}", None) for key in urls.NAV_CATEGORIES]
    paths += [(f"/series/{key}", None) for key in SERIES]
    for slug, _category, changed in service.sitemap_articles(db.session):
        if slug != "about":
            paths.append((urls.article_path(slug), changed.date().isoformat()))
    return paths


@bp.get("/sitemap.xml")
@cached_page
def sitemap():
    rows = []
    for path, lastmod in _sitemap_paths():
        extra = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        rows.append(f"<url><loc>{escape(site.absolute_url(path))}</loc>{extra}</url>")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(rows) + "</urlset>\n"
    )
    return Response(body, mimetype="application/xml")


@bp.get("/robots.txt")
@cached_page
def robots():
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /search",
        f"Sitemap: {site.absolute_url('/sitemap.xml')}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
