"""Where content lives on the site: the one URL of an article, the browsable categories."""
from __future__ import annotations

from flask import url_for

from content.models import CATEGORIES

# Categories a visitor browses (the concept page has its own link).
NAV_CATEGORIES = [key for key in CATEGORIES if key != "about"]


def article_path(slug: str) -> str:
    """The one URL of an article (the concept article lives at /about)."""
    if slug == "about":
        return url_for("public.about")
    return url_for("archive.article", slug=slug)
