"""Archives (category, series, tag) and the article page."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template

from content import category_page, page_parts, service, urls
from content.frontmatter import SLUG_RE
from content.models import CATEGORIES, SERIES
from content.page_cache import cached_page
from core import site
from core.db import db
from core.http_caching import public_page
from core.pagination import requested_page

bp = Blueprint("archive", __name__)
bp.after_request(public_page)

PER_PAGE = 12
MAX_TAG_LENGTH = 64


def _render_listing(query, *, heading: str, lead: str, kind: str, **extra):
    page = service.paginate(db.session, query, requested_page(), PER_PAGE)
    if page is None:
        abort(404)
    return render_template(
        "archive/list.html", page=page, heading=heading, lead=lead, kind=kind,
        canonical=site.canonical_url(page.number), **extra,
    )


@bp.get("/category/<category>")
@cached_page
def category(category: str):
    if category not in CATEGORIES or category == "about":
        abort(404)
    # One query for the page of stored cards and the count (content.page_parts).
    html = category_page.category_page(category, requested_page(), heading=CATEGORIES[category],
                                    lead=CATEGORY_LEADS.get(category, ""))
    if html is None:
        abort(404)
    return html


@bp.get("/series/<series>")
@cached_page
def series(series: str):
    if series not in SERIES:
        abort(404)
    return _render_listing(
        service.series_query(series),
        heading=f"テーマ別記事：{SERIES[series]}", lead=SERIES_LEADS.get(series, ""),
        kind="series", series=series, category="series",
    )


@bp.get("/tag/<path:tag>")  # tags may contain "/" (e.g. IoT/AI)
@cached_page
def tag(tag: str):
    if len(tag) > MAX_TAG_LENGTH or not tag.isprintable() or not service.tag_exists(db.session, tag):
        abort(404)
    return _render_listing(
        service.tag_query(tag), heading=f"タグ：{tag}",
        lead=f"「{tag}」に関する記事の一覧です。", kind="tag", tag=tag,
    )


@bp.get("/articles/<slug>")
@cached_page
def article(slug: str):
    if slug == "about":
        return redirect(urls.article_path(slug), code=301)  # one URL per page
    return render_article(slug)


def render_article(slug: str):
    # One query; the article-specific parts are stored with the article (content.page_parts).
    html = page_parts.article_page(slug) if SLUG_RE.fullmatch(slug) else None
    if html is None:
        abort(404)
    return html


CATEGORY_LEADS = {
    "news": "サイトからのお知らせや、新しい取り組みのニュースです。",
    "feature": "大田区のものづくりの「いま」を、じっくり深掘りする特集記事です。",
    "series": "町工場の企業・人・製品に光を当てるテーマ別の読みものです。",
    "local": "工場見学会や子ども向け体験教室など、地域で参加できる情報です。",
    "admin": "就職支援や奨学金返還支援など、区の制度をわかりやすく紹介します。",
}
SERIES_LEADS = {
    "company": "独自の技術で挑戦を続ける、大田区の企業を紹介します。",
    "people": "ものづくりの現場で働く人の、仕事と想いをたずねました。",
    "product": "町工場の技術から生まれた、ユニークな製品の物語です。",
}
