"""Site identity and absolute URLs (from BASE_URL, never the Host header)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, request, url_for

SITE_NAME = "大田区 新しいものづくり"
SITE_SHORT_NAME = "新しいものづくり"
SITE_DESCRIPTION = (
    "大田区の町工場と、ものづくりにわくわくする若い世代をつなぐポータル。"
    "特集記事、企業・人・製品の紹介、工場見学会や子ども向け体験教室の情報をお届けします。"
)


def absolute_url(path_or_endpoint: str, **values) -> str:
    """Absolute URL from BASE_URL, for feeds, OGP and canonical links (never the Host header)."""
    path = path_or_endpoint if path_or_endpoint.startswith("/") else url_for(path_or_endpoint, **values)
    return current_app.config["BASE_URL"] + path


def canonical_url(page: int | None = None) -> str:
    query = f"?{urlencode({'page': page})}" if page and page > 1 else ""
    return absolute_url(request.path) + query
