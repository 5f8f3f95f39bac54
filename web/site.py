"""Site identity and the helpers every public template uses (absolute URLs, assets)."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from flask import current_app, request, url_for

from content.models import CATEGORIES, SERIES

SITE_NAME = "大田区 新しいものづくり"
SITE_SHORT_NAME = "新しいものづくり"
SITE_DESCRIPTION = (
    "大田区の町工場と、ものづくりにわくわくする若い世代をつなぐポータル。"
    "特集記事、企業・人・製品の紹介、工場見学会や子ども向け体験教室の情報をお届けします。"
)
# Categories a visitor browses (the concept page has its own link).
NAV_CATEGORIES = [key for key in CATEGORIES if key != "about"]
STATIC_DIR = Path(__file__).resolve().parent / "static"


def absolute_url(path_or_endpoint: str, **values) -> str:
    """Absolute URL from BASE_URL, for feeds, OGP and canonical links (never the Host header)."""
    path = path_or_endpoint if path_or_endpoint.startswith("/") else url_for(path_or_endpoint, **values)
    return current_app.config["BASE_URL"] + path


def article_path(slug: str) -> str:
    """The one URL of an article (the concept article lives at /about)."""
    if slug == "about":
        return url_for("public.about")
    return url_for("archive.article", slug=slug)


def canonical_url(page: int | None = None) -> str:
    query = f"?{urlencode({'page': page})}" if page and page > 1 else ""
    return absolute_url(request.path) + query


@lru_cache(maxsize=64)
def _asset_version(filename: str) -> str:
    try:
        return hashlib.sha256((STATIC_DIR / filename).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def asset_url(filename: str) -> str:
    """Static URL with a content-hash query, so a changed file is fetched again."""
    return url_for("static", filename=filename, v=_asset_version(filename))


def line_friend_url() -> str:
    return current_app.config.get("LINE_FRIEND_URL") or "/playground"


def discord_invite_url() -> str | None:
    return current_app.config.get("DISCORD_INVITE_URL") or None


def default_og_image() -> str:
    from web.views.media import site_ogp_url

    return site_ogp_url()


def template_context() -> dict:
    """Names every public template can use (installed as Jinja globals)."""
    return {
        "default_og_image": default_og_image,
        "site_name": SITE_NAME,
        "site_short_name": SITE_SHORT_NAME,
        "site_description": SITE_DESCRIPTION,
        "categories": CATEGORIES,
        "series_labels": SERIES,
        "nav_categories": NAV_CATEGORIES,
        "absolute_url": absolute_url,
        "article_path": article_path,
        "asset_url": asset_url,
        "line_friend_url": line_friend_url,
        "discord_invite_url": discord_invite_url,
    }
