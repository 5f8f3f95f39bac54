"""Where content lives on the site: the one URL of an article, the browsable categories."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import url_for

from content.models import CATEGORIES

if TYPE_CHECKING:
    from content.models import Article

CARD_IMAGE_WIDTH = 960  # wide enough for a chat bubble, small enough to load quickly on mobile

# Categories a visitor browses (the concept page has its own link).
NAV_CATEGORIES = [key for key in CATEGORIES if key != "about"]


def article_path(slug: str) -> str:
    """The one URL of an article (the concept article lives at /about)."""
    if slug == "about":
        return url_for("public.about")
    return url_for("archive.article", slug=slug)


def article_site_path(slug: str) -> str:
    """An article's path without a request (bots, broadcasts): /articles/<slug>."""
    return f"/articles/{slug}"


def hero_image_url(base_url: str, article: Article) -> str | None:
    """Absolute JPEG rendition URL: the largest width ≤ 960 (or the smallest there is)."""
    if not article.hero_image:
        return None
    sizes = sorted(int(w) for w in (article.hero_sizes or []) if str(w).isdigit())
    fitting = [w for w in sizes if w <= CARD_IMAGE_WIDTH]
    width = fitting[-1] if fitting else (sizes[0] if sizes else CARD_IMAGE_WIDTH)
    return f"{base_url}/media/{article.hero_image}-{width}.jpg"
