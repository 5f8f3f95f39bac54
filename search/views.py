"""``GET /search`` (HTML) and ``GET /api/search`` (JSON): thin views over ``search.service``.

Any ``q`` is accepted. ``page`` (1–1000), ``per_page`` (1–50, API only) and
``category`` (a key of ``content.models.CATEGORIES``) are validated: a bad
value is a 400 — a JSON error body from the API, the search page with a
Japanese explanation from the HTML view — never a 500.

API response: ``{"query", "total", "page", "per_page", "results": [{"slug",
"title", "url" (absolute, from BASE_URL), "category", "category_label",
"snippet" (HTML-escaped, matches in <mark>), "snippet_text", "published_at"
(ISO 8601), "kind", "event_starts_at"}], "facets": {category: count},
"suggestions": [...]}``.
"""
from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, render_template, request

from content.models import CATEGORIES
from core.db import db
from search import sync, warmup
from search.service import MAX_PAGE, MAX_PER_PAGE, SearchHit, SearchPage, popular_tags, search

bp = Blueprint("search", __name__, static_folder="static", static_url_path="/static/search")
bp.record_once(lambda state: sync.remember_app(state.app))
bp.record_once(lambda state: warmup.install(state.app))

WEB_PER_PAGE = 10
_NUMBER = re.compile(r"[0-9]{1,7}")


class BadParameter(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def _number(args, name: str, default: int, maximum: int) -> int:
    raw = args.get(name, "").strip()
    if raw == "":
        return default
    if not _NUMBER.fullmatch(raw) or not 1 <= int(raw) <= maximum:
        raise BadParameter(name, f"{name} は 1〜{maximum} の整数で指定してください。")
    return int(raw)


def _category(args) -> str | None:
    raw = args.get("category", "").strip()
    if raw == "":
        return None
    if raw not in CATEGORIES:
        raise BadParameter("category", f"category は {', '.join(CATEGORIES)} のいずれかで指定してください。")
    return raw


def _params(args, *, with_per_page: bool) -> dict:
    return {
        "query": args.get("q", ""),
        "category": _category(args),
        "page": _number(args, "page", 1, MAX_PAGE),
        "per_page": _number(args, "per_page", WEB_PER_PAGE, MAX_PER_PAGE) if with_per_page else WEB_PER_PAGE,
    }


@bp.get("/search")
def search_page():
    try:
        params = _params(request.args, with_per_page=False)
    except BadParameter as exc:
        empty = SearchPage(query=request.args.get("q", "")[:200], total=0, page=1, per_page=WEB_PER_PAGE)
        return render_template("search/results.html", result=empty, error=exc.message, category=None,
                               categories=CATEGORIES, tags=[]), 400
    result = search(db.session, params["query"], category=params["category"], page=params["page"],
                    per_page=params["per_page"], channel="web")
    tags = popular_tags(db.session, 12) if result.total == 0 else []
    return render_template("search/results.html", result=result, error=None, category=params["category"],
                           categories=CATEGORIES, tags=tags)


def _hit_json(hit: SearchHit) -> dict:
    return {
        "slug": hit.slug, "title": hit.title, "url": hit.url, "category": hit.category,
        "category_label": hit.category_label, "snippet": hit.snippet, "snippet_text": hit.snippet_text,
        "published_at": hit.published_at.isoformat() if hit.published_at else None, "kind": hit.kind,
        "event_starts_at": hit.event_starts_at.isoformat() if hit.event_starts_at else None,
    }


@bp.get("/api/search")
def search_api():
    try:
        params = _params(request.args, with_per_page=True)
    except BadParameter as exc:
        return jsonify(error={"code": "invalid_parameter", "parameter": exc.name, "message": exc.message}), 400
    result = search(db.session, params["query"], category=params["category"], page=params["page"],
                    per_page=params["per_page"], channel="api", base_url=current_app.config.get("BASE_URL"))
    return jsonify(
        query=result.query, total=result.total, page=result.page, per_page=result.per_page,
        results=[_hit_json(hit) for hit in result.results], facets=result.facets, suggestions=result.suggestions,
    )
