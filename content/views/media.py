"""Imported media (content-hashed renditions) and generated OGP cards."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_file, send_from_directory

from content import ogp, service
from content.frontmatter import SLUG_RE
from content.models import CATEGORIES
from core import site
from core.db import db
from core.http_caching import IMMUTABLE

bp = Blueprint("media", __name__)
OGP_MAX_AGE = 86400


@bp.get("/media/<path:filename>")
def media(filename: str):
    # send_from_directory refuses "..", absolute paths and anything outside the folder.
    response = send_from_directory(Path(current_app.instance_path) / "media", filename, max_age=0)
    response.headers["Cache-Control"] = IMMUTABLE  # file names carry a content hash
    return response


def article_card(article) -> ogp.Card:
    return ogp.Card(
        title=article.title, label=CATEGORIES.get(article.category, ""), category=article.category,
        site_name=site.SITE_NAME, fallback_title=article.slug.replace("-", " "),
    )


def site_card() -> ogp.Card:
    return ogp.Card(
        title="町工場と、わくわくする未来をつくろう。", label="大田区のものづくりポータル",
        category="", site_name=site.SITE_NAME, fallback_title="Ota City Monozukuri",
    )


def _send_card(name: str, card: ogp.Card):
    path = ogp.cached_card(Path(current_app.instance_path) / "ogp", name, card)
    response = send_file(path, mimetype="image/png", max_age=OGP_MAX_AGE, conditional=True)
    response.cache_control.public = True
    return response


@bp.get("/ogp/<slug>.png")
def article_ogp(slug: str):
    article = service.published_article(db.session, slug) if SLUG_RE.fullmatch(slug) else None
    if article is None:
        abort(404)
    return _send_card(f"article-{article.id}", article_card(article))


@bp.get("/ogp.png")
def site_ogp():
    return _send_card("site", site_card())


def article_ogp_url(article) -> str:
    """Absolute og:image URL; the version query makes social sites refetch after an edit."""
    version = ogp.card_version(article_card(article))
    return site.absolute_url("media.article_ogp", slug=article.slug, v=version)


def site_ogp_url() -> str:
    return site.absolute_url("media.site_ogp", v=ogp.card_version(site_card()))
